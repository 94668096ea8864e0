"""A kecamatan officer files a full daily report on a phone, including an inline TPS edit.

Runs against the demo desk (readiness.demo) on pytest-django's live server, in one browser
context the size of a phone (conftest.PHONE: 390 × 844, touch, mobile). The officer of
kecamatan Balikpapan Kota (64.71.06), which has not reported today in the demo:

1. marks one TPS *bermasalah* with the inline edit of the TPS table — first without a reason,
   which is refused in the row and saves nothing, then with a reason and a note; the counts
   line above the table follows;
2. counts logistics along the PPK → PPS → KPPS chain — first with a stage above the one before
   it, which is refused on that field — and sees the progress;
3. fills the ready personnel of two categories;
4. fills two other indicators, one of them written the Indonesian way ("1.247");
5. on the report form picks the situation and writes a note while the draft autosaves (the
   status line says "Draf tersimpan" and nothing typed is lost), says *nihil* when the demo has
   no incident today, and sends it: "Laporan hari ini terkirim.", listed in the history.

Every page must fit the phone's width (no horizontal scrolling); screenshots go to
test-artifacts/phone-*.png. The database is checked at the end, once the browser is closed.

Problems that do not stop the officer (a page wider than the phone, a stale part of a page) are
collected and reported together at the end, so that one run shows all of them; the test fails
when there is any.
"""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
from django.core.cache import cache
from django.utils import timezone

from indicators.models import Indicator, IndicatorValue
from logistics.models import LogisticsItem, LogisticsLine
from logistics.selectors import logistics_required
from readiness import demo, tps
from readiness.models import (
    TPS,
    DailyReport,
    DailyReportVersion,
    ReportAction,
    ReportStatus,
    Situation,
    TPSProblem,
    TPSReadiness,
    TPSStatus,
    User,
)
from security.models import PersonnelCategory, PersonnelLine
from security.selectors import incidents_on_day, personnel_required

from .conftest import PHONE
from .test_report_reaches_province import id_number, log_in, watch_for_errors

KECAMATAN = "64.71.06"  # Balikpapan Kota
OFFICER = "desk.balikpapan-kota"
SENT = "Laporan hari ini terkirim."
PHONE_WIDTH = PHONE["viewport"]["width"]

TPS_NOTE = "Genangan setinggi lutut di depan lokasi; tenda dipindah ke halaman masjid."
REPORT_NOTE = "Uji ponsel: satu TPS tergenang di Balikpapan Kota, logistik sudah di PPK."
HELP_NEEDED = "Pompa air untuk TPS yang tergenang."
SITUATION = Situation.ALERT  # waspada: one TPS is flooded
DISASTER_LABEL = "Risiko banjir/bencana"  # TPSProblem.DISASTER as the page shows it

# Logistics: two items of the seeded catalogue (logistics migration 0002).
BALLOTS, BOXES = "surat-suara", "kotak-suara"
# Personnel: two categories of the seeded catalogue (security migration 0002).
KPPS, LINMAS = "kpps", "linmas"
KPPS_SHORT_BY = 15  # KPPS ready: the norm less a few still being sworn in
# Indicators of a kecamatan desk (indicators migration 0002): kecamatan report no hibah (Rp),
# so a count of today's events and a running total written with a thousands dot.
SOSIALISASI, MOVED_VOTERS = "sosialisasi", "pemilih-pindahan"
SOSIALISASI_TYPED, SOSIALISASI_VALUE = "3", Decimal(3)
MOVED_TYPED, MOVED_VALUE = "1.247", Decimal(1247)

# The part of a page that sticks out on the right, for the message when one does.
OVERFLOW_JS = """() => {
  const root = document.documentElement;
  const width = Math.min(root.clientWidth, window.innerWidth);
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1 && !(el.parentElement
        && el.parentElement.getBoundingClientRect().right > width + 1)) {
      wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
        + `${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''}`
        + ` (right edge ${Math.round(box.right)}px)`);
    }
  }
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth,
          innerWidth: window.innerWidth, wide: wide.slice(0, 5)};
}"""


@pytest.mark.browser
def test_officer_files_full_report_on_a_phone(
    transactional_db, seeded_catalogues, live_server, chromium, artifacts_dir
):
    from playwright.sync_api import expect

    # --- The demo desk and what the pages should show — all before Playwright starts. ---
    cache.clear()  # province time zones are cached across tests
    today = timezone.localdate(timezone=demo.DEMO_ZONE)
    demo.demo_seed(today=today)
    cache.clear()

    assert not DailyReport.objects.filter(region_id=KECAMATAN, day=today).exists(), (
        f"the demo should leave {KECAMATAN} unreported today (demo.UNREPORTED_TODAY)"
    )
    for model, codes in (
        (LogisticsItem, [BALLOTS, BOXES]),
        (PersonnelCategory, [KPPS, LINMAS]),
        (Indicator, [SOSIALISASI, MOVED_VOTERS]),
    ):
        assert model.objects.filter(code__in=codes).count() == 2, (
            f"{model.__name__} {codes} missing: the seeded catalogue is gone"
        )

    counts_before = tps.tps_counts(region_code=KECAMATAN)
    station = (
        TPS.objects.filter(is_active=True)
        .within(KECAMATAN)
        .exclude(status__readiness__in=[TPSReadiness.READY, TPSReadiness.PROBLEM])
        .select_related("desa", "status")
        .order_by("desa_id", "number")
        .first()
    )
    assert station is not None, f"every TPS of {KECAMATAN} is siap or bermasalah in the demo"
    started = timezone.now()  # TPS status changes after this are the officer's
    problem_after = counts_before.problem + 1
    not_ready_after = counts_before.not_ready - 1

    required = logistics_required(region_code=KECAMATAN, day=today)
    ballots_needed, boxes_needed = required[BALLOTS], required[BOXES]
    assert ballots_needed and boxes_needed, f"the demo's contests need no logistics: {required}"
    # Ballots: the whole chain done. Boxes: all at the PPS, three quarters at the TPS. Every
    # stage is typed over, whatever the form carried over from an earlier day.
    boxes_at_tps = boxes_needed - boxes_needed // 4
    logistics_figures = {
        BALLOTS: {
            "received_ppk": ballots_needed,
            "distributed_pps": ballots_needed,
            "received_kpps": ballots_needed,
        },
        BOXES: {
            "received_ppk": boxes_needed,
            "distributed_pps": boxes_needed,
            "received_kpps": boxes_at_tps,
        },
    }
    personnel_needed = personnel_required(region_code=KECAMATAN)
    personnel_ready = {
        KPPS: personnel_needed[KPPS] - KPPS_SHORT_BY,
        LINMAS: personnel_needed[LINMAS],
    }
    incidents_today = incidents_on_day(region_code=KECAMATAN, day=today).count()
    officer_name = User.objects.get(username=OFFICER).get_full_name()

    errors: list[str] = []  # script errors and failed requests, from watch_for_errors
    problems: list[str] = []  # what is wrong but does not stop the officer: reported at the end

    def soft(check, what: str) -> None:
        """Run an expect(); on failure note the problem and carry on with the scenario."""
        try:
            check()
        except AssertionError as failure:
            problems.append(f"{what}\n    {str(failure).strip().splitlines()[0]}")

    def fits_the_phone(page, name: str) -> None:
        """No horizontal scrolling on the phone; a full-page screenshot for humans."""
        page.screenshot(path=artifacts_dir / f"phone-{name}.png", full_page=True)
        # With is_mobile, chromium widens window.innerWidth to a page that is too wide (it
        # zooms out), so the layout viewport (clientWidth, the phone's width) is the measure.
        sizes = page.evaluate(OVERFLOW_JS)
        if sizes["scrollWidth"] > min(sizes["innerWidth"], sizes["clientWidth"], PHONE_WIDTH) + 1:
            problems.append(
                f"{page.url} scrolls horizontally on a {PHONE_WIDTH}px phone: the page is "
                f"{sizes['scrollWidth']}px wide; sticking out: {', '.join(sizes['wide'])} "
                f"(screenshot test-artifacts/phone-{name}.png)"
            )

    # --- 1. The officer logs in on their phone. ---
    context = chromium.new_context(**PHONE)
    page = log_in(context, OFFICER)
    watch_for_errors(page, errors)
    expect(page, "the officer should land on their kecamatan page").to_have_url(
        re.compile(rf"/wilayah/{re.escape(KECAMATAN)}/$")
    )
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load (static files?)"
    fits_the_phone(page, "region")

    # --- 2. TPS table: one TPS bermasalah through the inline edit. ---
    page.get_by_role("link", name="Status TPS", exact=True).tap()
    expect(page).to_have_url(re.compile(rf"/wilayah/{re.escape(KECAMATAN)}/tps/$"))
    counts_line = page.locator("#tps-counts")
    expect(counts_line).to_contain_text(f"Bermasalah {id_number(counts_before.problem)}")
    row = page.locator(f"tr#tps-{station.pk}")
    expect(row).to_contain_text(station.desa.name)
    expect(row).to_contain_text("Belum siap")

    row.get_by_role("link", name="Ubah").tap()
    expect(row, "tapping 'Ubah' should swap the edit form into the row").to_have_class(
        re.compile(r"\bediting\b")
    )
    expect(row).to_contain_text(f"TPS {station.number:03d} · {station.desa.name}")
    readiness = row.locator("select[name=readiness]")
    readiness.select_option(TPSReadiness.PROBLEM)

    # Bermasalah without a reason: refused in the row, nothing saved, counts unchanged.
    with page.expect_response(lambda r: r.request.method == "POST" and "/tps/" in r.url):
        row.get_by_role("button", name="Simpan").tap()
    expect(row.locator(".error")).to_have_text("TPS bermasalah: pilih minimal satu jenis masalah.")
    expect(row, "the refused edit should stay open in the row").to_have_class(
        re.compile(r"\bediting\b")
    )
    expect(readiness, "the status chosen should still be on screen").to_have_value(
        TPSReadiness.PROBLEM
    )
    page.screenshot(path=artifacts_dir / "phone-tps-refused.png")
    # Nothing saved: the counts stay (and the history holds one change only, checked at the end).
    expect(counts_line).to_contain_text(f"Bermasalah {id_number(counts_before.problem)}")

    # On a phone one taps the reason's words, not the small box beside them.
    reason = row.locator(f"input[name=problems][value={TPSProblem.DISASTER}]")
    row.get_by_text(DISASTER_LABEL, exact=True).tap()
    soft(
        lambda: expect(reason, "").to_be_checked(timeout=3_000),
        f"TPS table, inline edit: tapping the reason '{DISASTER_LABEL}' in the edited row "
        "does not tick that row's box (its label points at the bulk form's box, same id)",
    )
    if not reason.is_checked():
        reason.tap()  # the box itself, as the officer would try next
    expect(reason).to_be_checked()
    row.locator("input[name=note]").fill(TPS_NOTE)
    with page.expect_response(lambda r: r.request.method == "POST" and "/tps/" in r.url):
        row.get_by_role("button", name="Simpan").tap()
    expect(row, "a saved edit should give the row back").not_to_have_class(
        re.compile(r"\bediting\b")
    )
    expect(row).to_contain_text(f"Bermasalah: {DISASTER_LABEL}")
    expect(row).to_contain_text(TPS_NOTE)
    expect(counts_line, "the counts above the table should follow the inline edit").to_contain_text(
        f"Bermasalah {id_number(problem_after)}"
    )
    expect(counts_line).to_contain_text(f"Belum siap {id_number(not_ready_after)}")
    row.scroll_into_view_if_needed()
    fits_the_phone(page, "tps")

    # --- 3. Logistics: a stage above the one before is refused on its field; then saved. ---
    page.goto(f"/wilayah/{KECAMATAN}/laporan/")
    page.locator("nav.sections").get_by_role("link", name="Logistik").tap()
    expect(page).to_have_url(re.compile(r"/laporan/logistik/$"))
    logistics = page.locator("#logistics-form")

    def quantity(item: str, stage: str):
        return logistics.locator(f'input[name="{item}__{stage}"]')

    for item, figures in logistics_figures.items():
        for stage, value in figures.items():
            quantity(item, stage).fill(str(value))
    quantity(BOXES, "distributed_pps").fill(str(boxes_needed + 1))  # more than the PPK got
    logistics.get_by_role("button", name="Simpan logistik").tap()
    too_many = logistics.locator(f"#id_{BOXES}__distributed_pps_error")
    expect(too_many, "the refused stage should say why, on its own field").to_have_text(
        f"Melebihi tahap sebelumnya (Diterima PPK: {boxes_needed})."
    )
    expect(logistics.locator("p.error").first).to_contain_text("Belum tersimpan")
    expect(quantity(BOXES, "distributed_pps"), "the typed figure stays").to_have_value(
        str(boxes_needed + 1)
    )
    expect(quantity(BALLOTS, "received_ppk")).to_have_value(str(ballots_needed))
    page.screenshot(path=artifacts_dir / "phone-logistics-refused.png", full_page=True)
    # Nothing saved: the page read afresh does not have the refused figure. (The database is
    # read only once the browser is closed: a query under Playwright's running event loop
    # opens a connection of its own that outlives the test.)
    page.reload()
    expect(quantity(BOXES, "distributed_pps")).not_to_have_value(str(boxes_needed + 1))
    expect(logistics.locator(".error")).to_have_count(0)

    for item, figures in logistics_figures.items():
        for stage, value in figures.items():
            quantity(item, stage).fill(str(value))
    logistics.get_by_role("button", name="Simpan logistik").tap()
    expect(logistics.locator(".flash-success")).to_have_text("Laporan logistik tersimpan.")
    expect(logistics.locator(".error")).to_have_count(0)
    ballots_row = logistics.locator(f'tr[data-item="{BALLOTS}"]')
    expect(ballots_row.locator(".progress"), "progress of each counted stage").to_have_text(
        ["100%", "100%", "100%"]
    )
    expect(ballots_row, "every stage at the need: the item is complete").to_contain_text("lengkap")
    boxes_row = logistics.locator(f'tr[data-item="{BOXES}"]')
    expect(boxes_row.locator(".progress")).to_have_text(["100%", "100%", re.compile(r"^\d{1,2}%$")])
    expect(boxes_row, "the TPS have not all received their boxes").not_to_contain_text("lengkap")
    fits_the_phone(page, "logistics")

    # --- 4. Personnel: ready counts for two categories. ---
    page.goto(f"/wilayah/{KECAMATAN}/laporan/")
    page.locator("nav.sections").get_by_role("link", name="Personel").tap()
    expect(page).to_have_url(re.compile(r"/laporan/personel/$"))
    personnel = page.locator("#personnel-form")
    for code, ready in personnel_ready.items():
        personnel.locator(f'input[name="{code}-ready"]').fill(str(ready))
    soft(
        lambda: expect(personnel.locator(f'input[name="{KPPS}-sick"]'), "").to_be_visible(
            timeout=3_000
        ),
        "Personnel page: the 'Sakit' (sick) inputs are hidden on a phone, so the officer "
        "cannot report sick personnel there",
    )
    fits_the_phone(page, "personnel")
    # Sent with the keypad's Go key. A tap on "Simpan personel" would be the same for htmx,
    # but on this page, wider than the phone, the emulated tap lands on the table above it.
    personnel.locator(f'input[name="{LINMAS}-ready"]').press("Enter")
    expect(personnel.locator(".flash-success")).to_have_text("Data personel hari ini tersimpan.")
    expect(personnel.locator(".error")).to_have_count(0)
    for code, ready in personnel_ready.items():
        expect(personnel.locator(f'input[name="{code}-ready"]')).to_have_value(str(ready))
    expect(personnel.locator(f'tr[data-category="{LINMAS}"]')).to_contain_text("100,0%")
    page.screenshot(path=artifacts_dir / "phone-personnel-saved.png", full_page=True)

    # --- 5. Other indicators: a count and a figure with a thousands dot. ---
    page.goto(f"/wilayah/{KECAMATAN}/laporan/")
    page.locator("nav.sections").get_by_role("link", name="Indikator lain").tap()
    expect(page).to_have_url(re.compile(r"/laporan/indikator/$"))
    indicators = page.locator("#indicators-form")
    indicators.locator(f'input[name="{SOSIALISASI}"]').fill(SOSIALISASI_TYPED)
    indicators.locator(f'input[name="{MOVED_VOTERS}"]').fill(MOVED_TYPED)
    indicators.get_by_role("button", name="Simpan indikator").tap()
    expect(indicators.locator(".flash-success")).to_have_text("Indikator tersimpan.")
    expect(indicators.locator(".error")).to_have_count(0)
    expect(indicators.locator(f'input[name="{MOVED_VOTERS}"]')).to_have_value(MOVED_TYPED)
    expect(indicators.locator(f'input[name="{SOSIALISASI}"]')).to_have_value(SOSIALISASI_TYPED)
    fits_the_phone(page, "indicators")

    # --- 6. The report form: situation and note autosave, nihil, send. ---
    page.get_by_role("link", name="Kembali ke laporan harian").tap()
    expect(page).to_have_url(re.compile(rf"/wilayah/{re.escape(KECAMATAN)}/laporan/$"))
    form = page.locator("#report-form")
    state = page.locator("#report-state")
    expect(
        form.locator(".tps-counts"), "the report carries the TPS table's counts"
    ).to_contain_text(f"{id_number(problem_after)} bermasalah")
    expect(state, "the sections saved a draft").to_contain_text("Draf")

    autosaves: list[dict] = []  # what each awaited autosave sent
    report_posts: list[str] = []  # the action of every POST of the report form, in order
    page.on(
        "request",
        lambda request: (
            report_posts.append(parse_qs(request.post_data or "").get("action", ["?"])[0])
            if request.method == "POST" and request.url.endswith("/laporan/")
            else None
        ),
    )

    def is_autosave(response) -> bool:
        request = response.request
        if request.method != "POST" or not request.url.endswith("/laporan/"):
            return False
        fields = parse_qs(request.post_data or "")
        if fields.get("action") != ["autosave"]:
            return False
        autosaves.append(fields)
        return True

    # The form element is marked: a swap of the form would lose the mark.
    page.evaluate("document.getElementById('report-form').dataset.probe = 'not replaced'")
    with page.expect_response(is_autosave) as situation_saved:
        form.locator("select[name=situation]").select_option(SITUATION)
    assert situation_saved.value.status == 200
    expect(state).to_contain_text("Draf tersimpan")

    note = form.locator("textarea[name=note]")
    help_needed = form.locator("textarea[name=help_needed]")
    note.tap()
    note.press_sequentially(REPORT_NOTE)
    with page.expect_response(
        lambda response: is_autosave(response) and autosaves[-1].get("note") == [REPORT_NOTE]
    ) as note_saved:
        help_needed.tap()  # leaving the note sends it; the officer goes on typing meanwhile
        help_needed.press_sequentially(HELP_NEEDED, delay=50)  # longer than the autosave
    assert note_saved.value.status == 200
    expect(state).to_contain_text("Draf tersimpan")
    expect(state.locator(".error")).to_have_count(0)
    expect(note, "the autosave must not touch the note").to_have_value(REPORT_NOTE)
    expect(help_needed, "nor what is typed while it runs").to_have_value(HELP_NEEDED)
    assert page.evaluate("document.activeElement && document.activeElement.name") == (
        "help_needed"
    ), "the autosave moved the focus away from the field being typed in"
    assert (
        page.evaluate("document.getElementById('report-form').dataset.probe") == "not replaced"
    ), "the autosave replaced the whole form under the officer's fingers"

    incidents = page.locator("section.embedded-section")
    nihil = form.get_by_label("Nihil: tidak ada insiden hari ini")
    if incidents_today:
        # Incidents were filed today: the report lists them and is sent without nihil.
        expect(incidents).to_contain_text(f"{incidents_today} insiden")
        expect(nihil).not_to_be_checked()
    else:
        expect(incidents, "no incident today in the demo").to_contain_text("0 insiden")
        nihil.tap()
        expect(nihil).to_be_checked()

    with page.expect_response(
        lambda response: (
            response.request.method == "POST"
            and response.url.endswith("/laporan/")
            and parse_qs(response.request.post_data or "").get("action") == ["submit"]
        )
    ) as posted:
        form.get_by_role("button", name="Kirim laporan").tap()
    response = posted.value
    assert response.request.headers.get("hx-request") == "true", "sent without htmx"
    assert response.status == 200, f"report POST answered {response.status}; errors: {errors}"
    expect(
        page.locator("#report-form .flash-success"),
        "the form should say the report is sent; errors shown: "
        f"{page.locator('#report-form .error').all_inner_texts()}",
    ).to_have_text(SENT)
    expect(page.locator("#report-form .error")).to_have_count(0)
    expect(page.locator("#report-state .badge").first).to_have_text("Terkirim")
    expect(page.locator("#report-form textarea[name=note]")).to_have_value(REPORT_NOTE)
    history = page.locator("section.history")
    soft(
        lambda: expect(history, "").to_contain_text("Dikirim", timeout=3_000),
        "Report page: after 'Kirim laporan' says 'Laporan hari ini terkirim.', the history "
        "below still says the report was never sent (it is outside the swapped form) until "
        "the page is reloaded",
    )
    fits_the_phone(page, "report")

    page.reload()
    history = page.locator("section.history")
    expect(history.locator("li").filter(has_text="Dikirim")).to_have_count(1)
    expect(history).to_contain_text(f"Dikirim — {officer_name}")
    fits_the_phone(page, "report-history")

    page.goto(f"/wilayah/{KECAMATAN}/")
    expect(page.locator("#report-status")).to_contain_text("Terkirim pukul")
    # The nihil tick's autosave was still waiting (change delay:800ms) when the officer sent
    # the report; it must die with the old form, not post the old version after the submit.
    assert "autosave" not in report_posts[report_posts.index("submit") :], (
        f"an autosave was posted after the report was sent: {report_posts}"
    )

    assert not errors, "the pages reported errors:\n" + "\n".join(errors)
    chromium.stop()  # the browser is closed: back to plain synchronous ORM reads

    # --- 7. What the database says. ---
    report = DailyReport.objects.get(region_id=KECAMATAN, day=today)
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_by.username == OFFICER
    assert report.tps_problem == problem_after >= 1
    assert report.tps_ready == counts_before.ready
    assert report.situation == SITUATION
    assert report.note == REPORT_NOTE
    assert report.help_needed == HELP_NEEDED
    assert report.no_incidents is (incidents_today == 0)
    assert report.versions.filter(action=ReportAction.SUBMITTED).count() == 1

    status = TPSStatus.objects.get(tps=station)
    changes = TPSStatus.history.filter(tps_id=station.pk, history_date__gte=started)
    assert changes.count() == 1, "the refused inline edit was saved too"
    assert (status.readiness, status.problems, status.note) == (
        TPSReadiness.PROBLEM,
        [TPSProblem.DISASTER],
        TPS_NOTE,
    )
    assert status.updated_by.username == OFFICER

    lines = {
        line.item.code: line
        for line in LogisticsLine.objects.filter(report=report).select_related("item")
    }
    for item, figures in logistics_figures.items():
        for stage, value in figures.items():
            assert getattr(lines[item], stage) == value, (item, stage)

    personnel = {
        line.category.code: line.ready
        for line in PersonnelLine.objects.filter(report=report).select_related("category")
    }
    assert {code: personnel.get(code) for code in personnel_ready} == personnel_ready

    values = {
        value.indicator.code: value.value
        for value in IndicatorValue.objects.filter(report=report).select_related("indicator")
    }
    assert (values.get(SOSIALISASI), values.get(MOVED_VOTERS)) == (SOSIALISASI_VALUE, MOVED_VALUE)
    assert DailyReportVersion.objects.filter(report=report).exists()

    assert not problems, (
        "the officer got through, but the phone showed these problems:\n- " + "\n- ".join(problems)
    )
