import datetime as dt

import pytest

from readiness.models import DailyRollup, Role
from readiness.rollups import rollup_rebuild_day, rollup_region_and_ancestors

from ..factories import DailyReportFactory, UserFactory

DAY = dt.date(2024, 11, 23)


@pytest.fixture
def reports(tree):
    officer = UserFactory(role=Role.OFFICER, region=tree["64.71.06"])
    DailyReportFactory(region=tree["64.71.06"], day=DAY, tps_ready=4, submitted_by=officer)
    DailyReportFactory(region=tree["64.71.01"], day=DAY, tps_ready=2, submitted_by=officer)
    DailyReportFactory(
        region=tree["64.71.01"], day=DAY - dt.timedelta(days=1), tps_ready=6, submitted_by=officer
    )
    DailyReportFactory(region=tree["64.71"], day=DAY, note="kab/kota", submitted_by=officer)


def figures():
    return {
        rollup.region_id: (
            rollup.tps_ready,
            rollup.tps_total,
            rollup.kecamatan_reported,
            rollup.kecamatan_total,
            rollup.has_own_report,
        )
        for rollup in DailyRollup.objects.filter(day=DAY)
    }


def test_rollup_sums_kecamatan_reports_of_the_day(reports):
    rollup_region_and_ancestors(region_code="64.71.06", day=DAY)
    assert figures() == {
        "64.71.06": (4, 6, 1, 1, True),
        "64.71": (6, 12, 2, 2, True),
        "64": (6, 14, 2, 3, False),
    }


def test_running_twice_changes_nothing(reports):
    rollup_region_and_ancestors(region_code="64.71.06", day=DAY)
    first = figures()
    rollup_region_and_ancestors(region_code="64.71.06", day=DAY)
    assert figures() == first
    assert DailyRollup.objects.filter(day=DAY).count() == 3


def test_full_rebuild_agrees_with_incremental_rollups(reports):
    rollup_region_and_ancestors(region_code="64.71.06", day=DAY)
    rollup_region_and_ancestors(region_code="64.71.01", day=DAY)
    incremental = figures()

    DailyRollup.objects.all().delete()
    written = rollup_rebuild_day(day=DAY)

    rebuilt = figures()
    assert written == 6  # 3 kecamatan, 2 kota, 1 province
    assert {code: rebuilt[code] for code in incremental} == incremental
    assert rebuilt["64.72"] == (0, 2, 0, 1, False)


def test_late_reports_are_counted_next_to_the_totals(tree):
    officer = UserFactory(role=Role.OFFICER, region=tree["64.71.06"])
    DailyReportFactory(
        region=tree["64.71.06"], day=DAY, tps_ready=1, is_late=True, submitted_by=officer
    )
    DailyReportFactory(region=tree["64.71.01"], day=DAY, tps_ready=1, submitted_by=officer)
    DailyReportFactory(region=tree["64.71"], day=DAY, is_late=True, submitted_by=officer)

    rollup_region_and_ancestors(region_code="64.71.06", day=DAY)
    incremental = {
        row.region_id: (row.kecamatan_reported, row.kecamatan_late, row.own_report_late)
        for row in DailyRollup.objects.filter(day=DAY)
    }
    DailyRollup.objects.all().delete()
    rollup_rebuild_day(day=DAY)
    rebuilt = {
        row.region_id: (row.kecamatan_reported, row.kecamatan_late, row.own_report_late)
        for row in DailyRollup.objects.filter(day=DAY, region_id__in=incremental)
    }
    assert (
        incremental
        == rebuilt
        == {
            "64.71.06": (1, 1, True),
            "64.71": (2, 1, True),
            "64": (2, 1, False),
        }
    )


def test_a_kecamatan_that_has_not_reported_today_counts_with_its_latest_figures(client, tree):
    officer = UserFactory(role=Role.OFFICER, region=tree["64.71.06"])
    yesterday = DAY - dt.timedelta(days=1)
    DailyReportFactory(
        region=tree["64.71.06"],
        day=yesterday - dt.timedelta(days=1),
        tps_ready=1,
        submitted_by=officer,
    )
    DailyReportFactory(region=tree["64.71.06"], day=yesterday, tps_ready=4, submitted_by=officer)
    DailyReportFactory(region=tree["64.71.01"], day=DAY, tps_ready=2, submitted_by=officer)
    # A returned report of the day is disputed: the latest counted figures stand.
    DailyReportFactory(
        region=tree["64.71.06"], day=DAY, tps_ready=6, status="returned", submitted_by=officer
    )

    rollup_rebuild_day(day=DAY)
    city = DailyRollup.objects.get(region_id="64.71", day=DAY)
    assert (
        city.tps_ready,
        city.kecamatan_reported,
        city.kecamatan_stale,
        city.oldest_figure_day,
    ) == (
        6,
        1,
        1,
        yesterday,
    )
    # A report in the future of the day never counts.
    rollup_rebuild_day(day=yesterday)
    assert DailyRollup.objects.get(region_id="64.71", day=yesterday).tps_ready == 4
