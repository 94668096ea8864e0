"""Briefing snapshots: each province's rollup for a day, frozen at a local time.

At DESK_SNAPSHOT_TIME (default 08:00) in the province's own zone, the province's rollup for its
local day is rebuilt from source and frozen ("data per 08.00 WITA"). Later reports and
corrections change DailyRollup, never the snapshot; `changes_since_snapshot` says what moved.

Services (writes): snapshot_take, snapshots_due. Selectors (reads): snapshot_for,
changes_since_snapshot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from . import rollups, sections
from .models import DailyRollup, Region, RegionLevel, RollupSnapshot, in_subtree
from .selectors import province_zone

# The figures frozen for each rollup row, in the order changes are listed.
SNAPSHOT_FIGURES = (
    "tps_total",
    "tps_ready",
    "tps_problem",
    "kecamatan_expected",
    "kecamatan_reported",
    "kecamatan_late",
    "kabkota_expected",
    "kabkota_reported",
    "kabkota_late",
    "has_own_report",
    "own_report_late",
)


@dataclass(frozen=True)
class SnapshotChange:
    """One figure of one region that differs from the snapshot.

    `then` is None for a region that had no rollup row when the snapshot was taken, `now` is
    None for a region whose row is gone (or whose region was deactivated) since.
    """

    region_code: str
    field: str
    then: Any
    now: Any


def snapshot_take(*, province: Region, day: dt.date) -> RollupSnapshot:
    """Freeze the province's rollup for `day`: rebuilt from source first, then copied whole.

    Idempotent and final: if the province already has a snapshot for `day` it is returned as
    it is (nothing is rebuilt or rewritten), so corrections never alter a snapshot, and two
    concurrent calls leave one snapshot. Atomic. Called by the beat job (snapshots_due) and by
    admins or commands that need a snapshot now.
    """
    return _snapshot_take(province=province, day=day)[0]


def snapshots_due(*, now: dt.datetime) -> int:
    """Take every snapshot that is due at `now`; returns how many were taken.

    A province is due when its local time is at or past DESK_SNAPSHOT_TIME and it has no
    snapshot for its local today. Provinces lie in three zones, so one run may take WIT's
    snapshot while WIB's is still an hour or two away. Only today is looked at: if the beat
    was down past the snapshot time, the next run still takes today's (with its real
    `taken_at`), but a day missed entirely is not taken after the fact. Idempotent.
    """
    snapshot_time: dt.time = settings.DESK_SNAPSHOT_TIME
    due: dict[str, tuple[Region, dt.date]] = {}
    for province in Region.objects.filter(level=RegionLevel.PROVINSI, is_active=True):
        local = now.astimezone(province_zone(province.code))
        if local.time() >= snapshot_time:
            due[province.code] = (province, local.date())
    if not due:
        return 0
    taken = set(
        RollupSnapshot.objects.filter(
            _any_of(Q(province_id=code, day=day) for code, (_province, day) in due.items())
        ).values_list("province_id", flat=True)
    )
    created = 0
    for code, (province, day) in due.items():
        if code not in taken:
            created += _snapshot_take(province=province, day=day)[1]
    return created


def snapshot_for(*, province_code: str, day: dt.date) -> RollupSnapshot | None:
    """The province's briefing snapshot for `day`, or None if it has not been taken."""
    return RollupSnapshot.objects.filter(province_id=province_code, day=day).first()


def changes_since_snapshot(*, province_code: str, day: dt.date) -> list[SnapshotChange]:
    """Every figure of the province's rollup rows for `day` that differs from its snapshot,
    ordered by region code then figure; empty when nothing changed or when there is no
    snapshot (snapshot_for tells the two apart). A fixed number of queries whatever the
    province's size: two of its own, plus each section's rollup_figures.
    """
    snapshot = snapshot_for(province_code=province_code, day=day)
    if snapshot is None:
        return []
    current = _province_figures(province_code=province_code, day=day)
    changes = []
    for code in sorted(snapshot.figures.keys() | current.keys()):
        then_row, now_row = snapshot.figures.get(code), current.get(code)
        # The core figures first, then the sections' ("logistics.…") in name order.
        section_fields = sorted(
            ({*(then_row or {}), *(now_row or {})} - set(SNAPSHOT_FIGURES)),
        )
        for field in (*SNAPSHOT_FIGURES, *section_fields):
            then = then_row.get(field) if then_row is not None else None
            now = now_row.get(field) if now_row is not None else None
            if then != now:
                changes.append(SnapshotChange(region_code=code, field=field, then=then, now=now))
    return changes


def _snapshot_take(*, province: Region, day: dt.date) -> tuple[RollupSnapshot, bool]:
    existing = snapshot_for(province_code=province.code, day=day)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            rollups.rollup_rebuild_day(day=day, within=province.code)
            snapshot = RollupSnapshot.objects.create(
                province=province,
                day=day,
                taken_at=timezone.now(),
                figures=_province_figures(province_code=province.code, day=day),
            )
    except IntegrityError:
        # Taken concurrently by another run: the first one stands.
        return RollupSnapshot.objects.get(province=province, day=day), False
    return snapshot, True


def _province_figures(*, province_code: str, day: dt.date) -> dict[str, dict[str, Any]]:
    """{region code: figures} for the active regions' rollup rows of the province on `day`.

    Rows of regions deactivated since they were computed are stale (the rebuild no longer
    writes them), so they are left out of both the snapshot and the comparison.
    """
    rows = (
        DailyRollup.objects.filter(day=day, region__is_active=True)
        .filter(in_subtree("region__code", province_code))
        .values_list("region_id", *SNAPSHOT_FIGURES)
    )
    figures = {code: dict(zip(SNAPSHOT_FIGURES, values, strict=True)) for code, *values in rows}
    for code, section_figures in sections.section_rollup_figures(
        region_codes=list(figures), day=day
    ).items():
        if code in figures:
            figures[code].update(section_figures)
    return figures


def _any_of(conditions) -> Q:
    combined = Q(pk__in=[])
    for condition in conditions:
        combined |= condition
    return combined
