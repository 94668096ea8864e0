"""The rollup engine: a region's figures for a day, recomputed from source rows.

Semantics (thin slice; issue-by-issue this grows, always here):
- TPS total: active TPS in the registry under the region.
- TPS ready / bermasalah are stock figures: each kecamatan desk under the region contributes
  its *latest* submitted report on or before the day (each report counts its TPS table when it
  is submitted); how many of those are older than the day, and the oldest one's day, are kept
  next to them (stale figures).
- Kecamatan coverage: active kecamatan under the region, and how many of them reported that day.
- Own report: whether the region's own desk filed for that day, and whether after the deadline;
  likewise how many of the kecamatan reports came late.
- Only submitted or verified reports count (COUNTED_STATUSES): a draft has not been said yet
  and a returned report is disputed until it is submitted again.

Every figure is computed with one grouped query per level, never a Python loop over rows, and
written with an upsert on (region, day): running it twice, or twice at once, leaves one row with
the same figures.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connection, transaction
from django.db.models import Count, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from . import codes
from .models import (
    COUNTED_STATUSES,
    TPS,
    DailyReport,
    DailyRollup,
    Region,
    RegionLevel,
    RollupPending,
)

logger = logging.getLogger(__name__)

ROLLED_UP_LEVELS = (RegionLevel.KECAMATAN, RegionLevel.KABKOTA, RegionLevel.PROVINSI)


def rollup_region_and_ancestors(*, region_code: str, day: dt.date) -> None:
    """Recompute `day` for the region (if it is rolled up) and every active ancestor. Idempotent."""
    # Inactive regions have no rollups (the rebuild skips them too), though what lies under
    # them still counts in the active ancestors above.
    chain = set(
        Region.objects.filter(
            code__in=[*codes.ancestor_codes(region_code), region_code], is_active=True
        ).values_list("code", flat=True)
    )
    for level in ROLLED_UP_LEVELS:
        targets = [code for code in chain if codes.level_of(code) == level]
        if targets:
            _rollup_level(level=level, region_codes=targets, day=day)


def rollup_rebuild_day(*, day: dt.date, within: str | None = None) -> int:
    """Recompute `day` for every active region (or those in and under `within`) from source, in
    one set-based statement; returns how many rollup rows changed.

    The same semantics as rollup_region_and_ancestors (which the tests hold it to), written as
    one INSERT … SELECT … ON CONFLICT so that the whole country rebuilds in about the time of
    one read of the source tables (bench/rollup.py). Rows whose figures are already right are
    left alone, computed_at included: it says when the figures last changed.
    """
    figures = [
        "tps_total",
        "tps_ready",
        "tps_problem",
        "kecamatan_total",
        "kecamatan_reported",
        "kecamatan_late",
        "kecamatan_stale",
        "oldest_figure_day",
        "has_own_report",
        "own_report_late",
    ]
    # PostgreSQL wants booleans for the two flags; SQLite stores 0/1.
    if connection.vendor == "postgresql":
        own_report, own_late = "own.region_id IS NOT NULL", "coalesce(own.is_late, false)"
    else:
        own_report = "CASE WHEN own.region_id IS NULL THEN 0 ELSE 1 END"
        own_late = "coalesce(own.is_late, 0)"
    params = {
        "day": connection.ops.adapt_datefield_value(day),
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
        "within": within or "",
        "under": f"{within}.%" if within else "%",
    }
    for index, status in enumerate(COUNTED_STATUSES):
        params[f"status_{index}"] = status.value
    counted_statuses = ", ".join(f"%(status_{index})s" for index in range(len(COUNTED_STATUSES)))
    in_scope = "({column} = %(within)s OR {column} LIKE %(under)s)"
    sql = f"""
        INSERT INTO readiness_dailyrollup
            (region_id, day, computed_at, {", ".join(figures)})
        WITH tps AS (
            SELECT substr(desa_id, 1, 8) AS kecamatan, count(*) AS n
            FROM readiness_tps
            WHERE is_active AND {in_scope.format(column="desa_id")}
            GROUP BY substr(desa_id, 1, 8)
        ),
        counted AS (
            SELECT region_id, tps_ready, tps_problem, is_late
            FROM readiness_dailyreport
            WHERE day = %(day)s AND status IN ({counted_statuses})
        ),
        latest AS (
            SELECT region_id, max(day) AS day
            FROM readiness_dailyreport
            WHERE day <= %(day)s AND status IN ({counted_statuses})
              AND {in_scope.format(column="region_id")}
            GROUP BY region_id
        ),
        stock AS (
            SELECT d.region_id, d.day, d.tps_ready, d.tps_problem
            FROM readiness_dailyreport d
            JOIN latest l ON l.region_id = d.region_id AND l.day = d.day
        ),
        per_kecamatan AS (
            SELECT k.code,
                   substr(k.code, 1, 5) AS kabkota,
                   substr(k.code, 1, 2) AS provinsi,
                   coalesce(tps.n, 0) AS tps_total,
                   coalesce(s.tps_ready, 0) AS tps_ready,
                   coalesce(s.tps_problem, 0) AS tps_problem,
                   CASE WHEN s.day < %(day)s THEN 1 ELSE 0 END AS stale,
                   s.day AS figure_day,
                   CASE WHEN k.is_active THEN 1 ELSE 0 END AS active,
                   CASE WHEN c.region_id IS NULL THEN 0 ELSE 1 END AS reported,
                   CASE WHEN c.is_late THEN 1 ELSE 0 END AS late
            FROM readiness_region k
            LEFT JOIN tps ON tps.kecamatan = k.code
            LEFT JOIN counted c ON c.region_id = k.code
            LEFT JOIN stock s ON s.region_id = k.code
            WHERE k.level = {RegionLevel.KECAMATAN} AND {in_scope.format(column="k.code")}
        ),
        totals AS (
            SELECT code, sum(tps_total) AS tps_total, sum(tps_ready) AS tps_ready,
                   sum(tps_problem) AS tps_problem, sum(active) AS kecamatan_total,
                   sum(reported) AS kecamatan_reported, sum(late) AS kecamatan_late,
                   sum(stale) AS kecamatan_stale, min(figure_day) AS oldest_figure_day
            FROM per_kecamatan GROUP BY code
            UNION ALL
            SELECT kabkota, sum(tps_total), sum(tps_ready), sum(tps_problem), sum(active),
                   sum(reported), sum(late), sum(stale), min(figure_day)
            FROM per_kecamatan GROUP BY kabkota
            UNION ALL
            SELECT provinsi, sum(tps_total), sum(tps_ready), sum(tps_problem), sum(active),
                   sum(reported), sum(late), sum(stale), min(figure_day)
            FROM per_kecamatan GROUP BY provinsi
        )
        SELECT r.code, %(day)s, %(now)s,
               coalesce(t.tps_total, 0), coalesce(t.tps_ready, 0), coalesce(t.tps_problem, 0),
               coalesce(t.kecamatan_total, 0), coalesce(t.kecamatan_reported, 0),
               coalesce(t.kecamatan_late, 0), coalesce(t.kecamatan_stale, 0),
               t.oldest_figure_day, {own_report}, {own_late}
        FROM readiness_region r
        LEFT JOIN totals t ON t.code = r.code
        LEFT JOIN counted own ON own.region_id = r.code
        WHERE r.level IN ({", ".join(str(level.value) for level in ROLLED_UP_LEVELS)})
          AND r.is_active AND {in_scope.format(column="r.code")}
        ON CONFLICT (region_id, day) DO UPDATE SET
            computed_at = excluded.computed_at,
            {", ".join(f"{field} = excluded.{field}" for field in figures)}
        WHERE ({", ".join(_null_safe(f"readiness_dailyrollup.{field}") for field in figures)})
           <> ({", ".join(_null_safe(f"excluded.{field}") for field in figures)})
    """
    # A province's totals are only right when all its kecamatan are read: `within` limits
    # both what is read and what is written to the same subtree, so every written row is whole.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _null_safe(column: str) -> str:
    # Only oldest_figure_day can be NULL; a row comparison with a NULL in it is never "<>".
    return f"coalesce({column}, '0001-01-01')" if column.endswith("oldest_figure_day") else column


def rollup_enqueue(*, region_code: str, day: dt.date) -> None:
    """Owe `region_code` a rollup for `day` and ask a worker to pay it after commit.

    The debt is written in the caller's transaction, so it exists exactly when the change does.
    If the broker cannot be reached, the change is saved all the same, the failure is logged,
    and the beat job (rollup_pending_run) pays the debt once the broker is back.
    """
    from .tasks import rollup_region_task

    RollupPending.objects.update_or_create(
        region_id=region_code, day=day, defaults={"marked_at": timezone.now()}
    )

    def publish() -> None:
        try:
            rollup_region_task.delay(region_code, day.isoformat())
        except BrokerUnavailable:
            logger.exception(
                "Broker unavailable: rollup of %s for %s left to the catch-up job", region_code, day
            )

    transaction.on_commit(publish)


def rollup_region_and_settle(*, region_code: str, day: dt.date) -> None:
    """Recompute the region's chain for `day` and clear the debt, unless it was marked again
    after this run started (that newer change gets its own rollup)."""
    started = timezone.now()
    rollup_region_and_ancestors(region_code=region_code, day=day)
    RollupPending.objects.filter(region_id=region_code, day=day, marked_at__lte=started).delete()


def rollup_pending_run(*, older_than: dt.timedelta = dt.timedelta(minutes=1)) -> int:
    """Pay every rollup debt older than `older_than` (younger ones are likely in a worker's
    hands already); returns how many region-days were rolled up. Idempotent."""
    owed = list(
        RollupPending.objects.filter(marked_at__lte=timezone.now() - older_than)
        .order_by("day", "region_id")
        .values_list("region_id", "day")
    )
    for region_code, day in owed:
        rollup_region_and_settle(region_code=region_code, day=day)
    return len(owed)


def rollup_rebuild_recent(*, days: int) -> int:
    """Rebuild the last `days` days everywhere (every time zone's today included)."""
    today = timezone.now().date()
    written = 0
    for offset in range(-1, days):
        written += rollup_rebuild_day(day=today - dt.timedelta(days=offset))
    return written


@dataclass(frozen=True)
class RegistryTotals:
    tps: int = 0
    kecamatan: int = 0


def registry_totals(*, region_codes: Collection[str], level: int) -> dict[str, RegistryTotals]:
    """Active TPS and kecamatan under each of `region_codes` (all of one `level`): two queries."""
    if not region_codes:
        return {}
    prefix_length = codes.code_length_at_level(level)
    under_targets = _prefix_filter(region_codes)
    tps = _grouped(
        TPS.objects.filter(is_active=True).filter(under_targets("desa__code")),
        "desa_id",
        prefix_length,
        total=Count("id"),
    )
    kecamatan = _grouped(
        Region.objects.filter(level=RegionLevel.KECAMATAN, is_active=True).filter(
            under_targets("code")
        ),
        "code",
        prefix_length,
        total=Count("code"),
    )
    return {
        code: RegistryTotals(
            tps=tps.get(code, {}).get("total", 0),
            kecamatan=kecamatan.get(code, {}).get("total", 0),
        )
        for code in region_codes
    }


def _rollup_level(*, level: int, region_codes: Collection[str], day: dt.date) -> int:
    prefix_length = codes.code_length_at_level(level)
    under_targets = _prefix_filter(region_codes)
    registry = registry_totals(region_codes=region_codes, level=level)
    kecamatan_reports = _grouped(
        DailyReport.objects.filter(
            day=day, region__level=RegionLevel.KECAMATAN, status__in=COUNTED_STATUSES
        ).filter(under_targets("region__code")),
        "region_id",
        prefix_length,
        reported=Count("id"),
        late=Count("id", filter=Q(is_late=True)),
    )
    # Stock figures: each kecamatan's latest counted report on or before the day.
    latest_day = (
        DailyReport.objects.filter(
            region=OuterRef("region"), day__lte=day, status__in=COUNTED_STATUSES
        )
        .order_by("-day")
        .values("day")[:1]
    )
    stock = _grouped(
        DailyReport.objects.filter(
            day__lte=day, region__level=RegionLevel.KECAMATAN, status__in=COUNTED_STATUSES
        )
        .filter(under_targets("region__code"))
        .filter(day=Subquery(latest_day)),
        "region_id",
        prefix_length,
        tps_ready=Sum("tps_ready"),
        tps_problem=Sum("tps_problem"),
        stale=Count("id", filter=Q(day__lt=day)),
        oldest=Min("day"),
    )
    own_reports = dict(
        DailyReport.objects.filter(
            day=day, region_id__in=region_codes, status__in=COUNTED_STATUSES
        ).values_list("region_id", "is_late")
    )

    now = timezone.now()
    rows = [
        DailyRollup(
            region_id=code,
            day=day,
            tps_total=registry.get(code, RegistryTotals()).tps,
            tps_ready=stock.get(code, {}).get("tps_ready") or 0,
            tps_problem=stock.get(code, {}).get("tps_problem") or 0,
            kecamatan_stale=stock.get(code, {}).get("stale", 0),
            oldest_figure_day=stock.get(code, {}).get("oldest"),
            kecamatan_total=registry.get(code, RegistryTotals()).kecamatan,
            kecamatan_reported=kecamatan_reports.get(code, {}).get("reported", 0),
            kecamatan_late=kecamatan_reports.get(code, {}).get("late", 0),
            has_own_report=code in own_reports,
            own_report_late=own_reports.get(code, False),
            computed_at=now,
        )
        for code in region_codes
    ]
    DailyRollup.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["region", "day"],
        update_fields=[
            "tps_total",
            "tps_ready",
            "tps_problem",
            "kecamatan_total",
            "kecamatan_reported",
            "kecamatan_late",
            "kecamatan_stale",
            "oldest_figure_day",
            "has_own_report",
            "own_report_late",
            "computed_at",
        ],
    )
    return len(rows)


def _prefix_filter(region_codes: Collection[str]):
    """A filter factory: rows whose code field lies in or under any of `region_codes`."""

    def under(field: str) -> Q:
        return reduce(
            or_,
            (
                Q(**{field: code}) | Q(**{f"{field}__startswith": f"{code}."})
                for code in region_codes
            ),
        )

    if len(region_codes) > 50:
        # A rebuild of many regions covers their whole level: a prefix list would only slow
        # the query down, and the grouping below already sorts rows into their regions.
        provinces = {codes.province_code(code) for code in region_codes}
        return lambda field: reduce(
            or_, (Q(**{field: p}) | Q(**{f"{field}__startswith": f"{p}."}) for p in provinces)
        )
    return under


def _grouped(queryset, code_field: str, prefix_length: int, **aggregates) -> dict[str, dict]:
    """Aggregate `queryset` per ancestor prefix of `code_field`: {prefix: {name: value}}."""
    rows = (
        queryset.annotate(group_code=Substr(code_field, 1, prefix_length))
        .values("group_code")
        .annotate(**aggregates)
        .order_by()
    )
    return {row.pop("group_code"): row for row in rows}
