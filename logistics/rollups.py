"""The logistics section's share of the rollup engine: LogisticsRollup rows, recomputed from source.

Semantics (declared here and only here; tests/logistics/test_rollups.py holds the code to them):

- Rows: every active provinsi, kab/kota and kecamatan gets one row per active catalogue item
  and day. Rows of items no longer active are removed when the region-day is recomputed.
- What counts: a desk counts only when its region is active; a TPS only when it and its
  kecamatan are active. An active kecamatan under an inactive kab/kota still counts in the
  province (as in the readiness rollup, what lies under an inactive region stays counted).
- Required: the quantity rule of selectors.logistics_required (contests of the TPS's province
  and kab/kota running on the day, DPT + p% rounded up per TPS), applied per kecamatan to its
  active TPS; a region's figure is the sum over its active kecamatan. It equals
  logistics_required(region) except where a kecamatan is inactive but still has active TPS.
- Stock: each desk contributes the lines of its *latest* counted report (status in
  COUNTED_STATUSES) on or before the day; a draft has not been said yet and a returned report is
  disputed, so neither counts, and the desk's previous counted report stands in for it. A
  counted report without a line for an item contributes nothing for that item (its desk is not
  counted as reporting it), whatever earlier reports said: quantities are cumulative and the
  form starts from the last counted figures, so the latest report is the desk's whole word.
- No double counting: the stages PPK, PPS and KPPS come only from kecamatan desks' lines, the
  warehouse stage only from the kab/kota desk's own lines (models.STAGES_BY_LEVEL); a stage a
  desk does not count is ignored even if a row holds it. Damaged and short are what each desk
  found at its own stages and are summed over every desk included. So a kecamatan's figures
  are its desk's; a kab/kota's are the sum of its kecamatan plus its own warehouse; a
  province's are the sum over its kecamatan and kab/kota desks (= the sum of its kab/kota rows
  when all of them are active).
- units_reporting: desks included (kecamatan desks, and kab/kota desks for the warehouse) whose
  latest counted report has a line for the item with at least one figure of theirs filled in;
  stale_units: those of them whose latest counted report is from an earlier day.
- units_expected: active kecamatan under the region whose own required quantity of the item is
  above zero; units_complete: those of them whose received_kpps ≥ that requirement. The
  kecamatan is the finest unit with figures: a region's received total can reach its required
  total while one kecamatan has a surplus and another a shortfall, so completeness is counted
  per kecamatan, never from the totals.
- "Logistik lengkap" for a region and day: for every active item units_complete ==
  units_expected, and something is expected at all (some item has units_expected > 0; a region
  without a running contest or without TPS is not "lengkap", it has nothing to be complete).
  Percentages received ÷ required per item and stage are in selectors.logistics_rollup_rows.

A call's regions may be of one level (a rebuild) or of several (one submission's kecamatan,
kab/kota and provinsi at once); every region gets the same rows either way. Each call reads the
source in five queries and writes with one delete and one upsert whatever the number of regions
and levels (a national rebuild passes every kecamatan; bench/logistics_rollup.py), plus one read
of the stored rows of the children a chain's upper regions add up (Targets.stored_children;
every figure above is a sum over desks or kecamatan, so a region is its own desk's warehouse
plus its children's rows). Figures are gathered per desk (and per kecamatan for completeness)
and added in Python into every target holding the desk (readiness.rollups.Targets), because
completeness compares each kecamatan with its own requirement. computed_at changes only when a
row's figures do.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from collections.abc import Collection, Mapping
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from readiness import codes
from readiness.models import TPS, Region, RegionLevel
from readiness.rollups import Targets, latest_counted_reports

from .models import ISSUE_FIELDS, QUANTITY_FIELDS, LogisticsLine, LogisticsRollup, stages_for_level
from .selectors import logistics_items, logistics_required_grouped, logistics_rollup_rows

_KECAMATAN_PREFIX = codes.code_length_at_level(RegionLevel.KECAMATAN)
UNIT_FIELDS = ("units_reporting", "units_complete", "units_expected", "stale_units")
FIGURE_FIELDS = ("required", *QUANTITY_FIELDS, *UNIT_FIELDS)
# Per line of a national rebuild, so looked up rather than derived (codes.level_of is a regex).
_LEVEL_BY_LENGTH = {
    codes.code_length_at_level(level): level
    for level in (RegionLevel.KABKOTA, RegionLevel.KECAMATAN)
}
# The figures each desk level counts, as (position in QUANTITY_FIELDS, name).
_COUNTED_POSITIONS = {
    level: tuple(
        (index, field)
        for index, field in enumerate(QUANTITY_FIELDS)
        if field in (*stages_for_level(level), *ISSUE_FIELDS)
    )
    for level in _LEVEL_BY_LENGTH.values()
}
_RECEIVED_KPPS = QUANTITY_FIELDS.index("received_kpps")


def logistics_rollup(
    *,
    region_codes: Collection[str],
    day: dt.date,
    borrowed: Mapping[str, Collection[str]] | None = None,
) -> None:
    """Recompute `day`'s LogisticsRollup rows of `region_codes` from source.

    The readiness engine calls it (sections.ReportSection.rollup) with the regions of one level
    (a rebuild: every kecamatan, then every kab/kota, then every provinsi) or of several (one
    submission's chain: its kecamatan, kab/kota and provinsi in one call). Each target gets the
    same rows either way: source rows are grouped per desk and added into every target that
    holds the desk (readiness.rollups.Targets). Inactive regions among `region_codes` are
    skipped. `borrowed` (a chain's upper regions added up from their children's stored rows):
    see Targets.stored_children. Idempotent; atomic; two runs at once upsert the same rows.
    """
    if not region_codes:
        return
    items = logistics_items()
    item_ids = [item.pk for item in items]
    targets = Targets(region_codes, borrowed=borrowed)
    from_children = targets.stored_children(
        LogisticsRollup, day=day, keys=("item_id",), figures=FIGURE_FIELDS, complete_for=item_ids
    )
    under = targets.source

    # The active regions read: the targets themselves, and the kecamatan (the units).
    active = dict(
        Region.objects.filter(is_active=True, level__lte=RegionLevel.KECAMATAN)
        .filter(under("code"))
        .values_list("code", "level")
    )
    targets = targets.restricted_to(active)
    if not targets:
        return

    required = logistics_required_grouped(
        tps=TPS.objects.filter(is_active=True).filter(under("desa__code")),
        prefix_length=_KECAMATAN_PREFIX,
        day=day,
        items=items,
    )

    # Each active desk's latest counted report on or before the day, and its lines. The warehouse
    # is the kab/kota desk's: read only when some target lies above kecamatan level (a kab/kota
    # desk lies under no kecamatan, so it never counts in a kecamatan row).
    desk_levels = [RegionLevel.KECAMATAN]
    if targets.top_level < RegionLevel.KECAMATAN:
        desk_levels.append(RegionLevel.KABKOTA)
    latest_reports = latest_counted_reports(
        desks=Region.objects.filter(is_active=True, level__in=desk_levels).filter(under("code")),
        day=day,
    )
    lines = LogisticsLine.objects.filter(
        report__in=latest_reports, item_id__in=item_ids
    ).values_list("report__region_id", "report__day", "item_id", *QUANTITY_FIELDS)

    # Each desk's figures are added into every target holding the desk (Targets.containing).
    # With many targets the filters cover whole provinces: a desk under no target adds nothing.
    totals: dict[tuple[str, int], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(FIGURE_FIELDS, 0)
    )
    received_kpps: dict[tuple[str, int], int] = {}
    # A national rebuild or a big province's chain reads tens of thousands of lines: what each
    # desk needs (its targets, the positions of the stages its level counts) is looked up once.
    desks: dict[str, tuple[list[str], tuple[tuple[int, str], ...], bool]] = {}
    for desk, report_day, item_id, *values in lines:
        known = desks.get(desk)
        if known is None:
            desk_level = _LEVEL_BY_LENGTH[len(desk)]
            known = desks[desk] = (
                targets.containing(desk),
                _COUNTED_POSITIONS[desk_level],
                desk_level == RegionLevel.KECAMATAN,
            )
        into, positions, is_kecamatan = known
        if not into:
            continue
        figures = [
            (field, values[index]) for index, field in positions if values[index] is not None
        ]
        if not figures:
            continue  # a blank line: "not counted yet" says nothing
        stale = report_day < day
        for target in into:
            row = totals[target, item_id]
            for field, value in figures:
                row[field] += value
            row["units_reporting"] += 1
            row["stale_units"] += stale
        if is_kecamatan:
            received_kpps[desk, item_id] = values[_RECEIVED_KPPS] or 0

    # Completeness per kecamatan, against its own requirement, counted into every target
    # holding the kecamatan.
    item_keys = [(item.code, item.pk) for item in items]
    for code, level in active.items():
        if level != RegionLevel.KECAMATAN:
            continue
        into = targets.containing(code)
        if not into:
            continue
        needs = required.get(code, {})
        for item_code, item_id in item_keys:
            need = needs.get(item_code, 0)
            if not need:
                continue
            complete = received_kpps.get((code, item_id), 0) >= need
            for target in into:
                row = totals[target, item_id]
                row["required"] += need
                row["units_expected"] += 1
                row["units_complete"] += complete

    for (target, item_id), figures in from_children.items():
        if target in targets.codes:
            row = totals[target, item_id]
            for field in FIGURE_FIELDS:
                row[field] += figures[field]

    zero = dict.fromkeys(FIGURE_FIELDS, 0)
    item_order = sorted(item_ids)
    # Sorted (Targets iterates in order), so that two runs at once lock the rows in the same
    # order and cannot deadlock.
    rows = [
        (code, item_id, *(totals.get((code, item_id)) or zero).values())
        for code in targets
        for item_id in item_order
    ]
    # No savepoint: inside the engine's transaction nothing catches a failure half-way, it
    # rolls the whole run back (and a savepoint costs two statements per section and chain).
    with transaction.atomic(savepoint=False):
        LogisticsRollup.objects.filter(region_id__in=list(targets), day=day).exclude(
            item_id__in=item_ids
        ).delete()
        _upsert(rows=rows, day=day, now=timezone.now())


def _upsert(*, rows: list[tuple], day: dt.date, now: dt.datetime) -> None:
    """INSERT … ON CONFLICT DO UPDATE of (region_id, item_id, *FIGURE_FIELDS) rows for `day`.

    Hand-written rather than bulk_create: a national rebuild writes ~55,000 rows, and preparing
    them value by value through the ORM took longer than everything else together. Rows whose
    figures are already right are left alone, computed_at included (as in readiness's
    rollup_rebuild_day): it says when the figures last changed, and a warm rebuild writes
    nothing. On PostgreSQL the rows travel as one comma-joined string per column, unnested.
    """
    if not rows:
        return
    table = LogisticsRollup._meta.db_table
    columns = ", ".join(("region_id", "day", "item_id", *FIGURE_FIELDS, "computed_at"))
    conflict = (
        "ON CONFLICT (region_id, day, item_id) DO UPDATE SET "
        + ", ".join(f"{field} = excluded.{field}" for field in (*FIGURE_FIELDS, "computed_at"))
        + f" WHERE ({', '.join(f'{table}.{field}' for field in FIGURE_FIELDS)})"
        + f" <> ({', '.join(f'excluded.{field}' for field in FIGURE_FIELDS)})"
    )
    day_value = connection.ops.adapt_datefield_value(day)
    now_value = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ["region_id", "item_id", *FIGURE_FIELDS]
            arrays = ", ".join(
                "string_to_array(%s, ',')" + ("" if index == 0 else "::bigint[]")
                for index in range(len(names))
            )
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "
                f"SELECT u.region_id, %s::date, u.item_id, "
                f"{', '.join(f'u.{field}' for field in FIGURE_FIELDS)}, %s::timestamptz "
                f"FROM unnest({arrays}) AS u({', '.join(names)}) {conflict}",
                [
                    day_value,
                    now_value,
                    *(",".join(map(str, column)) for column in zip(*rows, strict=True)),
                ],
            )
            return
        # SQLite (tests, development): as many rows per statement as its parameter cap allows.
        width = len(rows[0]) + 2
        per_statement = _sqlite_max_params() // width
        placeholders = "(" + ", ".join(["%s"] * width) + ")"
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES "
                f"{', '.join([placeholders] * len(batch))} {conflict}",
                [
                    value
                    for code, item_id, *figures in batch
                    for value in (code, day_value, item_id, *figures, now_value)
                ],
            )


def _sqlite_max_params() -> int:
    connection.ensure_connection()
    # 32,766 since SQLite 3.32; Django's features assume the old 999.
    return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


def logistics_rollup_figures(
    *, region_codes: Collection[str], day: dt.date
) -> dict[str, dict[str, Any]]:
    """{region code: {"<item code>.<figure>": int, …, "complete": bool}} from the stored rows, in
    one query; regions without rows that day are absent. Snapshots freeze these figures."""
    return {
        code: {
            **{
                f"{item.item.code}.{field}": getattr(item, field)
                for item in region.items
                for field in FIGURE_FIELDS
            },
            "complete": region.is_complete,
        }
        for code, region in logistics_rollup_rows(region_codes=region_codes, day=day).items()
    }
