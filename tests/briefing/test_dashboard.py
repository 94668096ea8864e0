"""The region dashboard pages (province, kab/kota, kecamatan): access, fragments, sorting, past
days, the snapshot panel, the narrative on the page."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from readiness import services
from readiness.models import TPS, DailyRollup, TPSReadiness
from readiness.selectors import local_today
from readiness.snapshots import snapshot_take
from readiness.tps import tps_status_set
from security.models import Incident, IncidentCategory, Severity

from ..conftest import PILKADA_2024


def row_codes(body: str) -> list[str]:
    """The region codes of the table body, in the order shown."""
    tbody = body[body.index("<tbody>") : body.index("</tbody>")]
    return re.findall(r'<tr data-code="([\d.]+)"', tbody)


def table_row(body: str, code: str) -> str:
    start = body.index(f'<tr data-code="{code}"')
    return body[start : body.index("</tr>", start)]


def rollup(code: str, day: dt.date, **figures) -> DailyRollup:
    return DailyRollup.objects.create(
        region_id=code, day=day, computed_at=timezone.now(), **figures
    )


def mark_ready(officer, count: int) -> None:
    ids = list(
        TPS.objects.within(officer.region_id)
        .order_by("desa_id", "number")
        .values_list("pk", flat=True)
    )
    tps_status_set(
        officer=officer, region=officer.region, tps_ids=ids[:count], readiness=TPSReadiness.READY
    )


@pytest.mark.parametrize("code", ["64", "64.71", "64.71.06"])
def test_every_level_has_a_dashboard(client, province_viewer, code):
    client.force_login(province_viewer)
    response = client.get(reverse("region_dashboard", args=[code]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "menuju pemungutan suara" in body
    assert 'data-testid="narrative"' in body
    assert 'id="dashboard-table"' in body
    assert 'id="incidents"' in body
    assert reverse("tps_at_risk", args=[code]) in body


def test_breadcrumbs_go_up_and_rows_link_down(client, province_viewer):
    client.force_login(province_viewer)
    body = client.get(reverse("region_dashboard", args=["64.71"])).content.decode()
    assert f'href="{reverse("region_dashboard", args=["64"])}"' in body
    assert f'href="{reverse("region_dashboard", args=["64.71.06"])}"' in body


def test_kecamatan_page_lists_its_desa_tps_and_report_history(client, officer, province_viewer):
    mark_ready(officer, 2)
    client.force_login(province_viewer)
    body = client.get(reverse("region_dashboard", args=["64.71.06"])).content.decode()
    assert "64.71.06.1001" in body and "64.71.06.1002" in body  # desa rows
    assert body.count("<tr data-tps=") == 6
    assert "✔ Siap" in body
    assert 'id="report-history"' in body
    assert "2 / 3" in table_row(body, "64.71.06.1001")  # the live status, per desa


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("officer", "64.71.01"),
        ("officer", "64.71"),
        ("city_officer", "64.72"),
        ("city_officer", "64"),
    ],
)
def test_pages_outside_the_subtree_are_404(client, request, persona, code):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("region_dashboard", args=[code])).status_code == 404
    assert client.get(reverse("tps_at_risk", args=[code])).status_code == 404


def test_htmx_refresh_gets_only_the_live_fragment(client, province_viewer):
    client.force_login(province_viewer)
    response = client.get(reverse("region_dashboard", args=["64"]), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="overview"')
    assert "<html" not in body
    assert 'hx-trigger="every 60s, report-saved from:body"' in body


def test_htmx_sort_gets_only_the_table(client, province_viewer):
    client.force_login(province_viewer)
    response = client.get(
        reverse("region_dashboard", args=["64"]),
        {"urut": "-tps"},
        headers={"HX-Request": "true", "HX-Target": "dashboard-table"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="dashboard-table"')
    assert 'id="overview"' not in body


def test_sorting_by_a_column_and_back(client, province_viewer, tree):
    day = local_today("64")
    rollup("64.71", day, tps_total=12, tps_ready=1)
    rollup("64.72", day, tps_total=2, tps_ready=2)
    client.force_login(province_viewer)
    url = reverse("region_dashboard", args=["64"])

    body = client.get(url).content.decode()
    assert row_codes(body) == ["64.71", "64.72"]
    # The column's link holds the sort in the URL, for htmx (pushed) and without JS alike.
    assert f'href="{url}?urut=tps" hx-get="{url}?urut=tps"' in body
    assert 'hx-push-url="true"' in body

    assert row_codes(client.get(url, {"urut": "-tps"}).content.decode()) == ["64.72", "64.71"]
    body = client.get(url, {"urut": "tps"}).content.decode()
    assert row_codes(body) == ["64.71", "64.72"]
    assert f'href="{url}?urut=-tps"' in body  # clicking again flips the direction


def test_an_unknown_sort_is_refused(client, province_viewer):
    client.force_login(province_viewer)
    response = client.get(reverse("region_dashboard", args=["64"]), {"urut": "gaji"})
    assert response.status_code == 400
    assert row_codes(response.content.decode()) == ["64.71", "64.72"]


def test_header_totals_are_the_sum_of_the_rows(client, province_viewer, tree):
    day = local_today("64")
    rollup("64.71", day, tps_total=12, tps_ready=5, tps_problem=1)
    rollup("64.72", day, tps_total=2, tps_ready=2)
    client.force_login(province_viewer)
    body = client.get(reverse("region_dashboard", args=["64"])).content.decode()
    assert '<span class="value" data-testid="tps-ready">7</span>' in body
    assert "7 / 14" in table_row(body, "jumlah")
    assert "TPS siap 7 dari 14 (50,0%); 1 TPS bermasalah." in body


def test_date_picker_shows_a_past_day_from_its_rollups(client, province_viewer, pilkada_2024):
    past = PILKADA_2024 - dt.timedelta(days=4)
    rollup("64.71", past, tps_total=12, tps_ready=5)
    client.force_login(province_viewer)
    url = reverse("region_dashboard", args=["64"])
    response = client.get(url, {"tanggal": past.isoformat()})
    body = response.content.decode()
    assert response.status_code == 200
    assert "5 / 12" in table_row(body, "64.71")
    assert "H-4 menuju pemungutan suara 27 November 2024" in body
    assert 'type="date" name="tanggal"' in body and f'value="{past.isoformat()}"' in body
    assert "pada 23 November 2024" in body  # the sentences name the day, not "hari ini"
    assert "every 60s" not in body  # a past day does not change: no polling
    # The sort links keep the day.
    assert f"tanggal={past.isoformat()}" in body and "urut=tps" in body


def test_a_day_to_come_or_outside_the_period_is_refused(client, province_viewer):
    client.force_login(province_viewer)
    url = reverse("region_dashboard", args=["64"])
    tomorrow = local_today("64") + dt.timedelta(days=1)
    assert client.get(url, {"tanggal": tomorrow.isoformat()}).status_code == 400
    assert client.get(url, {"tanggal": "2001-01-01"}).status_code == 400
    assert client.get(url, {"tanggal": "kemarin"}).status_code == 400


def test_coverage_sentence_names_the_missing(
    client, province_viewer, city_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.daily_report_submit(
            officer=city_officer,
            region=city_officer.region,
            day=local_today("64"),
            data={"no_incidents": True},
        )
    client.force_login(province_viewer)
    body = client.get(reverse("region_dashboard", args=["64"])).content.decode()
    assert "1 dari 2 kabupaten/kota telah melapor hari ini; belum: Wilayah 64.72" in body
    assert "✖ Belum" in table_row(body, "64.72")
    assert "✔ Sudah" in table_row(body, "64.71")


def test_snapshot_panel_lists_what_changed_after_a_correction(
    client, officer, province_viewer, tree, django_capture_on_commit_callbacks
):
    day = local_today("64")
    with django_capture_on_commit_callbacks(execute=True):
        services.daily_report_submit(
            officer=officer, region=tree["64.71.06"], day=day, data={"no_incidents": True}
        )
    snapshot_take(province=tree["64"], day=day)
    client.force_login(province_viewer)
    body = client.get(reverse("region_dashboard", args=["64"])).content.decode()
    assert 'data-testid="snapshot"' in body and "Tidak ada perubahan sejak" in body

    mark_ready(officer, 3)
    with django_capture_on_commit_callbacks(execute=True):
        services.daily_report_submit(
            officer=officer, region=tree["64.71.06"], day=day, data={"no_incidents": True}
        )
    body = client.get(reverse("region_dashboard", args=["64"])).content.decode()
    assert "Berubah sejak" in body
    assert "<strong>Wilayah 64.71</strong> — TPS siap: 0 → 3" in body
    # The kab/kota page shows the province's snapshot filtered to its own rows.
    city = client.get(reverse("region_dashboard", args=["64.71"])).content.decode()
    assert "<strong>Wilayah 64.71.06</strong> — TPS siap: 0 → 3" in city
    assert "<strong>Wilayah 64.72" not in city


def test_incident_feed_puts_serious_first_and_links_each(client, officer, province_viewer):
    category = IncidentCategory.objects.get(code="hoaks")
    now = timezone.now()
    low = Incident.objects.create(
        region_id="64.71.06",
        category=category,
        severity=Severity.LOW,
        occurred_at=now - dt.timedelta(minutes=5),
        description="baru",
        reported_by=officer,
    )
    high = Incident.objects.create(
        region_id="64.71.06.1001",
        category=category,
        severity=Severity.HIGH,
        occurred_at=now - dt.timedelta(hours=2),
        description="lama",
        reported_by=officer,
    )
    client.force_login(province_viewer)
    body = client.get(reverse("region_dashboard", args=["64"])).content.decode()
    feed = body[body.index('id="incidents"') :]
    first = feed.index(reverse("incident_detail", args=[high.pk]))
    assert first < feed.index(reverse("incident_detail", args=[low.pk]))


def test_meeting_mode_adds_the_projector_class(client, province_viewer):
    client.force_login(province_viewer)
    body = client.get(reverse("region_dashboard", args=["64"]), {"rapat": "1"}).content.decode()
    assert 'class="briefing rapat"' in body


def test_page_in_english(client, province_viewer):
    client.force_login(province_viewer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get(reverse("region_dashboard", args=["64"])).content.decode()
    assert "to voting day" in body
    assert "Polling stations at risk" in body
    assert "have reported today" in body


def test_export_links_carry_the_day(client, province_viewer, pilkada_2024):
    client.force_login(province_viewer)
    past = PILKADA_2024 - dt.timedelta(days=4)
    body = client.get(
        reverse("region_dashboard", args=["64"]), {"tanggal": past.isoformat()}
    ).content.decode()
    for kind in ("pdf", "xlsx", "csv"):
        url = reverse("briefing_export", kwargs={"code": "64", "kind": kind})
        assert f'href="{url}?tanggal={past.isoformat()}"' in body
