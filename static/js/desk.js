// Desk Pilkada: tell the officer when a background request failed, instead of doing nothing.
// htmx does not swap error answers, and a dropped connection shows no error at all; the input
// stays on screen, so the message says so and asks to try again.
(function () {
  function banner(text) {
    var box = document.getElementById("connection-problem");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
  }
  document.body.addEventListener("htmx:sendError", function () {
    banner(document.body.dataset.msgOffline);
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : "?";
    banner(document.body.dataset.msgFailed.replace("%s", status));
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      var box = document.getElementById("connection-problem");
      if (box) box.hidden = true;
    }
  });
})();
