"""Time the rollup engine on the whole country for one day, against one hand-written SQL query.

    make bench                   # SQLite (embedded default; slow at national scale)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilkada_desk make bench
    .venv/bin/python bench/rollup.py --provinces 64     # one province: a quick run
    .venv/bin/python bench/rollup.py --profile          # + the rebuild's queries by cost

Runs in a throwaway test database. It loads the national region list
(../shared/data/wilayah_kemendagri_2022.csv: 37 provinsi, as the 2022 list predates Papua Barat
Daya, 514 kab/kota, 7,277 kecamatan, 83,763 desa), generates ≈5.2 TPS per desa (≈435,000 TPS,
deterministic) and one day of reports: a report for most kecamatan (≈5% missing; a few drafts
and returned ones, which must not count), and own reports for most kab/kota and some provinces.
Then it times, warm:

- the full rebuild, ``rollup_rebuild_day(day=...)`` (best and median of --repeat runs);
- the incremental update after one submission, ``rollup_region_and_ancestors`` on --samples
  different kecamatan (median and p95);
- ONE hand-written read-only SQL query computing the same per-region figures straight from
  readiness_tps, readiness_region and readiness_dailyreport. Its result must equal what the
  rebuild wrote to readiness_dailyrollup for every region (checked), so the comparison is fair.

Target: the full rebuild within 2x that SQL query; one submission in tens of milliseconds.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilkada_desk.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import (  # noqa: E402
    setup_databases,
    setup_test_environment,
    teardown_databases,
    teardown_test_environment,
)
from django.utils import timezone  # noqa: E402

from readiness import codes, sections  # noqa: E402
from readiness.models import (  # noqa: E402
    COUNTED_STATUSES,
    TPS,
    Contest,
    ContestKind,
    DailyReport,
    DailyRollup,
    Region,
    RegionLevel,
    ReportStatus,
    Role,
    Situation,
    TPSKind,
    User,
    Vulnerability,
)
from readiness.regions import read_region_csv, regions_import  # noqa: E402
from readiness.rollups import rollup_rebuild_day, rollup_region_and_ancestors  # noqa: E402

NATIONAL_LIST = ROOT.parent / "shared" / "data" / "wilayah_kemendagri_2022.csv"
DAY = dt.date(2024, 11, 23)  # H-4 before the 27 November 2024 Pilkada
BATCH = 5000
TARGET_RATIO = 2.0

FIGURES = (
    "tps_total",
    "tps_ready",
    "tps_problem",
    "kecamatan_expected",
    "kecamatan_reported",
    "kabkota_expected",
    "kabkota_reported",
    "has_own_report",
)

# The same per-region figures as readiness.rollups writes, straight from the source tables, in
# one read-only statement. TPS are counted once per kecamatan (by the prefix of their desa code),
# joined with that day's counted kecamatan reports, then summed per kecamatan, kab/kota and
# province by code prefix. Every active region of levels 1-3 gets a row, as in the rebuild.
# Portable (PostgreSQL and SQLite): UNION ALL rather than GROUPING SETS, CASE rather than FILTER.
TOTALS_SQL = """
WITH tps AS (
    SELECT substr(desa_id, 1, 8) AS kecamatan, count(*) AS n
    FROM readiness_tps
    WHERE is_active
    GROUP BY substr(desa_id, 1, 8)
),
counted AS (
    SELECT region_id
    FROM readiness_dailyreport
    WHERE day = %(day)s AND status IN (%(submitted)s, %(verified)s)
),
covered AS (  -- provinces and kab/kota holding a contest in its reporting period
    SELECT DISTINCT region_id AS code
    FROM readiness_contest
    WHERE reporting_start <= %(day)s AND reporting_end >= %(day)s
),
desks AS (  -- desks owing a report: active, under a contest of their province or kab/kota
    SELECT r.code, r.level, CASE WHEN c.region_id IS NULL THEN 0 ELSE 1 END AS reported
    FROM readiness_region r
    LEFT JOIN counted c ON c.region_id = r.code
    WHERE r.level IN (2, 3) AND r.is_active
      AND (substr(r.code, 1, 2) IN (SELECT code FROM covered)
           OR substr(r.code, 1, 5) IN (SELECT code FROM covered))
),
stock AS (  -- each desk's latest counted report on or before the day
    SELECT d.region_id, d.tps_ready, d.tps_problem
    FROM readiness_dailyreport d
    JOIN (
        SELECT region_id, max(day) AS day
        FROM readiness_dailyreport
        WHERE day <= %(day)s AND status IN (%(submitted)s, %(verified)s)
        GROUP BY region_id
    ) latest ON latest.region_id = d.region_id AND latest.day = d.day
),
per_kecamatan AS (
    SELECT k.code,
           substr(k.code, 1, 5) AS kabkota,
           substr(k.code, 1, 2) AS provinsi,
           coalesce(tps.n, 0) AS tps_total,
           coalesce(s.tps_ready, 0) AS tps_ready,
           coalesce(s.tps_problem, 0) AS tps_problem,
           CASE WHEN d.code IS NULL THEN 0 ELSE 1 END AS expected,
           coalesce(d.reported, 0) AS reported
    FROM readiness_region k
    LEFT JOIN tps ON tps.kecamatan = k.code
    LEFT JOIN desks d ON d.code = k.code
    LEFT JOIN stock s ON s.region_id = k.code
    WHERE k.level = 3
),
totals AS (
    SELECT code, sum(tps_total) AS tps_total, sum(tps_ready) AS tps_ready,
           sum(tps_problem) AS tps_problem, sum(expected) AS kecamatan_expected,
           sum(reported) AS kecamatan_reported
    FROM per_kecamatan GROUP BY code
    UNION ALL
    SELECT kabkota, sum(tps_total), sum(tps_ready), sum(tps_problem), sum(expected),
           sum(reported)
    FROM per_kecamatan GROUP BY kabkota
    UNION ALL
    SELECT provinsi, sum(tps_total), sum(tps_ready), sum(tps_problem), sum(expected),
           sum(reported)
    FROM per_kecamatan GROUP BY provinsi
),
kabkota_desks AS (
    SELECT code, count(*) AS expected, sum(reported) AS reported
    FROM desks WHERE level = 2 GROUP BY code
    UNION ALL
    SELECT substr(code, 1, 2), count(*), sum(reported)
    FROM desks WHERE level = 2 GROUP BY substr(code, 1, 2)
)
SELECT r.code,
       coalesce(t.tps_total, 0),
       coalesce(t.tps_ready, 0),
       coalesce(t.tps_problem, 0),
       coalesce(t.kecamatan_expected, 0),
       coalesce(t.kecamatan_reported, 0),
       coalesce(kd.expected, 0),
       coalesce(kd.reported, 0),
       CASE WHEN own.region_id IS NULL THEN 0 ELSE 1 END
FROM readiness_region r
LEFT JOIN totals t ON t.code = r.code
LEFT JOIN kabkota_desks kd ON kd.code = r.code
LEFT JOIN counted own ON own.region_id = r.code
WHERE r.level IN (1, 2, 3) AND r.is_active
"""


def main() -> None:
    args = _parse_args()
    in_throwaway_database(lambda: _run(args))


def in_throwaway_database(run: Callable[[], None]) -> None:
    """Run `run` in a throwaway test database with DEBUG off (no query log, as in production),
    then print the whole time, set-up and teardown included. Every bench/ script starts here."""
    started_all = time.perf_counter()
    setup_test_environment(debug=False)
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        run()
    finally:
        teardown_databases(databases, verbosity=0)
        teardown_test_environment()
    print(
        f"\nwhole benchmark (incl. test database set-up/teardown): {_s(time.perf_counter() - started_all)}"
    )


def regions_load(csv: Path, provinces: str = "") -> None:
    """The national region list (or only the comma-separated `provinces` of it), imported."""
    rows = read_region_csv(str(csv))
    if provinces:
        keep = {code.strip() for code in provinces.split(",") if code.strip()}
        rows = [rows[0], *(row for row in rows[1:] if codes.province_code(row[0]) in keep)]
    regions_import(rows=rows)


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", type=Path, default=NATIONAL_LIST, help="kode,nama region list")
    parser.add_argument(
        "--provinces",
        default="",
        help="comma-separated province codes to keep (default: the whole country)",
    )
    parser.add_argument("--tps-per-desa", type=float, default=5.2, help="mean TPS per desa")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of rebuild and SQL")
    parser.add_argument("--samples", type=int, default=20, help="kecamatan for the incremental")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also list the rebuild's queries by cost (and EXPLAIN ANALYZE on PostgreSQL)",
    )
    return parser.parse_args()


def _run(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    print(f"command:  {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"database: {_database_version()}")
    print(
        f"day:      {DAY}  (DEBUG off, throwaway test database {connection.settings_dict['NAME']})"
    )

    # ---- build ----------------------------------------------------------------------------
    print("\nbuilding the dataset")
    build = {}
    started = time.perf_counter()
    regions_load(args.csv, args.provinces)
    build["regions (regions_import)"] = time.perf_counter() - started

    started = time.perf_counter()
    tps_per_kecamatan = _build_tps(rng, args.tps_per_desa)
    build["TPS" + (" (COPY)" if connection.vendor == "postgresql" else " (bulk_create)")] = (
        time.perf_counter() - started
    )

    started = time.perf_counter()
    contests = _build_contests()
    build["contests"] = time.perf_counter() - started

    started = time.perf_counter()
    report_mix = _build_reports(rng, tps_per_kecamatan)
    build["reports (bulk_create)"] = time.perf_counter() - started

    started = time.perf_counter()
    _analyze()
    build["ANALYZE"] = time.perf_counter() - started

    levels = Counter(Region.objects.values_list("level", flat=True))
    tps_count = TPS.objects.count()
    tps_active = TPS.objects.filter(is_active=True).count()
    print(
        f"  regions:  {levels[1]:,} provinsi, {levels[2]:,} kab/kota, {levels[3]:,} kecamatan, "
        f"{levels[4]:,} desa"
    )
    print(
        f"  TPS:      {tps_count:,} ({tps_active:,} active, "
        f"{tps_count / max(levels[4], 1):.2f} per desa)"
    )
    print(f"  contests: {contests:,} (every province and kab/kota, 2024 calendar)")
    for level, name in ((3, "kecamatan"), (2, "kab/kota"), (1, "provinsi")):
        print(f"  reports of {name + ':':11s}{_mix(report_mix, level)}")
    for label, seconds in build.items():
        print(f"  {label:28s} {_s(seconds)}")
    print(f"  {'build total':28s} {_s(sum(build.values()))}")

    # ---- full rebuild and the hand-written query, warm, round robin -------------------------
    # The hand-written query computes readiness's own figures, so it is compared with the
    # rebuild of those figures alone (the sections switched off for that timing); the full
    # rebuild, sections included, is timed and printed next to it.
    section_names = ", ".join(section.key for section in sections.rolled_up()) or "none"
    started = time.perf_counter()
    written = rollup_rebuild_day(day=DAY)
    first_rebuild = time.perf_counter() - started
    sql_rows = _totals_sql()  # warm-up, and the reference figures
    rebuilds: list[float] = []
    sqls: list[float] = []
    full_rebuilds: list[float] = []
    for _ in range(args.repeat):  # alternating, so a busy moment hits both alike
        with _sections_off():
            rebuilds += _timed(lambda: rollup_rebuild_day(day=DAY), 1)
        sqls += _timed(_totals_sql, 1)
        full_rebuilds += _timed(lambda: rollup_rebuild_day(day=DAY), 1)
    checked = _check_against_rollups(sql_rows, "after the full rebuild")

    # ---- incremental: one submission, then its chain -----------------------------------------
    with _sections_off():
        incremental_core = _incremental(rng, tps_per_kecamatan, args.samples)
    incremental = _incremental(rng, tps_per_kecamatan, args.samples)
    _check_against_rollups(_totals_sql(), "after the incremental updates")

    # ---- figures ------------------------------------------------------------------------------
    print(
        f"\nresults ({args.repeat} warm runs each, alternating; checked: {checked:,} regions "
        "equal in readiness_dailyrollup and the SQL query)"
    )
    print(f"  {'':44s} {'best':>10s} {'median':>10s}")
    print(f"  {'full rebuild, first run (inserts rows)':44s} {_ms(first_rebuild):>10s}")
    print(
        f"  {f'rebuild, readiness figures ({written:,} rows)':44s} "
        f"{_ms(min(rebuilds)):>10s} {_ms(statistics.median(rebuilds)):>10s}"
    )
    print(
        f"  {'hand-written SQL query (read only)':44s} "
        f"{_ms(min(sqls)):>10s} {_ms(statistics.median(sqls)):>10s}"
    )
    ratio_best = min(rebuilds) / min(sqls)
    ratio_median = statistics.median(rebuilds) / statistics.median(sqls)
    print(f"  {'ratio rebuild / SQL':44s} {ratio_best:>9.2f}x {ratio_median:>9.2f}x")
    print(
        f"  {'target: rebuild within 2x SQL':44s} "
        f"{'MET' if ratio_best <= TARGET_RATIO else 'NOT MET':>10s}"
    )
    print(
        f"  {f'full rebuild incl. sections ({section_names})':44s} "
        f"{_ms(min(full_rebuilds)):>10s} {_ms(statistics.median(full_rebuilds)):>10s}"
    )
    print(f"\n  {'':44s} {'median':>10s} {'p95':>10s} {'max':>10s}")
    for label, timings in (
        (f"one submission, readiness figures (n={len(incremental_core)})", incremental_core),
        (f"one submission, with sections (n={len(incremental)})", incremental),
    ):
        print(
            f"  {label:44s} {_ms(statistics.median(timings)):>10s} {_ms(_p95(timings)):>10s} "
            f"{_ms(max(timings)):>10s}"
        )

    if args.profile:
        _profile_rebuild()


# ---- dataset ---------------------------------------------------------------------------------


def _build_tps(rng: random.Random, per_desa: float) -> dict[str, int]:
    """≈`per_desa` TPS per desa (at least one), ~0.3% inactive; returns active TPS per kecamatan."""
    per_kecamatan: Counter[str] = Counter()

    # A list, not .iterator(): the connection is busy with COPY while the rows are generated.
    desa_codes = list(
        Region.objects.filter(level=RegionLevel.DESA)
        .order_by("code")
        .values_list("code", flat=True)
    )

    def rows():
        for desa in desa_codes:
            count = max(1, round(rng.gauss(per_desa, 2.0)))
            for number in range(1, count + 1):
                active = rng.random() >= 0.003
                if active:
                    per_kecamatan[desa[:8]] += 1
                dpt = rng.randint(150, 600)
                yield (
                    desa,
                    number,
                    dpt // 2,
                    dpt - dpt // 2,
                    TPSKind.SPECIAL if rng.random() < 0.01 else TPSKind.REGULAR,
                    Vulnerability.VULNERABLE if rng.random() < 0.1 else Vulnerability.LOW,
                    rng.random() < 0.05,
                    rng.random() < 0.03,
                    active,
                )

    columns = (
        "desa_id",
        "number",
        "dpt_male",
        "dpt_female",
        "kind",
        "vulnerability",
        "flood_prone",
        "hard_to_reach",
        "is_active",
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with (
                connection.cursor() as cursor,
                cursor.copy(f"COPY readiness_tps ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for row in rows():
                    copy.write_row(row)
        else:
            batch: list[TPS] = []
            for row in rows():
                batch.append(TPS(**dict(zip(columns, row, strict=True))))
                if len(batch) >= BATCH:
                    TPS.objects.bulk_create(batch, batch_size=BATCH)
                    batch = []
            TPS.objects.bulk_create(batch, batch_size=BATCH)
    return dict(per_kecamatan)


def _build_contests() -> int:
    """The 2024 Pilkada everywhere: a governor in every province, a bupati or wali kota in every
    kab/kota, voting 27 November 2024, reporting from 30 days before to 7 days after."""
    voting_day = dt.date(2024, 11, 27)
    contests = [
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
        for code, level in Region.objects.filter(level__lte=RegionLevel.KABKOTA).values_list(
            "code", "level"
        )
    ]
    Contest.objects.bulk_create(contests, batch_size=BATCH)
    return len(contests)


@contextlib.contextmanager
def _sections_off():
    """The rebuild of readiness's own figures only (for the comparison with the SQL query)."""
    registered = sections.rolled_up
    sections.rolled_up = list
    try:
        yield
    finally:
        sections.rolled_up = registered


def _build_reports(
    rng: random.Random, tps_per_kecamatan: dict[str, int]
) -> Counter[tuple[int, str]]:
    """The benchmark day's reports, plus the day before (so the day filter has work to do)."""
    officer = User.objects.create(
        username="bench.officer",
        role=Role.OFFICER,
        region=Region.objects.filter(level=RegionLevel.PROVINSI).order_by("code").first(),
    )
    by_level: dict[int, list[str]] = {1: [], 2: [], 3: []}
    for code, level in Region.objects.filter(level__lte=3).values_list("code", "level"):
        by_level[level].append(code)
    mix: Counter[tuple[int, str]] = Counter()  # (level, status or "missing") on DAY
    reports: list[DailyReport] = []
    for day in (DAY - dt.timedelta(days=1), DAY):
        submitted_at = timezone.make_aware(dt.datetime.combine(day, dt.time(15, 0)), dt.UTC)
        for level, own_share in ((1, 0.5), (2, 0.9), (3, 0.95)):
            for code in sorted(by_level[level]):
                if rng.random() >= own_share:
                    if day == DAY:
                        mix[level, "missing"] += 1
                    continue
                draw = rng.random()
                status = (
                    ReportStatus.DRAFT
                    if draw < 0.02
                    else ReportStatus.RETURNED
                    if draw < 0.03
                    else ReportStatus.VERIFIED
                    if draw < 0.15
                    else ReportStatus.SUBMITTED
                )
                tps_ready = tps_problem = None
                if level == 3:
                    total = tps_per_kecamatan.get(code, 0)
                    tps_ready = round(total * rng.uniform(0.3, 1.0))
                    tps_problem = rng.randint(0, min(total - tps_ready, max(1, total // 20)))
                if day == DAY:
                    mix[level, status] += 1
                is_draft = status == ReportStatus.DRAFT
                reviewed = status in (ReportStatus.RETURNED, ReportStatus.VERIFIED)
                reports.append(
                    DailyReport(
                        region_id=code,
                        day=day,
                        status=status,
                        tps_ready=tps_ready,
                        tps_problem=tps_problem,
                        situation=Situation.CALM,
                        note="Situasi kondusif.",
                        no_incidents=True,
                        version=2,
                        created_by=officer,
                        updated_by=officer,
                        updated_at=submitted_at,
                        submitted_by=None if is_draft else officer,
                        submitted_at=None if is_draft else submitted_at,
                        review_reason="Angka TPS tidak cocok." if reviewed else "",
                        reviewed_by=officer if reviewed else None,
                        reviewed_at=submitted_at if reviewed else None,
                    )
                )
    DailyReport.objects.bulk_create(reports, batch_size=BATCH)
    return mix


def _analyze() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE readiness_region, readiness_tps, readiness_dailyreport, readiness_contest"
            )
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# ---- measurements ------------------------------------------------------------------------------


def _totals_params() -> dict[str, object]:
    assert set(COUNTED_STATUSES) == {ReportStatus.SUBMITTED, ReportStatus.VERIFIED}
    return {
        "day": connection.ops.adapt_datefield_value(DAY),
        "submitted": ReportStatus.SUBMITTED.value,
        "verified": ReportStatus.VERIFIED.value,
    }


def _totals_sql() -> dict[str, tuple[int, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(TOTALS_SQL, _totals_params())
        return {code: tuple(int(value) for value in rest) for code, *rest in cursor.fetchall()}


def _check_against_rollups(expected: dict[str, tuple[int, ...]], when: str) -> int:
    stored = {
        code: tuple(int(value) for value in rest)
        for code, *rest in DailyRollup.objects.filter(day=DAY).values_list("region_id", *FIGURES)
    }
    if stored != expected:
        missing = sorted(expected.keys() - stored.keys())
        extra = sorted(stored.keys() - expected.keys())
        differ = sorted(c for c in expected.keys() & stored.keys() if expected[c] != stored[c])
        print(f"\nMISMATCH {when}: rollup table vs hand-written SQL ({', '.join(FIGURES)})")
        print(f"  only in SQL: {missing[:5]} ({len(missing)}); only in rollups: {extra[:5]}")
        for code in differ[:10]:
            print(f"  {code}: rollup {stored[code]} != SQL {expected[code]}")
        raise SystemExit(1)
    return len(stored)


def _incremental(rng: random.Random, tps_per_kecamatan: dict[str, int], samples: int) -> list:
    """Submit a report for `samples` kecamatan (outside the timing), then time the rollup of the
    kecamatan and its ancestors, as the worker does after a submission."""
    kecamatan = sorted(
        Region.objects.filter(level=RegionLevel.KECAMATAN).values_list("code", flat=True)
    )
    chosen = rng.sample(kecamatan, min(samples + 1, len(kecamatan)))
    officer = User.objects.get(username="bench.officer")
    timings = []
    for index, code in enumerate(chosen):
        submit(rng, officer, code, tps_per_kecamatan.get(code, 0))
        started = time.perf_counter()
        rollup_region_and_ancestors(region_code=code, day=DAY)
        if index:  # the first one warms up
            timings.append(time.perf_counter() - started)
    return timings


def submit(rng: random.Random, officer: User, code: str, tps_total: int) -> None:
    """A submitted report of `code` for DAY with new TPS figures: what a desk's submission
    leaves for the worker to roll up (the benches time that rollup, not this)."""
    now = timezone.now()
    DailyReport.objects.update_or_create(
        region_id=code,
        day=DAY,
        defaults={
            "status": ReportStatus.SUBMITTED,
            "tps_ready": rng.randint(0, tps_total),
            "tps_problem": 0,
            "created_by": officer,
            "updated_by": officer,
            "updated_at": now,
            "submitted_by": officer,
            "submitted_at": now,
        },
    )


def _profile_rebuild() -> None:
    """Where a warm rebuild spends its time, query by query (each execute timed on the client)."""
    captured: list[tuple[str, object, float]] = []

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append((sql, params, time.perf_counter() - started))

    with connection.execute_wrapper(timer):
        started = time.perf_counter()
        rollup_rebuild_day(day=DAY)
        wall = time.perf_counter() - started
    kinds: dict[str, list[float]] = {}
    for sql, params, seconds in captured:
        kinds.setdefault(_kind(sql, params), []).append(seconds)
    in_database = sum(seconds for _sql, _params, seconds in captured)
    print(f"\nrebuild profile: {len(captured)} statements, {_ms(wall)} wall")
    print(f"  {'statement':58s} {'n':>4s} {'total':>10s}")
    for kind, times in sorted(kinds.items(), key=lambda item: -sum(item[1])):
        print(f"  {kind:58s} {len(times):4d} {_ms(sum(times)):>10s}")
    print(
        f"  {'outside execute (ORM compiling, Python, fetching)':58s} {'':4s} {_ms(wall - in_database):>10s}"
    )
    if connection.vendor != "postgresql":
        return
    heaviest = sorted(
        (item for item in captured if item[0].startswith("SELECT")),
        key=lambda item: -item[2],
    )[:2]
    for sql, params, _seconds in heaviest:
        print(f"\nEXPLAIN ANALYZE of a {_kind(sql, params)} query ({len(sql):,} chars of SQL):")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            for (line,) in cursor.fetchall():
                print(f"  {line[:160]}")


def _kind(sql: str, params=()) -> str:
    # Grouped queries start with SUBSTR(code, 1, n): their first two parameters.
    head = tuple(params[:2]) if isinstance(params, list | tuple) else ()
    levels = {(1, 2): "provinsi", (1, 5): "kab/kota", (1, 8): "kecamatan"}
    at = levels.get(head, "") if all(isinstance(value, int) for value in head) else ""
    if sql.startswith('INSERT INTO "readiness_dailyrollup"'):
        return "upsert readiness_dailyrollup (bulk_create batch)"
    if 'FROM "readiness_tps"' in sql:
        return f"registry: active TPS grouped by {at} prefix"
    if 'FROM "readiness_dailyreport"' in sql and "SUM(" in sql:
        return f"kecamatan reports grouped by {at} prefix"
    if 'FROM "readiness_dailyreport"' in sql:
        return "own reports (region_id IN ...)"
    if 'FROM "readiness_region"' in sql and "COUNT(" in sql:
        return f"registry: active kecamatan grouped by {at} prefix"
    if 'FROM "readiness_region"' in sql:
        return "target regions of a level"
    return sql[:58]


def _timed(run: Callable[[], object], repeat: int) -> list[float]:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return timings


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _database_version() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
        else:
            cursor.execute("SELECT 'SQLite ' || sqlite_version()")
        return cursor.fetchone()[0]


def _mix(mix: Counter[tuple[int, str]], level: int) -> str:
    order = [*ReportStatus.values, "missing"]
    counts = [(status, mix[level, status]) for status in order if mix[level, status]]
    return ", ".join(f"{status} {count:,}" for status, count in counts) + (
        f"  (on {DAY}; the day before is there too)" if level == 3 else ""
    )


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def _s(seconds: float) -> str:
    return f"{seconds:,.2f} s"


if __name__ == "__main__":
    main()
