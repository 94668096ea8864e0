"""Briefing snapshots: each province's rollup frozen once a day at its own 08:00."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilkada_desk.celery import app as celery_app
from readiness import rollups, services
from readiness.models import DailyRollup, RollupSnapshot
from readiness.selectors import local_today
from readiness.snapshots import (
    SNAPSHOT_FIGURES,
    SnapshotChange,
    changes_since_snapshot,
    snapshot_for,
    snapshot_take,
    snapshots_due,
)

from ..factories import RegionFactory

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
WITA = zoneinfo.ZoneInfo("Asia/Makassar")
WIT = zoneinfo.ZoneInfo("Asia/Jayapura")
DAY = dt.date(2024, 11, 23)


@pytest.fixture(autouse=True)
def _contests_cover_day(pilkada_2024):
    """DAY is H-4 of the 2024 Pilkada: the tree's contests are moved onto that calendar."""


@pytest.fixture
def three_zones(tree):
    """Kalimantan Timur (64, WITA) from the tree, plus DKI Jakarta (31, WIB) and Papua (91, WIT)."""
    RegionFactory(code="31")
    RegionFactory(code="91")
    return tree


def at(hour: int, minute: int, zone: zoneinfo.ZoneInfo, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


def snapshotted() -> set[tuple[str, dt.date]]:
    return set(RollupSnapshot.objects.values_list("province_id", "day"))


def test_a_province_is_not_due_before_eight_local(three_zones):
    assert snapshots_due(now=at(7, 59, WITA)) == 1  # only Papua: 08:59 WIT
    assert snapshotted() == {("91", DAY)}


def test_a_province_is_due_at_eight_local(three_zones):
    snapshots_due(now=at(7, 59, WITA))
    assert snapshots_due(now=at(8, 0, WITA)) == 1
    assert snapshotted() == {("91", DAY), ("64", DAY)}


def test_each_zone_is_due_at_its_own_eight(three_zones):
    # 08:00 WIT is 23:00 UTC the evening before, 08:00 WITA midnight UTC, 08:00 WIB 01:00 UTC.
    assert snapshots_due(now=dt.datetime(2024, 11, 22, 22, 59, tzinfo=dt.UTC)) == 0
    assert snapshots_due(now=dt.datetime(2024, 11, 22, 23, 0, tzinfo=dt.UTC)) == 1
    assert snapshotted() == {("91", DAY)}
    assert snapshots_due(now=dt.datetime(2024, 11, 23, 0, 0, tzinfo=dt.UTC)) == 1
    assert snapshotted() == {("91", DAY), ("64", DAY)}
    assert snapshots_due(now=dt.datetime(2024, 11, 23, 0, 59, tzinfo=dt.UTC)) == 0
    assert snapshots_due(now=dt.datetime(2024, 11, 23, 1, 0, tzinfo=dt.UTC)) == 1
    assert snapshotted() == {("91", DAY), ("64", DAY), ("31", DAY)}


def test_a_late_run_still_takes_todays_snapshot(three_zones):
    assert snapshots_due(now=at(14, 30, WIB)) == 3
    assert snapshotted() == {("31", DAY), ("64", DAY), ("91", DAY)}


def test_each_province_is_taken_once_a_day(three_zones):
    assert snapshots_due(now=at(9, 0, WIB)) == 3
    assert snapshots_due(now=at(9, 5, WIB)) == 0
    assert snapshots_due(now=at(21, 55, WIB)) == 0  # 23:55 WIT: still the same day everywhere
    assert RollupSnapshot.objects.count() == 3
    # The next local day is a new snapshot.
    assert snapshots_due(now=at(8, 0, WIB, DAY + dt.timedelta(days=1))) == 3
    assert RollupSnapshot.objects.count() == 6


def test_inactive_provinces_are_not_snapshotted(three_zones):
    three_zones["64"].is_active = False
    three_zones["64"].save()
    assert snapshots_due(now=at(9, 0, WIB)) == 2
    assert ("64", DAY) not in snapshotted()


def test_the_snapshot_time_is_configurable(three_zones, settings):
    settings.DESK_SNAPSHOT_TIME = dt.time(9, 30)
    assert snapshots_due(now=at(9, 29, WITA)) == 1  # Papua only: 10:29 WIT
    assert snapshots_due(now=at(9, 30, WITA)) == 1
    assert snapshotted() == {("91", DAY), ("64", DAY)}


def test_the_snapshot_is_rebuilt_from_source_before_it_is_frozen(officer, tree):
    day = local_today("64")
    services.daily_report_submit(
        officer=officer, region=tree["64.71.06"], day=day, data={"no_incidents": True}
    )
    # No rollup ran (the on-commit task never fired in this test transaction).
    assert not DailyRollup.objects.filter(day=day).exists()

    snapshot = snapshot_take(province=tree["64"], day=day)

    assert set(snapshot.figures) == {"64", "64.71", "64.72", "64.71.01", "64.71.06", "64.72.01"}
    # The readiness figures (the sections' own, "logistics.…", are frozen next to them).
    assert {field: snapshot.figures["64"][field] for field in SNAPSHOT_FIGURES} == {
        "tps_total": 14,
        "tps_ready": 0,
        "tps_problem": 0,
        "kecamatan_expected": 3,
        "kecamatan_reported": 1,
        "kecamatan_late": int(snapshot.figures["64.71.06"]["own_report_late"]),
        "kabkota_expected": 2,
        "kabkota_reported": 0,
        "kabkota_late": 0,
        "has_own_report": False,
        "own_report_late": False,
    }
    assert snapshot.figures["64.71.06"]["has_own_report"] is True


def test_a_snapshot_is_frozen_against_later_reports(
    officer, neighbour_officer, tree, django_capture_on_commit_callbacks
):
    day = local_today("64")
    with django_capture_on_commit_callbacks(execute=True):
        services.daily_report_submit(
            officer=officer, region=tree["64.71.06"], day=day, data={"no_incidents": True}
        )
    snapshot = snapshot_take(province=tree["64"], day=day)
    frozen = dict(snapshot.figures)

    with django_capture_on_commit_callbacks(execute=True):
        services.daily_report_submit(
            officer=neighbour_officer, region=tree["64.71.01"], day=day, data={"no_incidents": True}
        )
    rollups.rollup_rebuild_day(day=day)

    assert DailyRollup.objects.get(region_id="64", day=day).kecamatan_reported == 2
    snapshot.refresh_from_db()
    assert snapshot.figures == frozen
    assert snapshot.figures["64"]["kecamatan_reported"] == 1
    # Taking it again returns the same snapshot, unchanged, and rebuilds nothing.
    again = snapshot_take(province=tree["64"], day=day)
    assert (again.pk, again.taken_at, again.figures) == (
        snapshot.pk,
        snapshot.taken_at,
        frozen,
    )
    assert RollupSnapshot.objects.count() == 1


def test_changes_since_snapshot_lists_exactly_the_changed_figures(
    officer, neighbour_officer, tree, django_capture_on_commit_callbacks
):
    day = local_today("64")
    with django_capture_on_commit_callbacks(execute=True):
        services.daily_report_submit(
            officer=officer, region=tree["64.71.06"], day=day, data={"no_incidents": True}
        )
    snapshot_take(province=tree["64"], day=day)
    assert changes_since_snapshot(province_code="64", day=day) == []

    with django_capture_on_commit_callbacks(execute=True):
        late = services.daily_report_submit(
            officer=neighbour_officer, region=tree["64.71.01"], day=day, data={"no_incidents": True}
        ).is_late

    first_late = int(snapshot_for(province_code="64", day=day).figures["64"]["kecamatan_late"])
    expected = [
        SnapshotChange("64", "kecamatan_reported", 1, 2),
        SnapshotChange("64.71", "kecamatan_reported", 1, 2),
        SnapshotChange("64.71.01", "kecamatan_reported", 0, 1),
        SnapshotChange("64.71.01", "has_own_report", False, True),
    ]
    if late:  # the report's deadline is real time: after 16:00 WITA the report is late
        expected += [
            SnapshotChange("64", "kecamatan_late", first_late, first_late + 1),
            SnapshotChange("64.71", "kecamatan_late", first_late, first_late + 1),
            SnapshotChange("64.71.01", "kecamatan_late", 0, 1),
            SnapshotChange("64.71.01", "own_report_late", False, True),
        ]
    expected.sort(key=lambda change: (change.region_code, SNAPSHOT_FIGURES.index(change.field)))
    assert changes_since_snapshot(province_code="64", day=day) == expected


def test_no_snapshot_means_no_changes(tree):
    assert snapshot_for(province_code="64", day=DAY) is None
    assert changes_since_snapshot(province_code="64", day=DAY) == []


def test_snapshots_of_one_province_ignore_the_others(three_zones):
    snapshot = snapshot_take(province=three_zones["64"], day=DAY)
    assert all(code == "64" or code.startswith("64.") for code in snapshot.figures)
    assert snapshot_for(province_code="31", day=DAY) is None


def test_changes_since_snapshot_query_count_does_not_grow_with_regions(tree):
    snapshot_take(province=tree["64"], day=DAY)
    with CaptureQueriesContext(connection) as small:
        changes_since_snapshot(province_code="64", day=DAY)

    for number in range(2, 22):
        RegionFactory(code=f"64.72.{number:02d}")
    rollups.rollup_rebuild_day(day=DAY, within="64")
    with CaptureQueriesContext(connection) as large:
        changes = changes_since_snapshot(province_code="64", day=DAY)

    assert len(changes) > 20  # every new kecamatan shows up, and the totals moved
    assert SnapshotChange("64.72.21", "kecamatan_expected", None, 1) in changes
    # Two queries of readiness's own, plus each section's fixed share.
    assert len(large.captured_queries) == len(small.captured_queries)


def test_beat_schedule_takes_snapshots_every_five_minutes():
    entry = celery_app.conf.beat_schedule["briefing-snapshots"]
    assert entry["task"] == "readiness.tasks.snapshot_due_task"
    assert entry["schedule"] == 300.0
    assert "readiness.tasks.snapshot_due_task" in celery_app.tasks


def test_the_beat_task_takes_what_is_due(three_zones):
    from readiness.tasks import snapshot_due_task

    assert isinstance(snapshot_due_task.apply().get(), int)
    # Whatever the real time, a second run in the same minute takes nothing more.
    assert snapshot_due_task.apply().get() == 0
