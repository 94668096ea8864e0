import datetime as dt
import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import IndicatorRollup
from logistics.models import LogisticsRollup
from readiness.models import Contest, ContestKind, DailyReport, DailyRollup, Role
from readiness.rollups import rollup_rebuild_day, rollup_region_and_ancestors
from security.models import IncidentRollup, PersonnelRollup

from ..factories import ContestFactory, DailyReportFactory, UserFactory

DAY = dt.date(2024, 11, 23)


@pytest.fixture(autouse=True)
def _contests_cover_day(pilkada_2024):
    """DAY is H-4 of the 2024 Pilkada: the tree's contests are moved onto that calendar."""


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
            rollup.kecamatan_expected,
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


def test_one_submission_rolls_its_chain_up_in_one_pass(reports):
    """The kecamatan, its kab/kota and its province are recomputed together: each source query
    and each upsert runs once for the chain, not once per level (readiness.rollups.Targets)."""
    with CaptureQueriesContext(connection) as captured:
        rollup_region_and_ancestors(region_code="64.71.06", day=DAY)
    statements = [query["sql"].strip() for query in captured.captured_queries]
    writes = Counter(
        table for sql in statements for table in re.findall(r'^INSERT INTO "?(\w+)"?', sql)
    )
    assert writes["readiness_dailyrollup"] == 1
    assert all(count == 1 for count in writes.values()), writes
    tps_reads = [sql for sql in statements if re.search(r'FROM "?readiness_tps"?\s', sql)]
    assert len(tps_reads) == 3  # readiness, logistics, personnel: once each, not per level
    # 39 with savepoints; one call per level and section ran about three times as many.
    assert len(statements) <= 40, len(statements)
    assert set(figures()) == {"64.71.06", "64.71", "64"}


def test_an_incident_at_a_desa_rolls_up_its_kecamatan_and_above_only(reports):
    """Desa have no rollups: a change placed at a desa recomputes the chain above it."""
    rollup_region_and_ancestors(region_code="64.71.06.1001", day=DAY)
    assert set(figures()) == {"64.71.06", "64.71", "64"}
    for model in (LogisticsRollup, PersonnelRollup, IncidentRollup, IndicatorRollup):
        assert not model.objects.filter(region_id="64.71.06.1001").exists(), model


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


def test_only_desks_under_a_contest_in_its_period_are_expected(tree):
    """Coverage counts the desks a contest expects that day: here only Balikpapan (64.71) holds
    an election reporting on DAY, so Samarinda's kecamatan and desk owe nothing."""
    officer = UserFactory(role=Role.OFFICER, region=tree["64.71.06"])
    voting_day = dt.date(2024, 11, 27)
    Contest.objects.filter(voting_day=voting_day).delete()  # the module's all-covering ones
    ContestFactory(
        region=tree["64.71"],
        kind=ContestKind.MAYOR,
        voting_day=voting_day,
        reporting_start=voting_day - dt.timedelta(days=30),
        reporting_end=voting_day + dt.timedelta(days=7),
    )
    DailyReportFactory(region=tree["64.71.06"], day=DAY, is_late=True, submitted_by=officer)
    DailyReportFactory(region=tree["64.72.01"], day=DAY, submitted_by=officer)
    rollup_rebuild_day(day=DAY)

    def coverage(code):
        row = DailyRollup.objects.get(region_id=code, day=DAY)
        return (
            row.kecamatan_expected,
            row.kecamatan_reported,
            row.kecamatan_late,
            row.kabkota_expected,
            row.kabkota_reported,
        )

    assert coverage("64") == (2, 1, 1, 1, 0)
    assert coverage("64.71") == (2, 1, 1, 1, 0)
    assert coverage("64.72") == (0, 0, 0, 0, 0)  # its report exists but nothing is owed
    # The incremental path agrees.
    before = {code: coverage(code) for code in ("64", "64.71", "64.72")}
    DailyRollup.objects.all().delete()
    rollup_region_and_ancestors(region_code="64.71.06", day=DAY)
    rollup_region_and_ancestors(region_code="64.72.01", day=DAY)
    assert {code: coverage(code) for code in ("64", "64.71", "64.72")} == before
    # A day outside every reporting period expects no one.
    rollup_rebuild_day(day=voting_day + dt.timedelta(days=8))
    assert (
        DailyRollup.objects.get(
            region_id="64", day=voting_day + dt.timedelta(days=8)
        ).kecamatan_expected
        == 0
    )


def test_the_api_names_the_missing_desks(client, tree):
    # The module's 2024 contests: a governor for 64 and mayors for both kota.
    officer = UserFactory(role=Role.OFFICER, region=tree["64.71"])
    DailyReportFactory(region=tree["64.71"], day=DAY, is_late=True, submitted_by=officer)
    rollup_rebuild_day(day=DAY)
    client.force_login(UserFactory(role=Role.VIEWER, region=tree["64"]))
    body = client.get(f"/api/v1/rollups/64/?date={DAY:%Y-%m-%d}").json()
    assert body["coverage"] == {
        "children_expected": 2,
        "children_reported": 1,
        "children_on_time": 0,
        "children_late": 1,
        "children_missing": [{"code": "64.72", "name": tree["64.72"].name}],
    }
    assert body["figures"]["kabkota_missing"] == 1
    assert body["figures"]["kecamatan_missing"] == 3


def test_a_correction_of_an_earlier_day_reaches_todays_stock_figures(
    officer, tree, django_capture_on_commit_callbacks
):
    """Yesterday's report is today's figure until the desk reports again: returning it (so it no
    longer counts) must change today's rollup too, not only yesterday's."""
    from readiness import services
    from readiness.models import RollupPending
    from readiness.selectors import local_today

    today = local_today("64")
    yesterday = today - dt.timedelta(days=1)
    kabkota_officer = UserFactory(role=Role.OFFICER, region=tree["64.71"])
    with django_capture_on_commit_callbacks(execute=True):
        report = services.daily_report_submit(
            officer=officer, region=tree["64.71.06"], day=yesterday, data={"no_incidents": True}
        )
    assert DailyRollup.objects.get(region_id="64.71.06", day=today).kecamatan_stale == 1

    with django_capture_on_commit_callbacks(execute=False) as published:
        services.daily_report_return(
            reviewer=kabkota_officer, report=report, reason="Angka TPS belum sesuai."
        )
    owed = set(RollupPending.objects.values_list("day", flat=True))
    assert {yesterday, today} <= owed and len(published) == 2
    for callback in published:
        callback()
    assert DailyRollup.objects.get(region_id="64.71.06", day=today).kecamatan_stale == 0


# A submission once the day is rolled up everywhere: upper regions added up from stored rows.

ROLLUP_MODELS = (DailyRollup, LogisticsRollup, PersonnelRollup, IncidentRollup, IndicatorRollup)


def every_rollup_row():
    """Every figure of every rollup table on DAY (computed_at aside: it says when)."""
    rows = {}
    for model in ROLLUP_MODELS:
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if field.attname not in ("id", "computed_at")
        ]
        rows[model.__name__] = sorted(model.objects.filter(day=DAY).values_list(*fields))
    return rows


def tps_reads_of_chain(region_code):
    with CaptureQueriesContext(connection) as captured:
        rollup_region_and_ancestors(region_code=region_code, day=DAY)
    return [
        query["sql"]
        for query in captured.captured_queries
        if re.search(r'FROM "?readiness_tps"?\s', query["sql"])
    ]


def test_once_the_day_is_rolled_up_a_chain_adds_up_its_childrens_stored_rows(reports):
    """The kab/kota and the province are their own desk's share plus their children's stored
    rows: the chain reads the registry of its kecamatan only, and writes what a rebuild does."""
    rollup_rebuild_day(day=DAY)
    DailyRollup.objects.filter(region_id__in=["64", "64.71"]).update(tps_ready=99)
    report = DailyReport.objects.get(region_id="64.71.06", day=DAY)
    report.tps_ready, report.tps_problem = 5, 1
    report.save()

    reads = tps_reads_of_chain("64.71.06")

    assert len(reads) == 3  # readiness, logistics, personnel
    # Filters, that is, not the grouping of what is read (a CASE … END).
    filters = [re.sub(r"CASE .*? END", "", sql, flags=re.S) for sql in reads]
    assert all("64.71.06.%" in sql for sql in filters), filters
    assert not any(re.search(r"'64\.(71\.)?%'", sql) for sql in filters), filters
    assert figures()["64"] == (7, 14, 2, 3, False)
    assert figures()["64.71"] == (7, 12, 2, 2, True)
    chained = every_rollup_row()
    rollup_rebuild_day(day=DAY)
    assert every_rollup_row() == chained


def test_a_chain_reads_its_subtree_when_a_child_is_inactive_or_not_rolled_up(reports, tree):
    """What lies under an inactive kab/kota counts in the province, yet it has no rows to add
    up; a child never rolled up that day has none either: the province is read from source."""
    rollup_rebuild_day(day=DAY)
    DailyRollup.objects.filter(region_id="64.72").delete()
    assert all("'64.%'" in sql for sql in tps_reads_of_chain("64.71.06"))
    assert figures()["64"] == (6, 14, 2, 3, False)

    tree["64.72"].is_active = False
    tree["64.72"].save()
    rollup_rebuild_day(day=DAY)
    assert all("'64.%'" in sql for sql in tps_reads_of_chain("64.71.06"))
    assert figures()["64"] == (6, 14, 2, 3, False)  # 64.72.01's TPS still count


def test_a_child_without_a_row_for_an_active_item_makes_the_section_read_from_source(reports, tree):
    """A logistics item added since the children were rolled up: logistics reads the whole
    subtree (the other sections still add up)."""
    rollup_rebuild_day(day=DAY)
    before = every_rollup_row()
    LogisticsRollup.objects.filter(region_id="64.72").delete()
    rollup_region_and_ancestors(region_code="64.71.06", day=DAY)
    after = every_rollup_row()
    assert after["LogisticsRollup"] == [
        row for row in before["LogisticsRollup"] if row[0] != "64.72"
    ]
    assert after == {**before, "LogisticsRollup": after["LogisticsRollup"]}
