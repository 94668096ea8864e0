"""The narrative: pure sentences from hand-built Dashboards (no database)."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import translation

from briefing.narrative import dashboard_narrative, names_joined, number, percent
from briefing.selectors import (
    REPORT_DONE,
    REPORT_LATE,
    REPORT_MISSING,
    Coverage,
    Dashboard,
    DashboardRow,
    StageFigure,
)
from readiness.models import Contest, Region
from readiness.selectors import Countdown

DAY = dt.date(2024, 11, 23)
KALTIM = [
    "Paser",
    "Kutai Kartanegara",
    "Berau",
    "Kutai Barat",
    "Kutai Timur",
    "Penajam Paser Utara",
    "Mahakam Ulu",
    "Balikpapan",
    "Samarinda",
    "Bontang",
]


@pytest.fixture(autouse=True)
def _indonesian():
    with translation.override("id"):
        yield


def row(name, index, **figures) -> DashboardRow:
    return DashboardRow(code=f"64.{index + 1:02d}", name=name, level=2, **figures)


def dashboard(rows, *, missing=(), late=(), level=1, is_today=True, **totals) -> Dashboard:
    region = Region(code="64", name="Kalimantan Timur", level=level)
    names = tuple(r.name for r in rows)
    reported = tuple(n for n in names if n not in missing)
    return Dashboard(
        region=region,
        day=DAY,
        breadcrumbs=(),
        countdowns=(Countdown(Contest(voting_day=dt.date(2024, 11, 27)), 4),),
        zone=zoneinfo.ZoneInfo("Asia/Makassar"),
        zone_label="WITA",
        as_of=None,
        rows=tuple(rows),
        totals=DashboardRow(code="64", name="Kalimantan Timur", level=level, **totals),
        coverage=Coverage(
            expected=names,
            reported=reported,
            on_time=tuple(n for n in reported if n not in late),
            late=tuple(late),
            missing=tuple(missing),
        ),
        items=(),
        indicators=(),
        incidents=(),
        incidents_open_count=0,
        snapshot_taken_at=None,
        changes=(),
        own_report=None,
        period_start=None,
        period_end=None,
        is_today=is_today,
    )


def logistics(complete: bool) -> dict:
    stage = StageFigure("received_kpps", "Diterima KPPS/TPS", 100 if complete else 40, 100)
    return {"logistics": (stage,), "logistics_complete": complete}


def test_numbers_use_indonesian_grouping_and_decimal_comma():
    assert number(6264) == "6.264"
    assert percent(81.66) == "81,7"
    assert percent(81.65) == "81,7"  # half up, not truncated


def test_names_get_dan_before_the_last_and_are_cut_when_long():
    assert names_joined(["Berau"]) == "Berau"
    assert names_joined(["Kutai Barat", "Mahakam Ulu", "Paser"]) == (
        "Kutai Barat, Mahakam Ulu dan Paser"
    )
    assert names_joined(KALTIM[:8]) == "Paser, Kutai Kartanegara, Berau dan 5 lainnya"


def test_countdown_sentence():
    sentences = dashboard_narrative(dashboard([row(n, i) for i, n in enumerate(KALTIM)]))
    assert sentences[0] == "H-4 menuju pemungutan suara 27 November 2024."


def test_coverage_names_the_missing_and_the_late():
    rows = [row(n, i) for i, n in enumerate(KALTIM)]
    sentences = dashboard_narrative(
        dashboard(rows, missing=("Kutai Barat", "Mahakam Ulu", "Paser"), late=("Berau",))
    )
    assert (
        "7 dari 10 kabupaten/kota telah melapor hari ini; belum: Kutai Barat, Mahakam Ulu dan "
        "Paser; terlambat: Berau." in sentences
    )


def test_coverage_when_all_reported_and_on_a_past_day():
    rows = [row(n, i) for i, n in enumerate(KALTIM)]
    assert "Semua 10 kabupaten/kota telah melapor hari ini." in dashboard_narrative(dashboard(rows))
    assert "Semua 10 kabupaten/kota telah melapor pada 23 November 2024." in (
        dashboard_narrative(dashboard(rows, is_today=False))
    )


def test_logistics_none_complete():
    rows = [row(n, i, **logistics(False)) for i, n in enumerate(KALTIM)]
    assert "Belum ada kabupaten/kota dengan logistik lengkap." in dashboard_narrative(
        dashboard(rows)
    )


def test_logistics_some_complete():
    rows = [row(n, i, **logistics(n == "Mahakam Ulu")) for i, n in enumerate(KALTIM)]
    assert (
        "Logistik lengkap di 1 dari 10 kabupaten/kota (Mahakam Ulu); 9 lainnya masih dalam "
        "proses." in dashboard_narrative(dashboard(rows))
    )


def test_logistics_all_complete():
    rows = [row(n, i, **logistics(True)) for i, n in enumerate(KALTIM)]
    assert "Logistik lengkap di semua 10 kabupaten/kota." in dashboard_narrative(dashboard(rows))


def test_logistics_without_figures_says_so():
    rows = [row(n, i) for i, n in enumerate(KALTIM)]
    assert "Belum ada data logistik hari ini." in dashboard_narrative(dashboard(rows))


def test_tps_sentence_with_thousands_and_percent():
    rows = [row(n, i) for i, n in enumerate(KALTIM)]
    sentences = dashboard_narrative(dashboard(rows, tps_total=6264, tps_ready=5120, tps_problem=12))
    assert "TPS siap 5.120 dari 6.264 (81,7%); 12 TPS bermasalah." in sentences


def test_open_high_incidents_are_counted_per_region_most_first():
    open_high = {"Samarinda": 1, "Kutai Timur": 2}
    rows = [
        row(n, i, incidents_open={"kritis": 0, "tinggi": open_high.get(n, 0)})
        for i, n in enumerate(KALTIM)
    ]
    sentences = dashboard_narrative(
        dashboard(rows, incidents_open={"kritis": 0, "tinggi": 3, "rendah": 0, "info": 0})
    )
    assert "3 insiden tingkat tinggi masih terbuka (Kutai Timur 2 dan Samarinda 1)." in sentences
    assert not any("kritis" in sentence for sentence in sentences)


def test_no_open_incidents():
    rows = [row(n, i) for i, n in enumerate(KALTIM)]
    assert "Tidak ada insiden yang masih terbuka." in dashboard_narrative(dashboard(rows))


def test_kabkota_level_speaks_of_kecamatan():
    rows = [
        DashboardRow(code=f"64.71.0{i}", name=f"Balikpapan {n}", level=3, **logistics(i == 1))
        for i, n in enumerate(["Timur", "Barat", "Utara"], start=1)
    ]
    sentences = dashboard_narrative(dashboard(rows, missing=("Balikpapan Utara",), level=2))
    assert "2 dari 3 kecamatan telah melapor hari ini; belum: Balikpapan Utara." in sentences
    assert (
        "Logistik lengkap di 1 dari 3 kecamatan (Balikpapan Timur); 2 lainnya masih dalam proses."
        in sentences
    )


def test_sentences_agree_with_the_report_status_marks():
    # The coverage words come from the same names as the table's status column.
    rows = [
        row("Paser", 0, report_status=REPORT_MISSING),
        row("Berau", 1, report_status=REPORT_LATE),
        row("Bontang", 2, report_status=REPORT_DONE),
    ]
    sentences = dashboard_narrative(dashboard(rows, missing=("Paser",), late=("Berau",)))
    assert "2 dari 3 kabupaten/kota telah melapor hari ini; belum: Paser; terlambat: Berau." in (
        sentences
    )
