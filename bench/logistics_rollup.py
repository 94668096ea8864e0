"""Time the logistics rollup (logistics/rollups.py) on the whole country for one day.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pd_bench_logistics \\
        .venv/bin/python bench/logistics_rollup.py
    .venv/bin/python bench/logistics_rollup.py --provinces 64     # one province: a quick run

Runs in a throwaway test database. The regions, TPS and reports are bench/rollup.py's dataset
(its builder functions are reused: 7,277 kecamatan, ≈435,000 TPS, two days of reports with a few
drafts and returned ones); on top of it this adds a governor contest for every province and a
bupati/wali kota contest for every kab/kota, running on the day, and logistics lines for every
report of a kab/kota (warehouse) or kecamatan (PPK → PPS → KPPS): every catalogue item, with
most kecamatan close to their requirement, so that completeness varies.

Then it times logistics_rollup for every kecamatan, every kab/kota and every provinsi of the day,
as a rebuild calls it (one call per level; first run inserts the rows, warm runs update them),
and the incremental rollup of one kecamatan's chain (one call with its kecamatan, kab/kota and
provinsi, as readiness.rollups.rollup_region_and_ancestors makes it). The figures are checked:
kab/kota and province rows equal the sums of the rows below them, and the country's required
quantities equal selectors.logistics_required summed over the provinces.

Target: a few seconds at most for the national rollup on PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

# isort: off
# First: bench/rollup.py puts the project on sys.path and sets Django up, then builds the dataset.
import rollup as base

# isort: on

from django.db import connection
from django.db.models import Sum

from logistics.models import LogisticsItem, LogisticsLine, LogisticsRollup
from logistics.rollups import logistics_rollup
from logistics.selectors import logistics_required_grouped
from readiness import codes
from readiness.models import (
    TPS,
    Contest,
    ContestKind,
    DailyReport,
    Region,
    RegionLevel,
    User,
)

DAY = base.DAY
LEVELS = ((RegionLevel.KECAMATAN, "kecamatan"), (RegionLevel.KABKOTA, "kab/kota"), (1, "provinsi"))
SUMMED = ("required", "warehouse", "received_ppk", "received_kpps", "units_expected")


def main() -> None:
    args = _parse_args()
    base.in_throwaway_database(lambda: _run(args))


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", type=Path, default=base.NATIONAL_LIST)
    parser.add_argument("--provinces", default="", help="comma-separated province codes to keep")
    parser.add_argument("--tps-per-desa", type=float, default=5.2)
    parser.add_argument("--repeat", type=int, default=3, help="warm runs of the national rollup")
    parser.add_argument("--samples", type=int, default=20, help="kecamatan for the incremental")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--profile", action="store_true", help="also list the kecamatan level's statements by cost"
    )
    return parser.parse_args()


def _run(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    print(f"command:  {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"database: {base._database_version()}")
    print(f"day:      {DAY}  (throwaway test database {connection.settings_dict['NAME']})")

    print("\nbuilding the dataset")
    build: dict[str, float] = {}
    started = time.perf_counter()
    base.regions_load(args.csv, args.provinces)
    build["regions"] = time.perf_counter() - started
    started = time.perf_counter()
    tps_per_kecamatan = base._build_tps(rng, args.tps_per_desa)
    build["TPS"] = time.perf_counter() - started
    started = time.perf_counter()
    base._build_reports(rng, tps_per_kecamatan)
    _build_contests()
    build["reports and contests"] = time.perf_counter() - started
    started = time.perf_counter()
    line_count = _build_lines(rng)
    build["logistics lines"] = time.perf_counter() - started
    started = time.perf_counter()
    base._analyze()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE logistics_logisticsline, readiness_contest")
    build["ANALYZE"] = time.perf_counter() - started

    targets = {
        level: list(
            Region.objects.filter(level=level, is_active=True)
            .order_by("code")
            .values_list("code", flat=True)
        )
        for level, _name in LEVELS
    }
    print(
        f"  {len(targets[3]):,} kecamatan, {len(targets[2]):,} kab/kota, {len(targets[1]):,} "
        f"provinsi; {TPS.objects.count():,} TPS; {line_count:,} logistics lines; "
        f"{LogisticsItem.objects.filter(is_active=True).count()} items"
    )
    for label, seconds in build.items():
        print(f"  {label:28s} {base._s(seconds)}")

    first = _national(targets)
    warm = [_national(targets) for _ in range(args.repeat)]
    checked = _check(targets)
    incremental = _incremental(rng, targets[3], args.samples)

    print(f"\nresults (checked: {checked:,} rows; {args.repeat} warm runs)")
    print(
        f"  {'logistics_rollup, one call per level':44s} {'first':>10s} {'best':>10s} {'median':>10s}"
    )
    for level, name in LEVELS:
        times = [run[level] for run in warm]
        print(
            f"  {f'{name} ({len(targets[level]):,} regions)':44s} {base._ms(first[level]):>10s} "
            f"{base._ms(min(times)):>10s} {base._ms(statistics.median(times)):>10s}"
        )
    totals = [sum(run.values()) for run in warm]
    rows = LogisticsRollup.objects.filter(day=DAY).count()
    print(
        f"  {f'national total ({rows:,} rows)':44s} {base._ms(sum(first.values())):>10s} "
        f"{base._ms(min(totals)):>10s} {base._ms(statistics.median(totals)):>10s}"
    )
    print(f"\n  {'':44s} {'median':>10s} {'p95':>10s} {'max':>10s}")
    print(
        f"  {f'kecamatan + ancestors, one call (n={len(incremental)})':44s} "
        f"{base._ms(statistics.median(incremental)):>10s} {base._ms(base._p95(incremental)):>10s} "
        f"{base._ms(max(incremental)):>10s}"
    )
    if args.profile:
        _profile(targets[RegionLevel.KECAMATAN])


def _build_contests() -> None:
    voting_day = dt.date(2024, 11, 27)
    start, end = voting_day - dt.timedelta(days=60), voting_day + dt.timedelta(days=7)
    Contest.objects.bulk_create(
        Contest(
            region_id=code,
            kind=ContestKind.GOVERNOR
            if level == RegionLevel.PROVINSI
            else ContestKind.MAYOR
            if codes.is_kota(code)
            else ContestKind.REGENT,
            voting_day=voting_day,
            reporting_start=start,
            reporting_end=end,
        )
        for code, level in Region.objects.filter(level__lte=RegionLevel.KABKOTA).values_list(
            "code", "level"
        )
    )


def _build_lines(rng: random.Random) -> int:
    """Lines for every kab/kota and kecamatan report, every item; returns how many."""
    items = list(LogisticsItem.objects.filter(is_active=True))
    tps = TPS.objects.filter(is_active=True)
    need = logistics_required_grouped(tps=tps, prefix_length=8, day=DAY, items=items)
    warehouse = logistics_required_grouped(tps=tps, prefix_length=5, day=DAY, items=items)
    officer = User.objects.get(username="bench.officer")
    lines = []
    for report_id, region_code in DailyReport.objects.filter(
        region__level__in=[RegionLevel.KABKOTA, RegionLevel.KECAMATAN]
    ).values_list("id", "region_id"):
        for item in items:
            if codes.level_of(region_code) == RegionLevel.KABKOTA:
                required = warehouse.get(region_code, {}).get(item.code, 0)
                figures = {"warehouse": round(required * rng.uniform(0.2, 1.0))}
            else:
                required = need.get(region_code, {}).get(item.code, 0)
                ppk = round(required * rng.uniform(0.8, 1.05))
                pps = round(ppk * rng.uniform(0.9, 1.0))
                kpps = pps if rng.random() < 0.7 else round(pps * rng.uniform(0.5, 1.0))
                figures = {"received_ppk": ppk, "distributed_pps": pps, "received_kpps": kpps}
            lines.append(
                LogisticsLine(
                    report_id=report_id,
                    item=item,
                    updated_by=officer,
                    damaged=rng.randint(0, 3) if rng.random() < 0.1 else None,
                    **figures,
                )
            )
    LogisticsLine.objects.bulk_create(lines, batch_size=base.BATCH)
    return len(lines)


def _national(targets: dict[int, list[str]]) -> dict[int, float]:
    timings = {}
    for level, _name in LEVELS:
        started = time.perf_counter()
        logistics_rollup(region_codes=targets[level], day=DAY)
        timings[level] = time.perf_counter() - started
    return timings


def _check(targets: dict[int, list[str]]) -> int:
    """Parents equal the sums of their children (plus the kab/kota warehouse, which only the
    kab/kota rows have from their own desk), and the country's requirement is the selector's."""
    rows = {
        (code, item): figures
        for code, item, *figures in LogisticsRollup.objects.filter(day=DAY).values_list(
            "region_id", "item_id", *SUMMED
        )
    }
    sums: Counter[tuple[str, int, str]] = Counter()
    for (code, item), figures in rows.items():
        if codes.level_of(code) == RegionLevel.KECAMATAN:
            for field, value in zip(SUMMED, figures, strict=True):
                if field != "warehouse":
                    sums[code[:5], item, field] += value
        if codes.level_of(code) == RegionLevel.KABKOTA:
            for field, value in zip(SUMMED, figures, strict=True):
                sums[code[:2], item, field] += value
    for (code, item), figures in rows.items():
        if codes.level_of(code) == RegionLevel.KECAMATAN:
            continue
        for field, value in zip(SUMMED, figures, strict=True):
            if field == "warehouse" and codes.level_of(code) == RegionLevel.KABKOTA:
                continue
            if sums[code, item, field] != value:
                raise SystemExit(f"MISMATCH {code} item {item} {field}: {value} != sums")
    items = list(LogisticsItem.objects.filter(is_active=True))
    selector = Counter()
    for quantities in logistics_required_grouped(
        tps=TPS.objects.filter(is_active=True), prefix_length=5, day=DAY, items=items
    ).values():
        selector.update(quantities)
    stored = dict(
        LogisticsRollup.objects.filter(day=DAY, region__level=1)
        .values("item__code")
        .annotate(total=Sum("required"))
        .values_list("item__code", "total")
    )
    if stored != dict(selector):
        raise SystemExit(f"MISMATCH national required: {stored} != {dict(selector)}")
    return len(rows)


def _incremental(rng: random.Random, kecamatan: list[str], samples: int) -> list[float]:
    timings = []
    for index, code in enumerate(rng.sample(kecamatan, min(samples + 1, len(kecamatan)))):
        started = time.perf_counter()
        logistics_rollup(region_codes=[*codes.ancestor_codes(code), code], day=DAY)
        if index:  # the first one warms up
            timings.append(time.perf_counter() - started)
    return timings


def _profile(kecamatan: list[str]) -> None:
    """Where the kecamatan level's time goes: each statement timed on the client."""
    captured: list[tuple[str, float]] = []

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append((sql, time.perf_counter() - started))

    with connection.execute_wrapper(timer):
        started = time.perf_counter()
        logistics_rollup(region_codes=kecamatan, day=DAY)
        wall = time.perf_counter() - started
    in_database = sum(seconds for _sql, seconds in captured)
    print(f"\nprofile of the kecamatan level: {len(captured)} statements, {base._ms(wall)} wall")
    for sql, seconds in sorted(captured, key=lambda item: -item[1])[:8]:
        print(f"  {base._ms(seconds):>10s}  {sql[:110]}")
    print(f"  {base._ms(wall - in_database):>10s}  outside execute (ORM, Python, fetching)")


if __name__ == "__main__":
    main()
