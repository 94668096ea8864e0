"""The rollup engine: a region's figures for a day, recomputed from source rows.

Semantics (thin slice; issue-by-issue this grows, always here):
- TPS total: active TPS in the registry under the region.
- TPS ready / bermasalah: the sum of the kecamatan desks' reports *of that day* under the
  region (each report counts its TPS table when it is submitted).
- Kecamatan coverage: active kecamatan under the region, and how many of them reported that day.
- Own report: whether the region's own desk filed for that day.
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

from django.db import transaction
from django.db.models import Count, Q, Sum
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
    """Recompute `day` for the region (if it is rolled up) and every ancestor. Idempotent."""
    chain = [*codes.ancestor_codes(region_code), region_code]
    for level in ROLLED_UP_LEVELS:
        targets = [code for code in chain if codes.level_of(code) == level]
        if targets:
            _rollup_level(level=level, region_codes=targets, day=day)


def rollup_rebuild_day(*, day: dt.date, within: str | None = None) -> int:
    """Recompute `day` for every active region (optionally under `within`); returns rows written."""
    written = 0
    for level in ROLLED_UP_LEVELS:
        regions = Region.objects.filter(level=level, is_active=True)
        if within:
            regions = regions.within(within)
        targets = list(regions.values_list("code", flat=True))
        if targets:
            written += _rollup_level(level=level, region_codes=targets, day=day)
    return written


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
            tps_total=registry.get(code, RegistryTotals()).tps,
            tps_ready=kecamatan_reports.get(code, {}).get("tps_ready") or 0,
            tps_problem=kecamatan_reports.get(code, {}).get("tps_problem") or 0,
            kecamatan_total=registry.get(code, RegistryTotals()).kecamatan,
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
        update_fields=[
            "tps_total",
            "tps_ready",
            "tps_problem",
            "kecamatan_total",
            "kecamatan_reported",
            "has_own_report",
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
