"""Prototypes of a faster whole-country rebuild, measured by ``bench/rollup.py --prototypes``.

Copies, not patches: readiness/rollups.py is left as it is. Each ``rebuild_day(day)`` writes the
same rows as ``readiness.rollups.rollup_rebuild_day(day=day)`` (the benchmark checks it against
the hand-written SQL after every run).

- ``no_prefix_filter``: the engine as it is, except that a rebuild of a whole level applies no
  prefix filter (today it ORs ``code = p OR code LIKE 'p.%'`` for every province, evaluated on
  every TPS row, although the grouping already sorts rows into their regions).
- ``one_pass``: read the sources once at kecamatan level (TPS per kecamatan, active kecamatan,
  that day's counted reports), add kecamatan up to kab/kota and province in Python, and write
  all 7,828 rows with one upsert statement.
- ``set_based``: the whole rebuild as one ``INSERT … SELECT … ON CONFLICT DO UPDATE`` built on
  the benchmark's hand-written query, so the rows never leave the database.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from readiness import codes
from readiness.models import (
    COUNTED_STATUSES,
    TPS,
    DailyReport,
    DailyRollup,
    Region,
    RegionLevel,
)
from readiness.rollups import ROLLED_UP_LEVELS, RegistryTotals

UPDATE_FIELDS = [
    "tps_total",
    "tps_ready",
    "tps_problem",
    "kecamatan_total",
    "kecamatan_reported",
    "has_own_report",
    "computed_at",
]


# ---- no_prefix_filter: readiness.rollups with one change -------------------------------------


def no_prefix_filter(day: dt.date) -> int:
    written = 0
    for level in ROLLED_UP_LEVELS:
        targets = list(
            Region.objects.filter(level=level, is_active=True).values_list("code", flat=True)
        )
        if targets:
            written += _rollup_whole_level(level=level, region_codes=targets, day=day)
    return written


def _rollup_whole_level(*, level: int, region_codes: list[str], day: dt.date) -> int:
    # Same as readiness.rollups._rollup_level, minus `.filter(under_targets(...))`: the targets
    # are every active region of the level, so a filter can only remove rows that no target
    # reads anyway.
    prefix_length = codes.code_length_at_level(level)
    tps = _grouped(TPS.objects.filter(is_active=True), "desa_id", prefix_length, total=Count("id"))
    kecamatan = _grouped(
        Region.objects.filter(level=RegionLevel.KECAMATAN, is_active=True),
        "code",
        prefix_length,
        total=Count("code"),
    )
    registry = {
        code: RegistryTotals(
            tps=tps.get(code, {}).get("total", 0),
            kecamatan=kecamatan.get(code, {}).get("total", 0),
        )
        for code in region_codes
    }
    kecamatan_reports = _grouped(
        DailyReport.objects.filter(
            day=day, region__level=RegionLevel.KECAMATAN, status__in=COUNTED_STATUSES
        ),
        "region_id",
        prefix_length,
        reported=Count("id"),
        tps_ready=Sum("tps_ready"),
        tps_problem=Sum("tps_problem"),
    )
    own_reports = set(
        DailyReport.objects.filter(
            day=day, region_id__in=region_codes, status__in=COUNTED_STATUSES
        ).values_list("region_id", flat=True)
    )
    now = timezone.now()
    rows = [
        DailyRollup(
            region_id=code,
            day=day,
            tps_total=registry[code].tps,
            tps_ready=kecamatan_reports.get(code, {}).get("tps_ready") or 0,
            tps_problem=kecamatan_reports.get(code, {}).get("tps_problem") or 0,
            kecamatan_total=registry[code].kecamatan,
            kecamatan_reported=kecamatan_reports.get(code, {}).get("reported", 0),
            has_own_report=code in own_reports,
            computed_at=now,
        )
        for code in region_codes
    ]
    DailyRollup.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["region", "day"],
        update_fields=UPDATE_FIELDS,
    )
    return len(rows)


def _grouped(queryset, code_field: str, prefix_length: int, **aggregates) -> dict[str, dict]:
    rows = (
        queryset.annotate(group_code=Substr(code_field, 1, prefix_length))
        .values("group_code")
        .annotate(**aggregates)
        .order_by()
    )
    return {row.pop("group_code"): row for row in rows}


# ---- one_pass: read once at kecamatan level, add up in Python, one upsert ---------------------


def one_pass(day: dt.date) -> int:
    kecamatan_length = codes.code_length_at_level(RegionLevel.KECAMATAN)
    tps = _grouped(
        TPS.objects.filter(is_active=True), "desa_id", kecamatan_length, total=Count("id")
    )
    reports = {
        row["region_id"]: row
        for row in DailyReport.objects.filter(
            day=day, region__level=RegionLevel.KECAMATAN, status__in=COUNTED_STATUSES
        ).values("region_id", "tps_ready", "tps_problem")
    }
    own = set(
        DailyReport.objects.filter(day=day, status__in=COUNTED_STATUSES).values_list(
            "region_id", flat=True
        )
    )
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    targets = []
    for code, level, active in Region.objects.filter(level__lte=RegionLevel.KECAMATAN).values_list(
        "code", "level", "is_active"
    ):
        if active:
            targets.append(code)
        if level != RegionLevel.KECAMATAN:
            continue
        report = reports.get(code)
        figures = (
            tps.get(code, {}).get("total", 0),
            (report and report["tps_ready"]) or 0,
            (report and report["tps_problem"]) or 0,
            1 if active else 0,
            1 if report else 0,
        )
        for prefix in (code[:2], code[:5], code):
            total = sums[prefix]
            for index, value in enumerate(figures):
                total[index] += value
    now = timezone.now()
    rows = []
    for code in targets:
        tps_total, ready, problem, kecamatan_total, reported = sums.get(code, (0, 0, 0, 0, 0))
        rows.append(
            DailyRollup(
                region_id=code,
                day=day,
                tps_total=tps_total,
                tps_ready=ready,
                tps_problem=problem,
                kecamatan_total=kecamatan_total,
                kecamatan_reported=reported,
                has_own_report=code in own,
                computed_at=now,
            )
        )
    DailyRollup.objects.bulk_create(
        rows,
        batch_size=None if connection.vendor == "postgresql" else 2000,
        update_conflicts=True,
        unique_fields=["region", "day"],
        update_fields=UPDATE_FIELDS,
    )
    return len(rows)


# ---- set_based: one INSERT … SELECT … ON CONFLICT ---------------------------------------------


def set_based(day: dt.date, totals_sql: str, params: dict) -> int:
    # `totals_sql` is the benchmark's read-only query; its SELECT list is code + six figures.
    select = totals_sql.replace(
        "SELECT r.code,", "SELECT r.code, %(day)s, %(now)s,", 1
    ).rstrip()
    sql = (
        "INSERT INTO readiness_dailyrollup (region_id, day, computed_at, tps_total, tps_ready, "
        "tps_problem, kecamatan_total, kecamatan_reported, has_own_report) "
        f"{select} "
        "ON CONFLICT (region_id, day) DO UPDATE SET "
        + ", ".join(f"{field} = excluded.{field}" for field in UPDATE_FIELDS)
    )
    if connection.vendor == "postgresql":
        # The figures come out as numeric/int; has_own_report needs a boolean.
        sql = sql.replace(
            "CASE WHEN own.region_id IS NULL THEN 0 ELSE 1 END",
            "own.region_id IS NOT NULL",
        )
    params = {**params, "now": connection.ops.adapt_datetimefield_value(timezone.now())}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
