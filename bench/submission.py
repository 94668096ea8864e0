"""Time what one submission costs the worker: the rollup of its chain, every section included.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pd_bench_submission \\
        .venv/bin/python bench/submission.py
    .venv/bin/python bench/submission.py --provinces 35     # one province: a quick run

Runs in a throwaway test database holding the whole country with every section filled, built
by the other benches' builders: the national region list and ≈435,000 TPS and two days of
reports (bench/rollup.py), a governor, bupati or wali kota contest everywhere, logistics lines
for every kab/kota and kecamatan report (bench/logistics_rollup.py), personnel lines and 2,000
incidents with their timelines (bench/security_rollup.py), and three indicators' values in every
kecamatan report (bench/indicators_rollup.py), and --history-days of older kecamatan reports
(by H-4 a desk has filed since H-30: stock lookups walk past them). The day is rebuilt once, as
the nightly job
leaves it, then --samples kecamatan each submit a changed report and the worker's task body,
``rollup_region_and_ancestors``, is timed: its median and p95, and where the time goes (the
readiness figures and each section's hook; statements counted). Twice: as the engine runs it
(the kab/kota and province added up from their children's stored rows, since the day is rolled
up everywhere), then with every region of the chain read from source, as on a day that is not.

Target (issue #4): one submission updates its ancestors in tens of milliseconds.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import datetime as dt
import os
import pstats
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# isort: off
# First: bench/rollup.py puts the project on sys.path and sets Django up.
import rollup as base
import indicators_rollup
import logistics_rollup
import security_rollup

# isort: on

from django.db import connection
from django.utils import timezone

from readiness import rollups, sections
from readiness.models import DailyReport, DailyRollup, Region, RegionLevel, ReportStatus, User

DAY = base.DAY
SAVEPOINT_NAME = re.compile(r'"s\d+_x\d+"')


def main() -> None:
    args = _parse_args()
    base.in_throwaway_database(lambda: _run(args))


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", type=Path, default=base.NATIONAL_LIST)
    parser.add_argument("--provinces", default="", help="comma-separated province codes to keep")
    parser.add_argument("--tps-per-desa", type=float, default=5.2)
    parser.add_argument("--incidents", type=int, default=2000)
    parser.add_argument("--samples", type=int, default=30, help="submissions timed")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--history-days",
        type=int,
        default=25,
        help="days of older kecamatan reports (no lines) before the two built ones: at H-4 a "
        "desk has filed since H-30",
    )
    parser.add_argument(
        "--statements", action="store_true", help="also list a chain's statements, timed"
    )
    parser.add_argument(
        "--cprofile", action="store_true", help="also profile the chains in Python (cProfile)"
    )
    return parser.parse_args()


def _run(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    print(f"command:  {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"database: {base._database_version()}")
    print(f"day:      {DAY}  (DEBUG off, throwaway database {connection.settings_dict['NAME']})")

    print("\nbuilding the dataset")
    started = time.perf_counter()
    base.regions_load(args.csv, args.provinces)
    tps_per_kecamatan = base._build_tps(rng, args.tps_per_desa)
    contests = base._build_contests()
    base._build_reports(rng, tps_per_kecamatan)
    logistics_lines = logistics_rollup._build_lines(rng)
    personnel_lines = security_rollup._build_personnel(rng, tps_per_kecamatan)
    incidents, _updates = security_rollup._build_incidents(rng, args.incidents)
    indicator_values = indicators_rollup._build_values(rng, indicators_rollup._build_indicators())
    history = _build_history(args.history_days)
    base._analyze()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"  {Region.objects.filter(level=RegionLevel.KECAMATAN).count():,} kecamatan, "
        f"{sum(tps_per_kecamatan.values()):,} active TPS, {contests:,} contests, "
        f"{DailyReport.objects.count():,} reports, {logistics_lines:,} logistics lines, "
        f"{personnel_lines:,} personnel lines, {incidents:,} incidents, "
        f"{indicator_values:,} indicator values; {history:,} older reports "
        f"({args.history_days} days before those two)"
    )
    print(f"  built in {base._s(time.perf_counter() - started)}")

    started = time.perf_counter()
    rollups.rollup_rebuild_day(day=DAY)
    print(f"  the day rebuilt (every section) in {base._s(time.perf_counter() - started)}")

    profiler = cProfile.Profile() if args.cprofile else None
    for from_source in (False, True):
        # The profile covers the engine's own path only (the first pass).
        if profiler and not from_source:
            profiler.enable()
        spent, statements, chains, added_up = _chains(
            rng,
            tps_per_kecamatan,
            args.samples,
            args.statements and not from_source,
            from_source=from_source,
        )
        if profiler:
            profiler.disable()
        print(
            "\none submission's chain, "
            + (
                "every region read from source (a day not yet rolled up)"
                if from_source
                else "upper regions added up from their children's stored rows where they can"
            )
            + f"\n  warm: n={len(chains)}, the first of {len(chains) + 1} warms up; "
            f"regions added up per chain: {dict(sorted(Counter(added_up).items()))}"
        )
        print(f"  {'':44s} {'median':>10s} {'p95':>10s} {'max':>10s}")
        print(
            f"  {'rollup_region_and_ancestors, every section':44s} "
            f"{base._ms(statistics.median(chains)):>10s} {base._ms(base._p95(chains)):>10s} "
            f"{base._ms(max(chains)):>10s}"
        )
        print(f"  statements per chain: median {statistics.median(statements):.0f}")
        print(f"\n  where it goes (median per chain) {'':12s} {'median':>10s}")
        for part, timings in spent.items():
            print(f"  {part:44s} {base._ms(statistics.median(timings)):>10s}")
    if profiler:
        print("\nPython profile of the chains whose upper regions are added up (top 40)")
        pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(
            40
        )


def _build_history(days: int) -> int:
    """A submitted report for every kecamatan on each of `days` days before the two days the
    other benches build, without lines: the history that stock lookups walk past by polling
    day (each desk's latest report is still one of the two built days)."""
    officer = User.objects.get(username="bench.officer")
    kecamatan = list(
        Region.objects.filter(level=RegionLevel.KECAMATAN).values_list("code", flat=True)
    )
    reports = []
    for back in range(2, days + 2):
        day = DAY - dt.timedelta(days=back)
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(15, 0)), dt.UTC)
        reports += [
            DailyReport(
                region_id=code,
                day=day,
                status=ReportStatus.SUBMITTED,
                tps_ready=0,
                tps_problem=0,
                created_by=officer,
                updated_by=officer,
                updated_at=at,
                submitted_by=officer,
                submitted_at=at,
            )
            for code in kecamatan
        ]
    DailyReport.objects.bulk_create(reports, batch_size=base.BATCH)
    return len(reports)


def _chains(
    rng: random.Random,
    tps_per_kecamatan: dict[str, int],
    samples: int,
    show_statements: bool,
    *,
    from_source: bool,
):
    """Submit a changed report for `samples` + 1 kecamatan and time each one's chain; with
    `from_source`, every region of the chain is read from source (as on a day not yet rolled
    up), otherwise the engine adds the upper regions up from their children's stored rows
    where it can (readiness.rollups._children_standing_in)."""
    added_up: list[int] = []
    kecamatan = sorted(
        DailyRollup.objects.filter(day=DAY, region__level=RegionLevel.KECAMATAN).values_list(
            "region_id", flat=True
        )
    )
    chosen = rng.sample(kecamatan, min(samples + 1, len(kecamatan)))
    officer = User.objects.get(username="bench.officer")
    spent: dict[str, list[float]] = defaultdict(list)
    current: dict[str, float] = defaultdict(float)
    statements: list[int] = []
    by_statement: dict[str, list[float]] = defaultdict(list)
    last_chain: list[tuple[float, str, object]] = []

    def timed(name: str, hook):
        def run(**kwargs):
            started = time.perf_counter()
            try:
                return hook(**kwargs)
            finally:
                current[name] += time.perf_counter() - started

        return run

    def timed_upsert(upsert):
        def run(**kwargs):
            started = time.perf_counter()
            try:
                return upsert(**kwargs)
            finally:
                current["readiness (its own figures)"] += time.perf_counter() - started

        return run

    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            taken = time.perf_counter() - started
            current["(of which executing statements)"] += taken
            statement = SAVEPOINT_NAME.sub("…", sql)[:90]
            by_statement[f"{count:02d} {statement}"].append(taken)
            last_chain.append((taken, sql, params))

    # The hooks wrapped in timers (sections are frozen: the registry lookup is swapped instead).
    rolled_up = sections.rolled_up
    wrapped = [
        dataclasses.replace(section, rollup=timed(section.key, section.rollup))
        for section in rolled_up()
    ]
    sections.rolled_up = lambda: wrapped
    readiness_own = rollups._readiness_upsert
    rollups._readiness_upsert = timed_upsert(readiness_own)
    readiness_added_up = rollups._readiness_from_children
    rollups._readiness_from_children = timed_upsert(readiness_added_up)
    standing_in = rollups._children_standing_in

    def counted_standing_in(**kwargs):
        borrowed = {} if from_source else standing_in(**kwargs)
        added_up.append(len(borrowed))
        return borrowed

    rollups._children_standing_in = counted_standing_in
    timings = []
    try:
        for index, code in enumerate(chosen):
            base.submit(rng, officer, code, tps_per_kecamatan.get(code, 0))
            current.clear()
            last_chain.clear()
            count = 0
            started = time.perf_counter()
            with connection.execute_wrapper(counter):
                rollups.rollup_region_and_ancestors(region_code=code, day=DAY)
            if index:  # the first one warms up
                timings.append(time.perf_counter() - started)
                statements.append(count)
                for part, seconds in current.items():
                    spent[part].append(seconds)
    finally:
        sections.rolled_up = rolled_up
        rollups._readiness_upsert = readiness_own
        rollups._readiness_from_children = readiness_added_up
        rollups._children_standing_in = standing_in
    if show_statements:
        print("\nstatements of a chain, in order (median over the chains; first 90 characters)")
        for statement, taken in sorted(by_statement.items()):
            print(f"  {base._ms(statistics.median(taken)):>9s}  {statement}")
        if connection.vendor == "postgresql":
            print(f"\nthe last chain's ({chosen[-1]}) three slowest statements, explained")
            for _taken, sql, params in sorted(last_chain, key=lambda run: -run[0])[:3]:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                    print("\n".join(f"  {line[:150]}" for (line,) in cursor.fetchall()))
    return dict(sorted(spent.items())), statements, timings, added_up[1:]


if __name__ == "__main__":
    main()
