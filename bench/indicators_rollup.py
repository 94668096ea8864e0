"""Time the indicator rollups (indicators.rollups) on the whole country for one day.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pd_bench_indicators \\
        .venv/bin/python bench/indicators_rollup.py
    .venv/bin/python bench/indicators_rollup.py --provinces 64     # one province: a quick run

Runs in a throwaway test database. It reuses bench/rollup.py's dataset: the national region list
(37 provinsi, 514 kab/kota, 7,277 kecamatan) and its two days of reports (most desks, a few
drafts and returned ones, which must not count), without the TPS (indicator rollups never read
them). On top it adds a governor contest per province and a regent or mayor contest per kab/kota
(the period a flow is summed over), and values of three indicators in every kecamatan report: a
flow (sosialisasi, SUM), a stock (pemilih-pindahan, LATEST) and a peak (a MAX indicator made
here); the rest of the seeded catalogue stays active, as in production. Then it times, warm:

- indicator_rollup for every kecamatan, then every kab/kota, then every provinsi of the day, as
  a national rebuild calls it: the first run, which inserts every row (a day nothing rolled up
  yet), then --repeat runs over rows that are already right (the usual catch-up rebuild, after
  the day's submissions rolled their chains up), best and median;
- one submission's chain (its kecamatan, kab/kota and provinsi in one call, as the engine makes
  it), on --samples kecamatan (median and p95).

The province rows are checked against a plain-Python sum of the values read straight from the
table. Target: the national rebuild in a few seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# Sets up Django (test settings) and holds the dataset builder this bench reuses.
import rollup as base
from django.db import connection

from indicators.models import (
    Aggregation,
    Indicator,
    IndicatorRollup,
    IndicatorValue,
)
from indicators.rollups import indicator_rollup
from readiness import codes
from readiness.models import (
    COUNTED_STATUSES,
    Contest,
    ContestKind,
    DailyReport,
    Region,
    RegionLevel,
    User,
)

DAY = base.DAY
LEVELS = ((RegionLevel.KECAMATAN, "kecamatan"), (RegionLevel.KABKOTA, "kab/kota"))
LEVELS += ((RegionLevel.PROVINSI, "provinsi"),)


def main() -> None:
    args = _parse_args()
    base.in_throwaway_database(lambda: _run(args))


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", type=Path, default=base.NATIONAL_LIST, help="kode,nama list")
    parser.add_argument("--provinces", default="", help="comma-separated province codes to keep")
    parser.add_argument("--repeat", type=int, default=3, help="timed national runs")
    parser.add_argument("--samples", type=int, default=20, help="chains of one submission")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--profile", action="store_true", help="also list the statements of one national run"
    )
    return parser.parse_args()


def _run(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    print(f"command:  {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"database: {base._database_version()}")
    print(
        f"day:      {DAY}  (DEBUG off, throwaway test database {connection.settings_dict['NAME']})"
    )

    print("\nbuilding the dataset")
    build = {}
    started = time.perf_counter()
    base.regions_load(args.csv, args.provinces)
    build["regions (regions_import)"] = time.perf_counter() - started

    started = time.perf_counter()
    base._build_reports(rng, {})  # no TPS: their figures are not what is timed here
    build["reports (bench/rollup.py)"] = time.perf_counter() - started

    started = time.perf_counter()
    contests = _build_contests()
    indicators = _build_indicators()
    values = _build_values(rng, indicators)
    build["contests, indicator values"] = time.perf_counter() - started

    started = time.perf_counter()
    base._analyze()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE indicators_indicatorvalue, readiness_contest")
    build["ANALYZE"] = time.perf_counter() - started

    by_level = defaultdict(list)
    for code, level in Region.objects.filter(level__lte=3, is_active=True).values_list(
        "code", "level"
    ):
        by_level[level].append(code)
    print(
        f"  regions:  {len(by_level[1]):,} provinsi, {len(by_level[2]):,} kab/kota, "
        f"{len(by_level[3]):,} kecamatan (active)"
    )
    print(f"  contests: {contests:,}; indicator values: {values:,} ({len(indicators)} indicators)")
    for label, seconds in build.items():
        print(f"  {label:28s} {base._s(seconds)}")

    def national() -> dict[int, float]:
        taken = {}
        for level, _name in LEVELS:
            started = time.perf_counter()
            indicator_rollup(region_codes=by_level[level], day=DAY)
            taken[level] = time.perf_counter() - started
        return taken

    first = national()
    runs = [national() for _ in range(args.repeat)]
    checked = _check(indicators, by_level[RegionLevel.PROVINSI])
    rebuilt = _stored_rows()
    chains = _chains(rng, by_level[RegionLevel.KECAMATAN], args.samples)
    if _stored_rows() != rebuilt:
        print("\nMISMATCH: a chain's one call changed rows that the per-level calls wrote")
        raise SystemExit(1)

    written = Counter(
        IndicatorRollup.objects.filter(day=DAY).values_list("region__level", flat=True)
    )
    print(
        f"\nresults ({args.repeat} warm runs; checked: {checked} province figures equal a plain "
        "sum of the values, and the chains left every row as the per-level calls wrote it)"
    )
    print(f"  {'':40s} {'rows':>7s} {'first':>10s} {'best':>10s} {'median':>10s}")
    for level, name in LEVELS:
        timings = [run[level] for run in runs]
        print(
            f"  {f'indicator_rollup, every {name}':40s} {written[level]:>7,} "
            f"{base._ms(first[level]):>10s} {base._ms(min(timings)):>10s} "
            f"{base._ms(statistics.median(timings)):>10s}"
        )
    totals = [sum(run.values()) for run in runs]
    print(
        f"  {'national rebuild (the three levels)':40s} {sum(written.values()):>7,} "
        f"{base._ms(sum(first.values())):>10s} {base._ms(min(totals)):>10s} "
        f"{base._ms(statistics.median(totals)):>10s}"
    )
    print(f"\n  {'':40s} {'median':>10s} {'p95':>10s} {'max':>10s}")
    print(
        f"  {f'one submission: its chain (n={len(chains)})':40s} "
        f"{base._ms(statistics.median(chains)):>10s} {base._ms(base._p95(chains)):>10s} "
        f"{base._ms(max(chains)):>10s}"
    )

    if args.profile:
        _profile(by_level)


def _profile(by_level: dict[int, list[str]]) -> None:
    """Each statement of one national run with its time; EXPLAIN ANALYZE of the slowest."""
    captured: list[tuple[int, str, object, float]] = []

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append((level, sql, params, time.perf_counter() - started))

    with connection.execute_wrapper(timer):
        for level, _name in LEVELS:
            indicator_rollup(region_codes=by_level[level], day=DAY)
    print("\nprofile of one national run (level, ms, statement)")
    for level, sql, _params, seconds in captured:
        print(f"  {level} {base._ms(seconds):>10s}  {' '.join(sql.split())[:110]}")
    if connection.vendor == "postgresql":
        _level, sql, params, _seconds = max(captured, key=lambda item: item[3])
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            for (line,) in cursor.fetchall():
                print(f"  {line[:170]}")


def _build_contests() -> int:
    """A governor contest per province, a regent or mayor contest per kab/kota, all voting on
    27 November 2024 with reports from 30 days before."""
    voting_day = dt.date(2024, 11, 27)
    rows = [
        Contest(
            region_id=code,
            kind=ContestKind.GOVERNOR
            if level == RegionLevel.PROVINSI
            else ContestKind.MAYOR
            if codes.is_kota(code)
            else ContestKind.REGENT,
            voting_day=voting_day,
            reporting_start=voting_day - dt.timedelta(days=30),
            reporting_end=voting_day + dt.timedelta(days=7),
        )
        for code, level in Region.objects.filter(level__lte=2).values_list("code", "level")
    ]
    Contest.objects.bulk_create(rows, batch_size=base.BATCH)
    return len(rows)


def _build_indicators() -> list[Indicator]:
    """The seeded flow and stock of the kecamatan desks, and a peak made here."""
    peak, _ = Indicator.objects.get_or_create(
        code="peserta-kampanye-terbanyak",
        defaults={
            "name": "Peserta kampanye terbanyak",
            "unit": "orang",
            "aggregation": Aggregation.MAX,
            "for_kecamatan": True,
        },
    )
    return [
        Indicator.objects.get(code="sosialisasi"),
        Indicator.objects.get(code="pemilih-pindahan"),
        peak,
    ]


def _build_values(rng: random.Random, indicators: list[Indicator]) -> int:
    """A value of each indicator in every kecamatan report (drafts and returned ones too)."""
    officer = User.objects.get(username="bench.officer")
    ranges = {Aggregation.SUM: (0, 6), Aggregation.LATEST: (0, 400), Aggregation.MAX: (0, 900)}
    rows = [
        IndicatorValue(
            report_id=report_id,
            indicator=indicator,
            value=Decimal(rng.randint(*ranges[indicator.aggregation])),
            updated_by=officer,
        )
        for report_id in DailyReport.objects.filter(region__level=RegionLevel.KECAMATAN)
        .order_by("pk")
        .values_list("pk", flat=True)
        for indicator in indicators
    ]
    IndicatorValue.objects.bulk_create(rows, batch_size=base.BATCH)
    return len(rows)


def _check(indicators: list[Indicator], provinces: list[str]) -> int:
    """Each province's stored figure of each indicator against a plain Python computation from
    every counted value (the bench's contests all start before both days)."""
    per_desk: dict[tuple[str, int], list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for code, day, indicator, value in IndicatorValue.objects.filter(
        report__status__in=COUNTED_STATUSES, report__day__lte=DAY
    ).values_list("report__region_id", "report__day", "indicator_id", "value"):
        per_desk[code, indicator].append((day, value))
    expected: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for (code, indicator_id), said in per_desk.items():
        aggregation = next(i.aggregation for i in indicators if i.pk == indicator_id)
        said.sort()
        figure = {
            Aggregation.SUM: sum(value for _day, value in said),
            Aggregation.LATEST: said[-1][1],
            Aggregation.MAX: max(value for _day, value in said),
        }[aggregation]
        expected[codes.province_code(code), indicator_id] += figure
    stored = dict(
        ((code, indicator), value)
        for code, indicator, value in IndicatorRollup.objects.filter(
            day=DAY, region_id__in=provinces
        ).values_list("region_id", "indicator_id", "value")
    )
    if stored != dict(expected):
        differ = sorted(
            k for k in expected.keys() | stored.keys() if expected.get(k) != stored.get(k)
        )
        print(f"\nMISMATCH at {len(differ)} province figures, e.g.:")
        for key in differ[:10]:
            print(f"  {key}: stored {stored.get(key)} != expected {expected.get(key)}")
        raise SystemExit(1)
    return len(stored)


def _stored_rows() -> set[tuple]:
    """Every stored rollup row of the day, computed_at included (a run that rewrites a row it
    found right shows too)."""
    return set(IndicatorRollup.objects.filter(day=DAY).values_list())


def _chains(rng: random.Random, kecamatan: list[str], samples: int) -> list[float]:
    """The call one submission makes (its kecamatan, kab/kota and provinsi at once, as
    readiness.rollups.rollup_region_and_ancestors passes them), on `samples` kecamatan."""
    timings = []
    for index, code in enumerate(rng.sample(kecamatan, min(samples + 1, len(kecamatan)))):
        chain = [code[: codes.code_length_at_level(level)] for level, _name in LEVELS]
        started = time.perf_counter()
        indicator_rollup(region_codes=sorted(chain), day=DAY)
        if index:  # the first one warms up
            timings.append(time.perf_counter() - started)
    return timings


if __name__ == "__main__":
    main()
