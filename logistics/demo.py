"""Demo logistics: what the desks of the demo province counted along the chain, day by day.

Connected to `readiness.signals.demo_seeded` (see apps.py), so `manage.py seed_demo` fills the
logistics section of every demo report. The story follows the seeds (DOMAIN.md, Kaltim's Sekda
on 13 November 2024): "only Kabupaten Mahulu has complete logistics, the nine other kab/kota are
still in progress", and a few damaged or short items are reported on the way.

Quantities grow over the week towards what the TPS registry requires (selectors.logistics_
required) and keep the stage order (received by the PPK ≥ distributed to the PPS ≥ received by
the KPPS). Rows are written directly with one upsert, not through services: a service would
check the officer and record a report version per line. Idempotent: a re-run on the same day
writes the same figures (the randomness is seeded by region and item codes).
"""

from __future__ import annotations

import datetime as dt
import math
import random

from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from readiness.demo import REPORTED_DAYS
from readiness.models import COUNTED_STATUSES, TPS, Contest, DailyReport, RegionLevel, in_subtree

from .models import LogisticsItem, LogisticsLine, Stage
from .selectors import logistics_items, logistics_required

COMPLETE_KABKOTA = "64.11"  # Kab. Mahakam Ulu: "hanya Kabupaten Mahulu yang logistiknya lengkap"

# Share of the required quantity at the TPS (received by the KPPS) on a kab/kota's latest day.
# Cities and short roads are ahead; rivers, sea routes and long distances are behind.
FINAL_STAGE_PACE = {
    "64.01": 0.55,  # Paser
    "64.02": 0.45,  # Kutai Kartanegara: the largest, 1,443 TPS
    "64.03": 0.60,  # Berau
    "64.07": 0.50,  # Kutai Barat: by river
    "64.08": 0.40,  # Kutai Timur: Sandaran by sea (Lanal Sangatta)
    "64.09": 0.65,  # Penajam Paser Utara
    "64.11": 1.00,  # Mahakam Ulu: complete
    "64.71": 0.80,  # Balikpapan
    "64.72": 0.60,  # Samarinda
    "64.74": 0.85,  # Bontang
}
DEFAULT_PACE = 0.5
# Below this, a region not meant to be complete never reaches its requirement at the TPS.
NOT_COMPLETE_CAP = 0.97
HARD_TO_REACH_FACTOR = 0.6

# Share of each stage's final figure already counted on the first day of the window: the
# PPK had most of it, the KPPS nothing yet.
STAGE_START = {
    Stage.WAREHOUSE: 0.85,
    Stage.RECEIVED_PPK: 0.55,
    Stage.DISTRIBUTED_PPS: 0.25,
    Stage.RECEIVED_KPPS: 0.0,
}
# Warehouse items still awaited on the latest day: (kab/kota, item) → quantity missing.
WAREHOUSE_GAPS = {
    ("64.02", "surat-suara"): 412,  # replacements for the ballots damaged at sorting
    ("64.08", "bilik-suara"): 28,
}

# Damaged or short items: (region, item, field, quantity, first day as days before today).
ISSUES = [
    # Found while sorting and folding the ballots; Kutai Kartanegara still awaits replacements.
    ("64.02", "surat-suara", "damaged", 412, 5),
    ("64.02", "surat-suara", "short", 412, 5),
    ("64.72", "surat-suara", "damaged", 236, 4),
    ("64.71", "surat-suara", "damaged", 118, 6),
    ("64.08", "bilik-suara", "short", 28, 3),
    ("64.08.05", "kotak-suara", "short", 4, 2),  # Sandaran: the boat held back by high waves
    ("64.08.05", "bilik-suara", "short", 8, 2),
    ("64.72.01", "bilik-suara", "damaged", 6, 3),  # Palaran: soaked in the PPK's store
    ("64.02.06", "tinta", "damaged", 3, 1),  # Tenggarong: broken bottles
    ("64.07.03", "segel", "short", 40, 2),  # Long Iram
]


def demo_seed_logistics(sender, *, today: dt.date, province_code: str, **kwargs) -> int:
    """Receiver of `demo_seeded`: logistics lines for the demo reports of the last week."""
    items = logistics_items()
    if not items:
        return 0
    first_day = today - dt.timedelta(days=REPORTED_DAYS)
    reports = list(
        DailyReport.objects.filter(
            Q(region__code__startswith=f"{province_code}."),
            day__gte=first_day,
            day__lte=today,
            status__in=COUNTED_STATUSES,
        )
        .select_related("region")
        .only("id", "region__code", "region__level", "day", "created_by_id")
        .order_by("region_id", "day")
    )
    reports = [r for r in reports if r.region.level in (RegionLevel.KABKOTA, RegionLevel.KECAMATAN)]
    if not reports:
        return 0

    latest_day: dict[str, dt.date] = {}
    for report in reports:
        latest_day[report.region_id] = max(report.day, latest_day.get(report.region_id, report.day))
    required = _required_by_region_and_day(
        province_code=province_code,
        region_codes=sorted(latest_day),
        days=sorted({r.day for r in reports}),
        items=items,
    )
    hard_to_reach = _hard_to_reach_kecamatan(province_code)

    lines = []
    for report in reports:
        code = report.region_id
        need = required[(code, report.day)]
        # 0 on the window's first day, 1 on the region's latest report.
        span = (latest_day[code] - first_day).days or 1
        progress = min(1.0, (report.day - first_day).days / span)
        for item in items:
            targets = _final_shares(
                code=code,
                item=item,
                need=need[item.code],
                level=report.region.level,
                slow=code in hard_to_reach,
            )
            figures = _figures(need=need[item.code], targets=targets, progress=progress)
            figures.update(_issues(code=code, item=item, day=report.day, today=today))
            lines.append(
                LogisticsLine(
                    report_id=report.pk, item=item, updated_by_id=report.created_by_id, **figures
                )
            )
    LogisticsLine.objects.bulk_create(
        lines,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["report", "item"],
        update_fields=[*Stage.values, "damaged", "short", "updated_by"],
    )
    # The desk counted them when it filed the report, not now.
    LogisticsLine.objects.filter(report_id__in=[report.pk for report in reports]).update(
        updated_at=Coalesce(
            Subquery(
                DailyReport.objects.filter(pk=OuterRef("report_id")).values("submitted_at")[:1]
            ),
            F("updated_at"),
        )
    )
    return len(lines)


def _required_by_region_and_day(
    *,
    province_code: str,
    region_codes: list[str],
    days: list[dt.date],
    items: list[LogisticsItem],
) -> dict[tuple[str, dt.date], dict[str, int]]:
    """logistics_required for every (region, day): days on which the same contests run need the
    same quantities, so it is computed once per set of running contests (once a week, usually).
    """
    contests = list(
        Contest.objects.filter(in_subtree("region__code", province_code)).values_list(
            "id", "reporting_start", "reporting_end"
        )
    )
    by_running: dict[frozenset[int], dt.date] = {}
    for day in days:
        running = frozenset(pk for pk, start, end in contests if start <= day <= end)
        by_running.setdefault(running, day)
    computed = {
        (code, representative): logistics_required(
            region_code=code, day=representative, items=items
        )
        for representative in by_running.values()
        for code in region_codes
    }
    result = {}
    for day in days:
        running = frozenset(pk for pk, start, end in contests if start <= day <= end)
        for code in region_codes:
            result[(code, day)] = computed[(code, by_running[running])]
    return result


def _hard_to_reach_kecamatan(province_code: str) -> set[str]:
    return {
        desa_code[:8]
        for desa_code in TPS.objects.within(province_code)
        .filter(hard_to_reach=True)
        .values_list("desa_id", flat=True)
        .distinct()
    }


def _final_shares(
    *, code: str, item: LogisticsItem, need: int, level: int, slow: bool
) -> dict[str, float]:
    """Share of the requirement at each of the level's stages on the region's latest day."""
    kabkota = code[:5]
    if level == RegionLevel.KABKOTA:
        gap = WAREHOUSE_GAPS.get((code, item.code), 0)
        return {Stage.WAREHOUSE: max(0, need - gap) / need if need else 1.0}
    if kabkota == COMPLETE_KABKOTA:
        return {stage: 1.0 for stage in STAGES_KECAMATAN}
    rng = random.Random(f"logistik:{code}:{item.code}")
    pace = FINAL_STAGE_PACE.get(kabkota, DEFAULT_PACE) * (HARD_TO_REACH_FACTOR if slow else 1.0)
    kpps = min(NOT_COMPLETE_CAP, pace * rng.uniform(0.85, 1.1))
    pps = min(0.99, kpps + rng.uniform(0.1, 0.3))
    ppk = min(1.0, pps + rng.uniform(0.05, 0.25))
    return {
        Stage.RECEIVED_PPK: ppk,
        Stage.DISTRIBUTED_PPS: pps,
        Stage.RECEIVED_KPPS: kpps,
    }


STAGES_KECAMATAN = (Stage.RECEIVED_PPK, Stage.DISTRIBUTED_PPS, Stage.RECEIVED_KPPS)


def _figures(*, need: int, targets: dict[str, float], progress: float) -> dict[str, int | None]:
    """Whole quantities per stage on a day, never above the stage before (blank elsewhere)."""
    figures: dict[str, int | None] = dict.fromkeys(Stage.values)
    previous = None
    for stage in Stage.values:
        if stage not in targets:
            continue
        start = STAGE_START[stage]
        growth = 1.0 if progress >= 1 else start + (1 - start) * progress
        # The epsilon keeps a share meant to be whole (1.0, (need - gap) / need) from flooring
        # one short through float rounding.
        quantity = math.floor(need * targets[stage] * growth + 1e-9)
        if previous is not None:
            quantity = min(quantity, previous)
        figures[stage] = quantity
        previous = quantity
    figures["damaged"] = 0
    figures["short"] = 0
    return figures


def _issues(*, code: str, item: LogisticsItem, day: dt.date, today: dt.date) -> dict[str, int]:
    return {
        field: quantity
        for region, item_code, field, quantity, days_before in ISSUES
        if region == code
        and item_code == item.code
        and day >= today - dt.timedelta(days=days_before)
    }
