"""The slice: an officer keeps the TPS table, files today's report, and the province sees it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from readiness.models import TPS, DailyReport, DailyRollup, TPSReadiness
from readiness.selectors import local_today
from readiness.tps import tps_status_set

from ..factories import RegionFactory, TPSFactory


def mark(officer, code: str, count: int, readiness=TPSReadiness.READY, **extra):
    """Set the first `count` TPS of kecamatan `code` to `readiness`, as its officer."""
    ids = list(TPS.objects.within(code).order_by("desa_id", "number").values_list("pk", flat=True))
    tps_status_set(
        officer=officer, region=officer.region, tps_ids=ids[:count], readiness=readiness, **extra
    )


def post_report(client, code="64.71.06", **data):
    """Submit today's report the way the form's "Kirim laporan" button does."""
    return client.post(
        reverse("daily_report", args=[code]), {"action": "submit", "no_incidents": "on", **data}
    )


def test_form_shows_the_tps_counts_from_the_table(client, officer):
    mark(officer, "64.71.06", 2)
    client.force_login(officer)
    response = client.get(reverse("daily_report", args=["64.71.06"]))
    assert response.status_code == 200
    assert "TPS: 2 siap, 0 bermasalah, 4 belum siap dari 6." in response.content.decode()


def test_posting_creates_one_report_and_a_second_post_updates_it(
    client, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    mark(officer, "64.71.06", 2)
    with django_capture_on_commit_callbacks(execute=True):
        first = post_report(client, note="Dua TPS siap")
    mark(officer, "64.71.06", 5)
    with django_capture_on_commit_callbacks(execute=True):
        second = post_report(client, note="Lima TPS siap")

    assert first.status_code == second.status_code == 302
    report = DailyReport.objects.get()
    assert (report.region_id, report.day) == ("64.71.06", local_today("64.71.06"))
    assert (report.tps_ready, report.note, report.submitted_by) == (5, "Lima TPS siap", officer)


def test_province_page_shows_the_new_totals(
    client, officer, neighbour_officer, province_viewer, django_capture_on_commit_callbacks
):
    mark(officer, "64.71.06", 4)
    mark(officer, "64.71.06", 1, readiness=TPSReadiness.PROBLEM, problems=["bencana"])
    mark(neighbour_officer, "64.71.01", 3)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        post_report(client)
    client.force_login(neighbour_officer)
    with django_capture_on_commit_callbacks(execute=True):
        post_report(client, "64.71.01")

    client.force_login(province_viewer)
    page = client.get(reverse("region_dashboard", args=["64"])).content.decode()
    city = client.get(reverse("region_dashboard", args=["64.71"])).content.decode()

    # 64.71.06: TPS 1 bermasalah, 2-4 siap (3); 64.71.01: 3 siap. Balikpapan 6 of 12.
    assert "6 / 12" in _row(page, "64.71")
    assert "2 / 2" in _row(page, "64.71")  # both kecamatan reported
    assert "0 / 2" in _row(page, "64.72")  # Samarinda: nothing yet, but its TPS are counted
    assert "3 / 6" in _row(city, "64.71.06")
    assert "3 / 6" in _row(city, "64.71.01")
    rollup = DailyRollup.objects.get(region_id="64", day=local_today("64"))
    assert (rollup.tps_ready, rollup.tps_problem, rollup.tps_total, rollup.kecamatan_reported) == (
        6,
        1,
        14,
        2,
    )


def test_text_beyond_the_limit_is_refused_and_kept(client, officer):
    client.force_login(officer)
    response = post_report(client, note="x" * 2001, help_needed="truk logistik")
    body = response.content.decode()
    assert response.status_code == 400
    assert "Paling banyak 2000 karakter." in body
    assert "truk logistik" in body  # what was typed is kept
    assert not DailyReport.objects.exists()


def test_unknown_situation_is_refused(client, officer):
    client.force_login(officer)
    response = post_report(client, situation="genting")
    assert response.status_code == 400
    assert not DailyReport.objects.exists()


def test_htmx_post_gets_the_form_fragment_and_an_event(
    client, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("daily_report", args=["64.71.06"]),
            {"action": "submit", "no_incidents": "on"},
            headers={"HX-Request": "true"},
        )
    body = response.content.decode()
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == '{"report-saved": {}}'
    assert body.lstrip().startswith('<form id="report-form"')
    assert "<html" not in body
    assert "Laporan hari ini terkirim." in body


def test_htmx_submit_with_errors_returns_the_fragment_without_event(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("daily_report", args=["64.71.06"]),
        {"note": "x" * 2001, "action": "submit"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200  # htmx swaps 2xx only: the errors must be shown
    assert "HX-Trigger" not in response.headers
    assert "Paling banyak 2000 karakter." in response.content.decode()


def test_kabkota_desk_files_a_narrative_without_tps_figures(
    client, city_officer, django_capture_on_commit_callbacks
):
    client.force_login(city_officer)
    form_page = client.get(reverse("daily_report", args=["64.71"])).content.decode()
    assert "tps-counts" not in form_page

    with django_capture_on_commit_callbacks(execute=True):
        post_report(client, "64.71", situation="waspada", note="Rakor Forkopimda selesai")

    report = DailyReport.objects.get(region_id="64.71")
    assert report.tps_ready is None
    assert report.situation == "waspada"
    assert DailyRollup.objects.get(region_id="64.71", day=report.day).has_own_report


def test_region_page_fragment_for_htmx(client, province_viewer):
    client.force_login(province_viewer)
    response = client.get(reverse("region_dashboard", args=["64"]), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="overview"')
    assert "<html" not in body


def test_officer_home_shows_whether_today_is_filed(
    client, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    page = client.get(reverse("region_dashboard", args=["64.71.06"])).content.decode()
    assert "Belum dikirim." in page
    with django_capture_on_commit_callbacks(execute=True):
        post_report(client)
    page = client.get(reverse("region_dashboard", args=["64.71.06"])).content.decode()
    assert "Terkirim pukul" in page and "WITA" in page


def test_region_pages_run_a_bounded_number_of_queries(
    client, province_viewer, officer, django_assert_max_num_queries
):
    client.force_login(province_viewer)
    # The region page is the briefing dashboard now: it composes readiness, logistics,
    # security, indicators, snapshots and charts, each in a fixed number of queries.
    for code in ["64", "64.71", "64.71.06"]:
        with django_assert_max_num_queries(30):
            assert client.get(reverse("region_dashboard", args=[code])).status_code == 200


def test_province_page_queries_do_not_grow_with_children(client, province_viewer, tree):
    client.force_login(province_viewer)
    url = reverse("region_dashboard", args=["64"])
    client.get(url)  # warm the session and the zone cache

    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries_for_page()
    for number in range(1, 31):
        kab = RegionFactory(code=f"64.{number + 30:02d}")
        kecamatan = RegionFactory(code=f"{kab.code}.01")
        desa = RegionFactory(code=f"{kecamatan.code}.2001")
        TPSFactory(desa=desa, number=1)
    assert queries_for_page() == before


@pytest.mark.parametrize("code", ["64.71.06"])
def test_report_page_queries_do_not_grow_with_tps(client, officer, tree, code):
    client.force_login(officer)
    url = reverse("daily_report", args=[code])
    client.get(url)

    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries_for_page()
    TPS.objects.bulk_create(
        TPS(desa=tree["64.71.06.1001"], number=number, dpt_male=200, dpt_female=200)
        for number in range(10, 310)
    )
    assert queries_for_page() == before


def _row(html: str, code: str) -> str:
    start = html.index(f'data-code="{code}"')
    return html[start : html.index("</tr>", start)]


def test_report_page_links_the_sections_a_desk_of_its_level_fills(client, officer, tree):
    from readiness.models import Role

    from ..factories import UserFactory

    client.force_login(officer)
    kecamatan_page = client.get(reverse("daily_report", args=["64.71.06"])).content.decode()
    for url_name in ("tps_table", "logistics_report", "personnel_report", "incident_list"):
        assert reverse(url_name, args=["64.71.06"]) in kecamatan_page, url_name

    province_desk = UserFactory(username="desk.kaltim", role=Role.OFFICER, region=tree["64"])
    client.force_login(province_desk)
    province_page = client.get(reverse("daily_report", args=["64"])).content.decode()
    assert reverse("personnel_report", args=["64"]) in province_page
    assert reverse("logistics_report", args=["64"]) not in province_page


def test_a_missed_earlier_day_can_be_filed_and_is_late(
    client, officer, django_capture_on_commit_callbacks
):
    import datetime as dt

    yesterday = local_today("64.71.06") - dt.timedelta(days=1)
    client.force_login(officer)
    url = reverse("daily_report", args=["64.71.06"]) + f"?tanggal={yesterday.isoformat()}"
    page = client.get(url).content.decode()
    assert f'action="{url}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "submit", "no_incidents": "on"})
    assert response.status_code == 302
    report = DailyReport.objects.get()
    assert (report.day, report.is_late) == (yesterday, True)


@pytest.mark.parametrize(
    ("tanggal", "message"),
    [("2099-01-01", "belum tiba"), ("kemarin", "format TTTT-BB-HH")],
)
def test_future_or_unreadable_days_are_refused(client, officer, tanggal, message):
    client.force_login(officer)
    url = reverse("daily_report", args=["64.71.06"]) + f"?tanggal={tanggal}"
    for response in (client.get(url), client.post(url, {"action": "submit"})):
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not DailyReport.objects.exists()


def test_a_day_outside_the_reporting_period_is_refused(client, officer):
    client.force_login(officer)
    url = reverse("daily_report", args=["64.71.06"]) + "?tanggal=2020-01-01"
    response = client.post(url, {"action": "submit", "no_incidents": "on"})
    assert response.status_code == 400
    assert "di luar periode laporan" in response.content.decode()
    assert not DailyReport.objects.exists()


def test_autosave_answers_with_the_status_line_and_the_new_version(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("daily_report", args=["64.71.06"]),
        {"action": "autosave", "note": "Logistik tiba", "help_needed": "x" * 2001},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    report = DailyReport.objects.get()
    assert body.lstrip().startswith('<p id="report-state"')
    assert 'id="report-form"' not in body  # the form under the officer's fingers stays
    assert f'name="version" value="{report.version}" id="id_version" hx-swap-oob="true"' in body
    assert "(belum tersimpan)" in body  # the too-long field is named, the note is saved
    assert report.note == "Logistik tiba"


def test_a_correction_after_submitting_is_not_taken_for_a_replay(
    client, officer, django_capture_on_commit_callbacks
):
    import re

    client.force_login(officer)
    page = client.get(reverse("daily_report", args=["64.71.06"])).content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(
            reverse("daily_report", args=["64.71.06"]),
            {"action": "submit", "no_incidents": "on", "note": "pertama", "submission_key": key},
            headers={"HX-Request": "true"},
        ).content.decode()
    fresh_key = re.search(r'name="submission_key" value="([^"]+)"', first).group(1)
    version = re.search(r'name="version" value="(\d+)"', first).group(1)
    assert fresh_key != key
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("daily_report", args=["64.71.06"]),
            {
                "action": "submit",
                "no_incidents": "on",
                "note": "koreksi",
                "submission_key": fresh_key,
                "version": version,
            },
            headers={"HX-Request": "true"},
        )
    assert DailyReport.objects.get().note == "koreksi"


def test_expired_session_sends_htmx_to_the_login_page_as_a_whole_page(client, tree):
    response = client.get(reverse("region_dashboard", args=["64"]), headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith(reverse("login"))


def test_report_page_embeds_the_incidents_of_its_day(client, officer):
    client.force_login(officer)
    page = client.get(reverse("daily_report", args=["64.71.06"])).content.decode()
    day = local_today("64.71.06").isoformat()
    embedded = f'hx-get="{reverse("incident_list", args=["64.71.06"])}?tanggal={day}"'
    assert embedded in page
    fragment = client.get(
        reverse("incident_list", args=["64.71.06"]),
        {"tanggal": day},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
