"""Trend series (briefing.trends) and their SVG charts (briefing.charts, briefing/_chart.html).

The data: Kota Balikpapan (64.71, 12 TPS: 6 in 64.71.01 and 6 in 64.71.06) over the last three
days of its reporting period. Balikpapan Kota (64.71.06) reports 2 TPS siap two days ago and 6
today; today it also counts 12 ballot boxes and 6 bottles of ink received at the TPS. The city
needs 24 of each (12 TPS × governor + mayor for the boxes, 2 bottles per TPS for the ink), so
logistics stand at the mean of 50% and 25%. Hoaks happen twice yesterday, a politik uang once
today.
"""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation

from briefing.charts import incident_chart, trend_charts
from briefing.trends import region_trends, trend_days
from logistics.models import LogisticsItem, LogisticsLine
from readiness.models import Contest, ContestKind
from readiness.rollups import rollup_rebuild_day
from readiness.selectors import local_today, province_zone
from security.models import Incident, IncidentCategory, Severity

from ..factories import DailyReportFactory

SVG = "{http://www.w3.org/2000/svg}"


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=province_zone("64"))


def filed_period(tree, officer, neighbour_officer) -> dt.date:
    """Reports, logistics and incidents over the last three days, rolled up; returns today."""
    LogisticsItem.objects.exclude(code__in=["kotak-suara", "tinta"]).update(is_active=False)
    today = local_today("64.71")
    two_days_ago, yesterday = today - dt.timedelta(days=2), today - dt.timedelta(days=1)
    DailyReportFactory(
        region=tree["64.71.06"], day=two_days_ago, tps_ready=2, tps_problem=1, submitted_by=officer
    )
    report = DailyReportFactory(
        region=tree["64.71.06"], day=today, tps_ready=6, tps_problem=0, submitted_by=officer
    )
    DailyReportFactory(
        region=tree["64.71.01"],
        day=today,
        tps_ready=0,
        tps_problem=0,
        submitted_by=neighbour_officer,
    )
    boxes, ink = (
        LogisticsItem.objects.get(code="kotak-suara"),
        LogisticsItem.objects.get(code="tinta"),
    )
    for item, count in ((boxes, 12), (ink, 6)):
        LogisticsLine.objects.create(
            report=report,
            item=item,
            received_ppk=count,
            distributed_pps=count,
            received_kpps=count,
            updated_by=officer,
        )
    hoaks = IncidentCategory.objects.get(code="hoaks")
    money = IncidentCategory.objects.get(code="politik-uang")
    for hour in (9, 14):
        Incident.objects.create(
            region=tree["64.71.06.1001"],
            category=hoaks,
            severity=Severity.LOW,
            occurred_at=at(yesterday, hour),
            description="Pesan berantai soal TPS pindah lokasi.",
            reported_by=officer,
        )
    Incident.objects.create(
        region=tree["64.71.06.1002"],
        category=money,
        severity=Severity.CRITICAL,
        occurred_at=min(at(today, 1), timezone.now()),
        description="Pembagian amplop di dekat TPS 002.",
        reported_by=officer,
    )
    for day in (two_days_ago, yesterday, today):
        rollup_rebuild_day(day=day)
    return today


@pytest.fixture
def today(tree, officer, neighbour_officer):
    return filed_period(tree, officer, neighbour_officer)


def test_the_period_runs_from_the_start_of_reporting_to_the_day(tree):
    today = local_today("64.71")
    start = Contest.objects.filter(kind=ContestKind.MAYOR).get(region_id="64.71").reporting_start
    days, voting_day = trend_days(region_code="64.71", day=today)
    assert days[0] == start and days[-1] == today
    assert len(days) == (today - start).days + 1
    assert voting_day == today + dt.timedelta(days=4)


def test_series_come_from_the_rollups(today):
    trends = region_trends(region_code="64.71", day=today)
    by_day = dict(zip(trends.days, trends.tps_ready_percent, strict=True))
    assert by_day[today - dt.timedelta(days=3)] is None  # not rolled up: a gap, not a zero
    assert by_day[today - dt.timedelta(days=2)] == pytest.approx(100 * 2 / 12)
    # Stock figures: yesterday the latest word of 64.71.06 is still two days old.
    assert by_day[today - dt.timedelta(days=1)] == pytest.approx(100 * 2 / 12)
    assert by_day[today] == pytest.approx(50.0)

    logistics = dict(zip(trends.days, trends.logistics_percent, strict=True))
    assert logistics[today] == pytest.approx((50 + 25) / 2)
    assert logistics[today - dt.timedelta(days=1)] == 0

    series = {line.category.code: line.counts for line in trends.incidents}
    assert series["hoaks"][-2:] == [2, 0]
    assert series["politik-uang"][-2:] == [0, 1]
    assert sum(series["hoaks"]) == 2


def test_trends_take_four_queries_whatever_the_period(today, django_assert_num_queries):
    Contest.objects.update(reporting_start=today - dt.timedelta(days=45))
    with django_assert_num_queries(4):
        long = region_trends(region_code="64.71", day=today)
    assert len(long.days) == 46


def _svg(chart) -> ET.Element:
    html = render_to_string("briefing/_chart.html", {"chart": chart})
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    return ET.fromstring(html[start:end])  # valid XML, or this raises


def test_charts_are_valid_svg_with_their_figures_in_words(today):
    translation.activate("id")
    trends = region_trends(region_code="64.71", day=today)
    tps, logistics, incidents = trend_charts(trends)

    svg = _svg(tps)
    assert svg.get("role") == "img"
    assert svg.get("viewBox") == "0 0 480 260" and svg.get("width") == "100%"
    assert svg.find(f"{SVG}title").text == "TPS siap per hari"
    label = svg.get("aria-label")
    assert "50,0%" in label and "16,7%" in label  # Indonesian decimals
    assert svg.find(f"{SVG}desc").text == label
    assert "Tanpa data" in label
    # One marker per day with a figure, each with its own tooltip.
    markers = svg.findall(f".//{SVG}circle")
    assert len(markers) == 3
    assert markers[-1].find(f"{SVG}title").text.endswith(": 50,0%")
    # Coordinates stay SVG numbers even though the page is localised.
    assert all("," not in circle.get("cx") for circle in markers)

    assert "37,5%" in _svg(logistics).get("aria-label")

    bars = _svg(incidents)
    label = bars.get("aria-label")
    assert "jumlah 3" in label and "Hoaks/disinformasi 2" in label
    assert len(bars.findall(f".//{SVG}rect")) == 2


def test_dates_are_indonesian(tree):
    translation.activate("id")
    day = dt.date(2024, 8, 17)
    Contest.objects.update(
        voting_day=day, reporting_start=day - dt.timedelta(days=30), reporting_end=day
    )
    chart = trend_charts(region_trends(region_code="64.71", day=day))[0]
    assert chart.x_ticks[-1].label == "17 Agu"
    assert "18 Jul – 17 Agu 2024" in chart.summary
    assert chart.marker_x == chart.x_ticks[-1].position  # voting day marked


def test_an_empty_period_says_so(tree):
    translation.activate("id")
    chart = incident_chart(region_trends(region_code="64.72", day=local_today("64")), key="x")
    assert chart.is_empty and "tidak ada insiden" in chart.summary
    assert "Belum ada data" in render_to_string("briefing/_chart.html", {"chart": chart})


def test_charts_fragment_renders_three_figures_for_a_dashboard(tree, today):
    from briefing.selectors import region_dashboard

    dashboard = region_dashboard(region=tree["64.71"], day=today)
    trends = region_trends(region_code="64.71", day=today)
    html = render_to_string("briefing/_charts.html", {"dashboard": dashboard, "trends": trends})
    assert html.count("<svg") == 3 and html.count('role="img"') == 3
    assert "https://" not in html and "<script" not in html
