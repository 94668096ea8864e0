"""Personnel and incident rollups: stock personnel, incident flows by local day, the hooks of the
rollup engine, and what filing or closing an incident owes the engine."""

import datetime as dt
import zoneinfo
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from readiness import codes, sections
from readiness import rollups as readiness_rollups
from readiness.models import (
    TPS,
    DailyReport,
    Region,
    ReportStatus,
    Role,
    RollupPending,
    User,
    Vulnerability,
)
from readiness.rollups import rollup_region_and_ancestors
from readiness.selectors import local_today
from security import services
from security.models import (
    Incident,
    IncidentCategory,
    IncidentRollup,
    IncidentStatus,
    IncidentUpdate,
    PersonnelCategory,
    PersonnelLine,
    PersonnelRollup,
    Severity,
)
from security.rollups import (
    PERSONNEL_FIGURES,
    incident_rollup,
    incident_rollup_figures,
    personnel_rollup,
    personnel_rollup_figures,
)
from security.selectors import (
    incident_counts_by_day,
    incident_rollup_rows,
    personnel_required,
    personnel_rollup_rows,
)

from ..factories import DailyReportFactory, RegionFactory, regions_bulk_create
from ..rollup_checks import assert_chains_add_up_stored_children
from .conftest import file_incident, local, make_incident

DAY = dt.date(2024, 11, 23)
CHAIN = {1: ["64"], 2: ["64.71"], 3: ["64.71.06"]}
ALL = {1: ["64"], 2: ["64.71", "64.72"], 3: ["64.71.01", "64.71.06", "64.72.01"]}


def rollup_all(day, levels=ALL):
    for level in (3, 2, 1):
        personnel_rollup(region_codes=levels[level], day=day)
        incident_rollup(region_codes=levels[level], day=day)


def report(officer, code, day, status=ReportStatus.SUBMITTED, **lines):
    """A report of `code` for `day` with personnel lines {category: ready or (ready, sick, absent)}."""
    made = DailyReportFactory(region_id=code, day=day, status=status, submitted_by=officer)
    for category, figures in lines.items():
        ready, sick, absent = figures if isinstance(figures, tuple) else (figures, 0, 0)
        PersonnelLine.objects.create(
            report=made,
            category=PersonnelCategory.objects.get(code=category.replace("_", "-")),
            ready=ready,
            unavailable_sick=sick,
            unavailable_absent=absent,
        )
    return made


def personnel(code, day, category):
    row = PersonnelRollup.objects.get(region_id=code, day=day, category__code=category)
    return (
        row.required,
        row.ready,
        row.unavailable_sick,
        row.unavailable_absent,
        row.units_reporting,
        row.stale_units,
    )


def incidents(code, day):
    """{(category, severity): (occurred, open_at_end)} of a region-day."""
    return {
        (row.category.code, row.severity): (row.occurred, row.open_at_end)
        for row in IncidentRollup.objects.filter(region_id=code, day=day).select_related("category")
    }


def all_rows():
    personnel_rows = set(
        PersonnelRollup.objects.values_list(
            "region_id", "day", "category_id", "required", "ready", "units_reporting"
        )
    )
    incident_rows = set(
        IncidentRollup.objects.values_list(
            "region_id", "day", "category_id", "severity", "occurred", "open_at_end"
        )
    )
    return personnel_rows, incident_rows


# Personnel -----------------------------------------------------------------------------------


def test_personnel_sums_the_latest_counted_lines_of_the_kecamatan_desks(officer, tree):
    report(officer, "64.71.06", DAY, kpps=(40, 1, 1), ppk=5)
    report(officer, "64.71.01", DAY, kpps=30)
    report(officer, "64.72.01", DAY - dt.timedelta(days=1), kpps=(14, 0, 2))
    rollup_all(DAY)

    # 6 TPS × 7 KPPS in 64.71.06, 12 TPS in 64.71, 14 in the province.
    assert personnel("64.71.06", DAY, "kpps") == (42, 40, 1, 1, 1, 0)
    assert personnel("64.71", DAY, "kpps") == (84, 70, 1, 1, 2, 0)
    assert personnel("64", DAY, "kpps") == (98, 84, 1, 3, 3, 1)
    # 64.71.01 said nothing of PPK: it contributes nothing there.
    assert personnel("64.71", DAY, "ppk") == (10, 5, 0, 0, 1, 0)
    assert personnel("64.72", DAY, "ppk") == (5, 0, 0, 0, 0, 0)


def test_every_active_category_has_a_row_for_every_region(tree):
    rollup_all(DAY)
    categories = PersonnelCategory.objects.filter(is_active=True).count()
    assert PersonnelRollup.objects.count() == 6 * categories


def test_stale_figures_stand_until_a_newer_report_counts(officer, tree):
    report(officer, "64.71.06", DAY - dt.timedelta(days=2), kpps=35)
    report(officer, "64.71.06", DAY - dt.timedelta(days=1), kpps=40)
    rollup_all(DAY)
    assert personnel("64.71.06", DAY, "kpps") == (42, 40, 0, 0, 1, 1)
    assert personnel("64", DAY, "kpps")[1:] == (40, 0, 0, 1, 1)

    report(officer, "64.71.06", DAY, kpps=41)
    rollup_all(DAY)
    assert personnel("64.71.06", DAY, "kpps") == (42, 41, 0, 0, 1, 0)
    # The day before still shows the figures of that day.
    rollup_all(DAY - dt.timedelta(days=1))
    assert personnel("64.71.06", DAY - dt.timedelta(days=1), "kpps")[1] == 40


@pytest.mark.parametrize("status", [ReportStatus.RETURNED, ReportStatus.DRAFT])
def test_a_returned_or_draft_report_does_not_count(officer, tree, status):
    report(officer, "64.71.06", DAY - dt.timedelta(days=1), kpps=40)
    report(officer, "64.71.06", DAY, status=status, kpps=10)
    rollup_all(DAY)
    # The earlier counted report stands, as stale figures.
    assert personnel("64.71.06", DAY, "kpps") == (42, 40, 0, 0, 1, 1)


def test_upper_desks_own_lines_are_not_added(officer, tree):
    """A kab/kota or province desk states its whole subtree again: adding it counts twice."""
    report(officer, "64.71.06", DAY, kpps=40)
    report(officer, "64.71", DAY, kpps=80)
    report(officer, "64", DAY, kpps=95)
    rollup_all(DAY)
    assert personnel("64.71", DAY, "kpps")[1] == 40
    assert personnel("64", DAY, "kpps")[1] == 40


def test_required_follows_the_norms_by_vulnerability_class(vulnerable_tree):
    rollup_all(DAY)
    # Polri 1/2/2 and TNI 0/1/2: 64.71.06 has 4 kurang rawan, 1 rawan, 1 sangat rawan TPS.
    assert personnel("64.71.06", DAY, "polri")[0] == 4 + 2 + 2
    assert personnel("64.71.06", DAY, "tni")[0] == 1 + 2
    assert personnel("64", DAY, "polri")[0] == 12 + 2 + 2


def test_a_deactivated_category_loses_its_rows(officer, tree):
    rollup_all(DAY)
    PersonnelCategory.objects.filter(code="bpbd").update(is_active=False)
    rollup_all(DAY)
    assert not PersonnelRollup.objects.filter(category__code="bpbd").exists()
    assert PersonnelRollup.objects.filter(category__code="kpps").count() == 6


def test_personnel_figures_and_rows_for_the_dashboards(officer, tree):
    report(officer, "64.71.06", DAY, kpps=(21, 1, 0))
    rollup_all(DAY)

    figures = personnel_rollup_figures(region_codes=["64.71.06", "64.72"], day=DAY)
    assert figures["64.71.06"]["kpps.required"] == 42
    assert figures["64.71.06"]["kpps.ready"] == 21
    assert figures["64.71.06"]["kpps.unavailable_sick"] == 1
    assert figures["64.72"]["kpps.ready"] == 0

    rows = personnel_rollup_rows(region_codes=["64.71.06", "64.74"], day=DAY)
    assert rows["64.74"] == []  # never rolled up
    kpps = next(row for row in rows["64.71.06"] if row.category.code == "kpps")
    assert kpps.coverage_percent == 50
    assert (
        next(row for row in rows["64.71.06"] if row.category.code == "bpbd").coverage_percent
        is None
    )
    assert [row.category.sort for row in rows["64.71.06"]] == sorted(
        row.category.sort for row in rows["64.71.06"]
    )


# Incidents -----------------------------------------------------------------------------------


def test_an_incident_counts_on_its_local_day(officer, tree):
    """23:30 WITA is still the day (15:30 UTC); 00:30 WITA is the next (16:30 UTC the day)."""
    make_incident(officer, "64.71.06.1001", local(DAY, 23, 30))
    make_incident(officer, "64.71.06", local(DAY + dt.timedelta(days=1), 0, 30))
    rollup_all(DAY)
    rollup_all(DAY + dt.timedelta(days=1))

    for code in ("64.71.06", "64.71", "64"):
        assert incidents(code, DAY) == {("hoaks", Severity.LOW): (1, 1)}
        assert incidents(code, DAY + dt.timedelta(days=1)) == {("hoaks", Severity.LOW): (1, 2)}
    assert incidents("64.71.01", DAY) == {}
    assert incidents("64.72", DAY) == {}


def test_closing_an_incident_changes_open_at_end_from_that_day_on(officer, tree):
    incident = make_incident(officer, "64.71.06", local(DAY - dt.timedelta(days=2), 10))
    IncidentUpdate.objects.create(
        incident=incident,
        status_to=IncidentStatus.REPORTED,
        by=officer,
        at=local(DAY - dt.timedelta(days=2), 11),
    )
    IncidentUpdate.objects.create(
        incident=incident,
        status_from=IncidentStatus.REPORTED,
        status_to=IncidentStatus.VERIFIED,
        by=officer,
        at=local(DAY - dt.timedelta(days=1), 9),
    )
    IncidentUpdate.objects.create(
        incident=incident,
        status_from=IncidentStatus.VERIFIED,
        status_to=IncidentStatus.CLOSED,
        by=officer,
        at=local(DAY - dt.timedelta(days=1), 23, 59),
    )
    for back in (3, 2, 1, 0):
        rollup_all(DAY - dt.timedelta(days=back))

    key = ("hoaks", Severity.LOW)
    assert incidents("64.71", DAY - dt.timedelta(days=3)) == {}
    assert incidents("64.71", DAY - dt.timedelta(days=2)) == {key: (1, 1)}
    # Closed at 23:59 that day: not open at its end, and not counted again as occurred.
    assert incidents("64.71", DAY - dt.timedelta(days=1)) == {}
    assert incidents("64.71", DAY) == {}


def test_closing_through_the_service_shows_in_todays_rollup(officer, tree):
    today = local_today("64.71.06")
    incident = file_incident(officer, tree["64.71.06"], occurred_at=timezone.now())
    rollup_all(today)
    assert incidents("64.71.06", today) == {("hoaks", Severity.LOW): (1, 1)}

    services.incident_update_status(
        user=officer, incident=incident, status=IncidentStatus.CLOSED, note="Hoaks diklarifikasi."
    )
    rollup_all(today)
    assert incidents("64.71.06", today) == {("hoaks", Severity.LOW): (1, 0)}


def test_rows_that_fall_to_zero_are_deleted(officer, tree):
    incident = make_incident(officer, "64.71.06", local(DAY, 10), severity=Severity.HIGH)
    rollup_all(DAY)
    assert incidents("64", DAY) == {("hoaks", Severity.HIGH): (1, 1)}

    incident.severity = Severity.CRITICAL
    incident.save()
    rollup_all(DAY)
    assert incidents("64", DAY) == {("hoaks", Severity.CRITICAL): (1, 1)}

    incident.delete()
    rollup_all(DAY)
    assert not IncidentRollup.objects.exists()


def test_incidents_of_another_zone_count_on_their_own_local_day(officer, tree):
    """Sawahlunto (WIB) and Balikpapan (WITA) rolled up together: each by its own clock."""
    for code in ("13", "13.73", "13.73.01", "13.73.01.2001"):
        RegionFactory(code=code)
    # 23:30 WIB is 00:30 WITA of the next day: still the day in Sumatera Barat.
    make_incident(officer, "13.73.01", dt.datetime.combine(DAY, dt.time(16, 30), tzinfo=dt.UTC))
    make_incident(officer, "64.71.06", dt.datetime.combine(DAY, dt.time(16, 30), tzinfo=dt.UTC))
    incident_rollup(region_codes=["13.73.01", "64.71.06"], day=DAY)
    incident_rollup(region_codes=["13", "64"], day=DAY)
    assert incidents("13.73.01", DAY) == {("hoaks", Severity.LOW): (1, 1)}
    assert incidents("13", DAY) == {("hoaks", Severity.LOW): (1, 1)}
    assert incidents("64.71.06", DAY) == {}
    assert incidents("64", DAY) == {}


def test_incident_figures_and_rows_for_the_dashboards(officer, tree):
    politik_uang = IncidentCategory.objects.get(code="politik-uang")
    make_incident(officer, "64.71.06", local(DAY, 8))
    make_incident(officer, "64.71.01", local(DAY, 9), category=politik_uang, severity="tinggi")
    make_incident(officer, "64.71.01", local(DAY - dt.timedelta(days=1), 9))
    for day in (DAY - dt.timedelta(days=1), DAY):
        rollup_all(day)

    figures = incident_rollup_figures(region_codes=["64.71", "64.72"], day=DAY)
    assert figures["64.71"]["occurred"] == 2
    assert figures["64.71"]["open"] == 3
    assert figures["64.71"]["occurred.hoaks"] == 1
    assert figures["64.71"]["occurred.politik-uang"] == 1
    assert figures["64.71"]["open.rendah"] == 2
    assert figures["64.71"]["open.kritis"] == 0
    assert figures["64.72"] == {name: 0 for name in figures["64.72"]}
    assert "occurred.kekerasan" in figures["64.72"]

    summary = incident_rollup_rows(region_codes=["64.71", "64.72"], day=DAY)
    assert summary["64.71"].open_by_severity == {"info": 0, "rendah": 2, "tinggi": 1, "kritis": 0}
    assert [(c.code, n) for c, n in summary["64.71"].occurred_by_category] == [
        ("hoaks", 1),
        ("politik-uang", 1),
    ]
    assert (summary["64.71"].occurred_total, summary["64.71"].open_total) == (2, 3)
    assert summary["64.72"].occurred_by_category == []

    days = [DAY - dt.timedelta(days=back) for back in (2, 1, 0)]
    trend = incident_counts_by_day(region_code="64.71", days=days)
    assert [(series.category.code, series.counts) for series in trend] == [
        ("hoaks", [0, 1, 1]),
        ("politik-uang", [0, 0, 1]),
    ]


def test_section_figures_reach_the_engine_through_the_registry(officer, tree):
    report(officer, "64.71.06", DAY, kpps=40)
    make_incident(officer, "64.71.06", local(DAY, 8))
    # Only this app's sections: the others are tested in their own apps.
    for section in sections.registered():
        if section.key in ("personnel", "incidents"):
            section.rollup(region_codes=["64.71.06"], day=DAY)
    merged = sections.section_rollup_figures(region_codes=["64.71.06"], day=DAY)
    assert merged["64.71.06"]["personnel.kpps.ready"] == 40
    assert merged["64.71.06"]["incidents.occurred.hoaks"] == 1


# Enqueueing ----------------------------------------------------------------------------------


def test_reporting_an_incident_owes_a_rollup_of_its_local_day(
    officer, tree, django_capture_on_commit_callbacks
):
    today = local_today("64.71.06")
    with django_capture_on_commit_callbacks() as callbacks:
        incident = file_incident(officer, tree["64.71.06"], occurred_at=timezone.now())
    assert RollupPending.objects.filter(region_id=incident.region_id, day=today).exists()
    assert callbacks  # the task is published after commit


def test_a_late_incident_owes_every_day_from_its_occurrence_to_today(
    officer, tree, django_capture_on_commit_callbacks
):
    today = local_today("64.71.06")
    occurred_at = local(today - dt.timedelta(days=2), 22)
    with django_capture_on_commit_callbacks():
        file_incident(officer, tree["64.71.06.1001"], occurred_at=occurred_at)
    assert set(
        RollupPending.objects.filter(region_id="64.71.06.1001").values_list("day", flat=True)
    ) == {today - dt.timedelta(days=back) for back in (2, 1, 0)}


def test_a_status_change_owes_todays_rollup_and_a_note_owes_nothing(
    officer, tree, django_capture_on_commit_callbacks
):
    today = local_today("64.71.06")
    incident = file_incident(officer, tree["64.71.06"], occurred_at=timezone.now())
    RollupPending.objects.all().delete()

    with django_capture_on_commit_callbacks():
        services.incident_update_status(
            user=officer, incident=incident, status=IncidentStatus.REPORTED, note="Dipantau."
        )
    assert not RollupPending.objects.exists()

    with django_capture_on_commit_callbacks():
        services.incident_update_status(
            user=officer, incident=incident, status=IncidentStatus.VERIFIED, note=""
        )
    assert list(RollupPending.objects.values_list("region_id", "day")) == [("64.71.06", today)]


def test_filing_and_closing_reach_the_rollup_through_the_engine(
    officer, tree, django_capture_on_commit_callbacks
):
    today = local_today("64.71.06")
    with django_capture_on_commit_callbacks(execute=True):
        incident = file_incident(officer, tree["64.71.06"], occurred_at=timezone.now())
    assert incidents("64", today) == {("hoaks", Severity.LOW): (1, 1)}
    assert not RollupPending.objects.exists()  # paid by the (eager) task

    with django_capture_on_commit_callbacks(execute=True):
        services.incident_update_status(
            user=officer, incident=incident, status=IncidentStatus.CLOSED, note="Selesai."
        )
    assert incidents("64", today) == {("hoaks", Severity.LOW): (1, 0)}


def test_the_engine_rolls_up_personnel_of_the_chain(officer, tree):
    report(officer, "64.71.06", DAY, kpps=40)
    rollup_region_and_ancestors(region_code="64.71.06", day=DAY)
    assert personnel("64.71.06", DAY, "kpps")[1] == 40
    assert personnel("64.71", DAY, "kpps")[1] == 40
    assert personnel("64", DAY, "kpps")[1] == 40


# Idempotence and cost ------------------------------------------------------------------------


def test_running_twice_gives_the_same_rows(officer, tree):
    report(officer, "64.71.06", DAY, kpps=40)
    report(officer, "64.72.01", DAY - dt.timedelta(days=1), linmas=4)
    make_incident(officer, "64.71.06", local(DAY, 8))
    make_incident(officer, "64.72.01.1001", local(DAY - dt.timedelta(days=1), 8))
    rollup_all(DAY)
    first = all_rows()
    rollup_all(DAY)
    assert all_rows() == first
    assert PersonnelRollup.objects.filter(day=DAY).count() == 6 * PersonnelCategory.objects.count()


def country(kecamatan_count):
    """`kecamatan_count` more kecamatan in province 64, over 3 kabupaten, each with a desa of
    2 TPS: {level: [codes]} of what they add."""
    codes_by_level = {1: ["64"], 2: [], 3: []}
    for index in range(kecamatan_count):
        kab = f"64.{index % 3 + 1:02d}"
        kec = f"{kab}.{index // 3 + 1:02d}"
        desa = f"{kec}.2001"
        for code in (kab, kec, desa):
            RegionFactory(code=code)
        if kab not in codes_by_level[2]:
            codes_by_level[2].append(kab)
        codes_by_level[3].append(kec)
        TPS.objects.bulk_create(
            TPS(desa_id=desa, number=n, vulnerability=Vulnerability.VULNERABLE) for n in (1, 2)
        )
    return codes_by_level


def reads_and_writes(run):
    """(statements other than the upsert's INSERTs, INSERT batches) that `run` issues. SQLite
    limits a statement to 999 parameters, so there an upsert of many rows takes several
    batches; that is the only part allowed to grow with the regions."""
    with CaptureQueriesContext(connection) as captured:
        run()
    inserts = [q for q in captured.captured_queries if q["sql"].lstrip().startswith("INSERT")]
    return len(captured.captured_queries) - len(inserts), len(inserts)


@pytest.mark.parametrize("kecamatan_count", [3, 30, 60])
def test_query_count_does_not_grow_with_the_regions(
    officer, kecamatan_count, django_assert_max_num_queries
):
    levels = country(kecamatan_count)
    for index, kec in enumerate(levels[3]):
        report(officer, kec, DAY - dt.timedelta(days=index % 2), kpps=14, polri=index % 5)
        make_incident(officer, f"{kec}.2001", local(DAY, index % 24))

    one_batch = connection.vendor == "postgresql"
    for level in (3, 2, 1):
        reads, inserts = reads_and_writes(
            lambda level=level: personnel_rollup(region_codes=levels[level], day=DAY)
        )
        assert reads <= 8
        assert inserts == 1 or not one_batch
        reads, inserts = reads_and_writes(
            lambda level=level: incident_rollup(region_codes=levels[level], day=DAY)
        )
        assert reads <= 6
        assert inserts == 1 or not one_batch
    with django_assert_max_num_queries(2):
        incident_rollup_figures(region_codes=levels[3], day=DAY)
    with django_assert_max_num_queries(1):
        personnel_rollup_figures(region_codes=levels[3], day=DAY)

    # Above 50 regions the prefix filter reads whole provinces: still the same figures as one
    # chain at a time, one level per call or its levels in one call.
    together = all_rows()
    PersonnelRollup.objects.all().delete()
    IncidentRollup.objects.all().delete()
    for kec in levels[3]:
        rollup_all(DAY, {1: ["64"], 2: [kec[:5]], 3: [kec]})
    assert all_rows() == together
    PersonnelRollup.objects.all().delete()
    IncidentRollup.objects.all().delete()
    for kec in levels[3]:
        personnel_rollup(region_codes=["64", kec[:5], kec], day=DAY)
        incident_rollup(region_codes=["64", kec[:5], kec], day=DAY)
    assert all_rows() == together

    # Every level in one call (above 50 finer targets, grouped by the kecamatan prefix): the
    # same rows, in as many statements as one level took.
    PersonnelRollup.objects.all().delete()
    IncidentRollup.objects.all().delete()
    every_level = [*levels[1], *levels[2], *levels[3]]
    reads, inserts = reads_and_writes(lambda: personnel_rollup(region_codes=every_level, day=DAY))
    assert reads <= 8
    assert inserts == 1 or not one_batch
    reads, inserts = reads_and_writes(lambda: incident_rollup(region_codes=every_level, day=DAY))
    assert reads <= 6
    assert inserts == 1 or not one_batch
    assert all_rows() == together
    assert PersonnelRollup.objects.get(region_id="64", day=DAY, category__code="kpps").ready == (
        14 * kecamatan_count
    )
    assert DailyReport.objects.count() == kecamatan_count
    assert Region.objects.filter(level=3).count() >= kecamatan_count


# One call for a submission's chain -----------------------------------------------------------

CHAINS = [["64", "64.71", "64.71.06"], ["64", "64.71", "64.71.01"], ["64", "64.72", "64.72.01"]]
TREE_ROLLED_UP = [code for level in (1, 2, 3) for code in ALL[level]]


def chain_data(officer):
    """Reports and incidents all over the tree: stale, returned and upper desks' reports, and
    incidents placed at a desa, a kecamatan, a kab/kota and the province itself."""
    report(officer, "64.71.06", DAY, kpps=(40, 1, 1), ppk=5)
    report(officer, "64.71.01", DAY - dt.timedelta(days=1), kpps=30, polri=(3, 0, 1))
    report(officer, "64.72.01", DAY - dt.timedelta(days=2), linmas=(4, 1, 0))
    report(officer, "64.72.01", DAY, status=ReportStatus.RETURNED, kpps=12)
    report(officer, "64.71", DAY, kpps=80)
    report(officer, "64", DAY, kpps=95)
    politik_uang = IncidentCategory.objects.get(code="politik-uang")
    make_incident(officer, "64.71.06.1001", local(DAY, 23, 30))
    make_incident(officer, "64.71.06", local(DAY, 7), severity=Severity.HIGH)
    make_incident(officer, "64.71.01", local(DAY, 8), category=politik_uang, severity=Severity.HIGH)
    make_incident(officer, "64.72.01.1001", local(DAY - dt.timedelta(days=1), 9))
    make_incident(officer, "64.71", local(DAY, 10))
    make_incident(officer, "64", local(DAY, 11), severity=Severity.CRITICAL)
    make_incident(officer, "64.71.06", local(DAY + dt.timedelta(days=1), 0, 30))


def rows_of(day=DAY, within=None):
    """Every stored row of the day (all figures, without computed_at), or those of `within`."""
    personnel = {
        row
        for row in PersonnelRollup.objects.filter(day=day).values_list(
            "region_id", "category__code", *PERSONNEL_FIGURES
        )
        if within is None or row[0] in within
    }
    incident_rows = {
        row
        for row in IncidentRollup.objects.filter(day=day).values_list(
            "region_id", "category__code", "severity", "occurred", "open_at_end"
        )
        if within is None or row[0] in within
    }
    return personnel, incident_rows


def test_one_call_for_a_chain_writes_what_one_call_per_level_writes(officer, tree):
    chain_data(officer)
    rollup_all(DAY)  # one level per call, as a rebuild does
    by_level = rows_of()
    assert personnel("64", DAY, "kpps") == (98, 70, 1, 1, 2, 1)
    assert incidents("64", DAY)[("hoaks", Severity.LOW)] == (2, 3)

    for chain in CHAINS:
        for order in (chain, chain[::-1]):
            PersonnelRollup.objects.all().delete()
            IncidentRollup.objects.all().delete()
            personnel_rollup(region_codes=order, day=DAY)
            incident_rollup(region_codes=order, day=DAY)
            assert rows_of() == rows_of_chain(by_level, chain), chain

    # The whole tree, its three levels in one call, and a chain whose kab/kota is not a target.
    PersonnelRollup.objects.all().delete()
    IncidentRollup.objects.all().delete()
    personnel_rollup(region_codes=TREE_ROLLED_UP, day=DAY)
    incident_rollup(region_codes=TREE_ROLLED_UP, day=DAY)
    assert rows_of() == by_level
    PersonnelRollup.objects.all().delete()
    IncidentRollup.objects.all().delete()
    personnel_rollup(region_codes=["64", "64.71.06"], day=DAY)
    incident_rollup(region_codes=["64", "64.71.06"], day=DAY)
    assert rows_of() == rows_of_chain(by_level, ["64", "64.71.06"])


def rows_of_chain(rows, chain):
    return tuple({row for row in part if row[0] in chain} for part in rows)


def test_a_chain_call_replaces_the_rows_of_every_target_and_of_no_other(officer, tree):
    chain_data(officer)
    rollup_all(DAY)
    right = rows_of()
    # Wrong figures everywhere, a combination that no longer occurs and a category made inactive.
    PersonnelRollup.objects.update(ready=999)
    IncidentRollup.objects.update(occurred=99)
    kekerasan = IncidentCategory.objects.get(code="kekerasan")
    IncidentRollup.objects.bulk_create(
        IncidentRollup(
            region_id=code,
            day=DAY,
            category=kekerasan,
            severity=Severity.INFO,
            occurred=1,
            open_at_end=1,
            computed_at=timezone.now() - dt.timedelta(hours=1),
        )
        for code in TREE_ROLLED_UP
    )
    PersonnelCategory.objects.filter(code="bpbd").update(is_active=False)

    chain = CHAINS[0]
    personnel_rollup(region_codes=chain, day=DAY)
    incident_rollup(region_codes=chain, day=DAY)

    without_bpbd = {row for row in right[0] if row[1] != "bpbd"}
    assert rows_of(within=chain) == rows_of_chain((without_bpbd, right[1]), chain)
    for code in TREE_ROLLED_UP:
        if code in chain:
            continue
        assert PersonnelRollup.objects.filter(region_id=code, category__code="bpbd").exists()
        assert set(
            PersonnelRollup.objects.filter(region_id=code).values_list("ready", flat=True)
        ) == {999}
        assert IncidentRollup.objects.filter(region_id=code, category=kekerasan).exists()


def statements(run):
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


@pytest.mark.parametrize("hook", [personnel_rollup, incident_rollup])
def test_a_chain_is_one_pass_not_three(officer, tree, hook, django_assert_max_num_queries):
    """One call for the chain runs no more statements than one call for one of its levels did."""
    chain_data(officer)
    chain = CHAINS[0]
    hook(region_codes=chain, day=DAY)  # the provinces' time zones are cached from here on
    single_level = [
        statements(lambda code=code: hook(region_codes=[code], day=DAY)) for code in chain
    ]
    # Every level writes rows (an upsert each): the calls compare statement for statement.
    assert len(set(single_level)) == 1
    with django_assert_max_num_queries(min(single_level)):
        hook(region_codes=chain, day=DAY)
    assert statements(lambda: hook(region_codes=chain, day=DAY)) < sum(single_level)


# Properties: random trees, reports and incidents against a naive reference -------------------

DAYS = [dt.date(2024, 11, 21), dt.date(2024, 11, 22), dt.date(2024, 11, 23)]
LINE_CATEGORIES = ["kpps", "ppk", "polri", "bpbd"]

line_strategy = st.tuples(st.integers(0, 30), st.integers(0, 3), st.integers(0, 3))
report_strategy = st.tuples(
    st.sampled_from(ReportStatus.values),
    st.dictionaries(st.sampled_from(LINE_CATEGORIES), line_strategy, max_size=3),
)


@st.composite
def trees(draw, provinces=("64",)):
    """Provinces → kab/kota → kecamatan → desa with TPS of random classes, some inactive."""
    regions, stations = [], []
    for province in provinces:
        regions.append((province, True))
        for kab_index in range(draw(st.integers(1, 2))):
            kab = f"{province}.{kab_index + 1:02d}"
            regions.append((kab, draw(st.booleans()) or kab_index == 0))
            for kec_index in range(draw(st.integers(1, 3))):
                kec = f"{kab}.{kec_index + 1:02d}"
                regions.append((kec, draw(st.integers(0, 4)) > 0))
                for desa_index in range(draw(st.integers(1, 2))):
                    desa = f"{kec}.{2001 + desa_index}"
                    regions.append((desa, draw(st.integers(0, 5)) > 0))
                    for number in range(1, draw(st.integers(0, 3)) + 1):
                        stations.append(
                            (
                                desa,
                                number,
                                draw(st.sampled_from(Vulnerability.values)),
                                draw(st.integers(0, 5)) > 0,
                            )
                        )
    return regions, stations


def build_tree(regions, stations):
    cache.clear()  # province zones are cached; every example builds its own provinces
    regions_bulk_create(regions)
    TPS.objects.bulk_create(
        TPS(desa_id=desa, number=number, vulnerability=vulnerability, is_active=on)
        for desa, number, vulnerability, on in stations
    )
    return User.objects.create(username="desk", role=Role.ADMIN, region=None)


def under(code, other):
    return other == code or other.startswith(f"{code}.")


def rolled_up_levels(regions):
    return {
        level: [code for code, on in regions if on and codes.level_of(code) == level]
        for level in (1, 2, 3)
    }


def assert_every_call_shape(test, hook, model, stored, expected, regions, day):
    """Whatever regions one call is given (a level at a time, one region, one chain, every
    level together), the hook writes the `expected` rows; rows are deleted between shapes."""
    levels = rolled_up_levels(regions)
    shapes = {
        "region by region": lambda: rollup_each_region(hook, regions, day),
        "chain by chain": lambda: rollup_each_chain(hook, regions, day),
        "every level in one call": lambda: hook(
            region_codes=[*levels[1], *levels[2], *levels[3]], day=day
        ),
    }
    for shape, run in shapes.items():
        model.objects.filter(day=day).delete()
        run()
        test.assertEqual(stored(day), expected, f"{shape}, {day}")


def rollup_each_region(hook, regions, day):
    """One region per call: a chain rolled up one level at a time."""
    for code, on in regions:
        if on and codes.level_of(code) <= 3:
            hook(region_codes=[code], day=day)


def rollup_each_chain(hook, regions, day):
    """The incremental path: one call per region with its active ancestors, its levels
    together, as the engine rolls up a submission's chain (the ancestors again and again)."""
    active = {code for code, on in regions if on}
    for code, on in regions:
        if on and codes.level_of(code) <= 3:
            chain = [c for c in (*codes.ancestor_codes(code), code) if c in active]
            hook(region_codes=chain, day=day)


def rollup_subset(hook, data, regions, day):
    """One call for a random set of active regions of any levels (the one-by-one grouping or
    the finest-prefix grouping, at random); returns the set."""
    rolled = [code for code, on in regions if on and codes.level_of(code) <= 3]
    subset = data.draw(st.sets(st.sampled_from(rolled), min_size=1), label="targets")
    named_groups_max = data.draw(st.sampled_from([0, 1, 50]), label="NAMED_GROUPS_MAX")
    with mock.patch.object(readiness_rollups, "NAMED_GROUPS_MAX", named_groups_max):
        hook(region_codes=data.draw(st.permutations(sorted(subset))), day=day)
    return subset


def only(rows, regions):
    return {key: value for key, value in rows.items() if key[0] in regions}


def naive_personnel(regions, reports, day):
    """{(region, category): (required, ready, sick, absent, units, stale)}, the slow way."""
    counted = (ReportStatus.SUBMITTED, ReportStatus.VERIFIED)
    stock = {}  # kecamatan → (report day, lines) of its latest counted report on or before day
    for (code, report_day), (status, lines) in sorted(reports.items(), key=lambda i: i[0][1]):
        if codes.level_of(code) == 3 and report_day <= day and status in counted:
            stock[code] = (report_day, lines)
    expected = {}
    for code, on in regions:
        if not on or codes.level_of(code) > 3:
            continue
        required = personnel_required(region_code=code)  # the one-region selector
        for category in PersonnelCategory.objects.filter(is_active=True):
            figures = [
                (lines[category.code], report_day < day)
                for kecamatan, (report_day, lines) in stock.items()
                if under(code, kecamatan) and category.code in lines
            ]
            expected[code, category.code] = (
                required[category.code],
                sum(line[0] for line, _stale in figures),
                sum(line[1] for line, _stale in figures),
                sum(line[2] for line, _stale in figures),
                len(figures),
                sum(1 for _line, stale in figures if stale),
            )
    return expected


def stored_personnel(day):
    return {
        (row.region_id, row.category.code): (
            row.required,
            row.ready,
            row.unavailable_sick,
            row.unavailable_absent,
            row.units_reporting,
            row.stale_units,
        )
        for row in PersonnelRollup.objects.filter(day=day).select_related("category")
    }


class PersonnelRollupEqualsNaiveReference(HypothesisTestCase):
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        trees(),
        st.data(),
    )
    def test_set_based_and_chain_by_chain_equal_the_reference(self, tree, data):
        regions, stations = tree
        officer = build_tree(regions, stations)
        desks = [code for code, _on in regions if codes.level_of(code) <= 3]
        reports = data.draw(
            st.dictionaries(
                st.tuples(st.sampled_from(desks), st.sampled_from(DAYS)),
                report_strategy,
                max_size=20,
            )
        )
        categories = {c.code: c for c in PersonnelCategory.objects.all()}
        for (code, day), (status, lines) in reports.items():
            made = DailyReportFactory(region_id=code, day=day, status=status, submitted_by=officer)
            PersonnelLine.objects.bulk_create(
                PersonnelLine(
                    report=made,
                    category=categories[category],
                    ready=ready,
                    unavailable_sick=sick,
                    unavailable_absent=absent,
                )
                for category, (ready, sick, absent) in lines.items()
            )

        levels = rolled_up_levels(regions)
        for day in DAYS:
            expected = naive_personnel(regions, reports, day)
            for level in (3, 2, 1):
                personnel_rollup(region_codes=levels[level], day=day)
            self.assertEqual(stored_personnel(day), expected, f"all at once, {day}")

            assert_every_call_shape(
                self, personnel_rollup, PersonnelRollup, stored_personnel, expected, regions, day
            )
            if day == DAYS[-1]:  # the engine's path, once per example (a rebuild per chain)
                assert_chains_add_up_stored_children(
                    self, PersonnelRollup, stored_personnel, expected, regions, day
                )

            # Over wrong rows: the targets' rows are put right, the others' left alone.
            PersonnelRollup.objects.filter(day=day).update(ready=999)
            subset = rollup_subset(personnel_rollup, data, regions, day)
            stored = stored_personnel(day)
            self.assertEqual(only(stored, subset), only(expected, subset), f"{subset}, {day}")
            self.assertEqual(
                {figures[1] for key, figures in stored.items() if key[0] not in subset} - {999},
                set(),
            )


INCIDENT_CATEGORIES = ["hoaks", "politik-uang", "kekerasan"]
CHECKED_DAYS = [DAYS[0] - dt.timedelta(days=1), *DAYS]

# (place index, category, severity, which day, minutes from midnight WITA, a step before
# closing, minutes from occurrence to closing or None)
incident_strategy = st.tuples(
    st.integers(0, 50),
    st.sampled_from(INCIDENT_CATEGORIES),
    st.sampled_from(Severity.values),
    st.sampled_from(DAYS),
    st.integers(-180, 180),
    st.booleans(),
    st.none() | st.integers(0, 3 * 24 * 60),
)


def naive_incidents(regions, incidents, day):
    """{(region, category, severity): (occurred, open_at_end)} with non-zero figures."""
    expected = {}
    for code, on in regions:
        if not on or codes.level_of(code) > 3:
            continue
        zone = zoneinfo.ZoneInfo(codes.default_zone_for_province(code[:2]))
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        for place, category, severity, occurred_at, closed_at in incidents:
            if not under(code, place):
                continue
            occurred = occurred_at.astimezone(zone).date() == day
            still_open = occurred_at < end and (closed_at is None or closed_at >= end)
            if occurred or still_open:
                before = expected.get((code, category, severity), (0, 0))
                expected[code, category, severity] = (
                    before[0] + occurred,
                    before[1] + still_open,
                )
    return expected


def stored_incidents(day):
    return {
        (row.region_id, row.category.code, row.severity): (row.occurred, row.open_at_end)
        for row in IncidentRollup.objects.filter(day=day).select_related("category")
    }


class IncidentRollupEqualsNaiveReference(HypothesisTestCase):
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        trees(provinces=("61", "64")),  # Kalimantan Barat (WIB) and Kalimantan Timur (WITA)
        st.lists(incident_strategy, max_size=15),
        st.data(),
    )
    def test_set_based_and_chain_by_chain_equal_the_reference(self, tree, drawn, data):
        regions, stations = tree
        officer = build_tree(regions, stations)
        places = [code for code, _on in regions if codes.level_of(code) in (3, 4)]
        wita = zoneinfo.ZoneInfo(codes.WITA)
        categories = {c.code: c for c in IncidentCategory.objects.all()}
        incidents = []
        for index, category, severity, day, minutes, step, closing in drawn:
            midnight = dt.datetime.combine(day, dt.time.min, tzinfo=wita)
            occurred_at = midnight + dt.timedelta(minutes=minutes)
            closed_at = None if closing is None else occurred_at + dt.timedelta(minutes=closing)
            incident = Incident.objects.create(
                region_id=places[index % len(places)],
                category=categories[category],
                severity=severity,
                occurred_at=occurred_at,
                description="Sesuatu terjadi.",
                status=IncidentStatus.REPORTED if closed_at is None else IncidentStatus.CLOSED,
                reported_by=officer,
            )
            steps = [(IncidentStatus.REPORTED, occurred_at)]
            if step:  # a step that is not a closing changes nothing
                steps.append((IncidentStatus.VERIFIED, occurred_at + dt.timedelta(minutes=1)))
            if closed_at is not None:
                steps.append((IncidentStatus.CLOSED, closed_at + dt.timedelta(minutes=1)))
                closed_at += dt.timedelta(minutes=1)
            IncidentUpdate.objects.bulk_create(
                IncidentUpdate(incident=incident, status_to=status, by=officer, at=at)
                for status, at in steps
            )
            incidents.append((incident.region_id, category, severity, occurred_at, closed_at))

        levels = rolled_up_levels(regions)
        for day in CHECKED_DAYS:
            expected = naive_incidents(regions, incidents, day)
            for level in (3, 2, 1):
                incident_rollup(region_codes=levels[level], day=day)
            self.assertEqual(stored_incidents(day), expected, f"all at once, {day}")
            # Run again over right rows: nothing changes, nothing is left behind.
            for level in (3, 2, 1):
                incident_rollup(region_codes=levels[level], day=day)
            self.assertEqual(stored_incidents(day), expected, f"second run, {day}")

            assert_every_call_shape(
                self, incident_rollup, IncidentRollup, stored_incidents, expected, regions, day
            )
            if day == CHECKED_DAYS[-1]:  # the engine's path, once per example (a rebuild per chain)
                assert_chains_add_up_stored_children(
                    self, IncidentRollup, stored_incidents, expected, regions, day
                )

            # Over wrong rows, and a row of a combination that never occurred for every region:
            # the targets' rows are put right (the stale ones deleted), the others' left alone.
            IncidentRollup.objects.filter(day=day).update(occurred=99)
            stale = (categories["kekerasan"], Severity.INFO)
            IncidentRollup.objects.bulk_create(
                [
                    IncidentRollup(
                        region_id=code,
                        day=day,
                        category=stale[0],
                        severity=stale[1],
                        occurred=99,
                        open_at_end=0,
                        computed_at=timezone.now() - dt.timedelta(hours=1),
                    )
                    for code in (*levels[1], *levels[2], *levels[3])
                ],
                ignore_conflicts=True,
            )
            subset = rollup_subset(incident_rollup, data, regions, day)
            stored = stored_incidents(day)
            self.assertEqual(only(stored, subset), only(expected, subset), f"{subset}, {day}")
            self.assertEqual(
                {figures[0] for key, figures in stored.items() if key[0] not in subset} - {99},
                set(),
            )
