"""Time the personnel and incident rollups on the whole country for one day.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pd_bench_security \\
        .venv/bin/python bench/security_rollup.py
    .venv/bin/python bench/security_rollup.py --provinces 64      # one province: a quick run

Runs in a throwaway test database. The regions, TPS and the two days of reports come from
bench/rollup.py's dataset builder (same seed, same figures); on top of them every kecamatan
report gets a personnel line per active category (close to what the norms require, a few
unavailable) and the country gets --incidents incidents (default 2,000) spread over the two
days, a quarter of them right around local midnight, most with a timeline and about a third
closed. Then it times, warm, what the rollup engine runs for that day:

- security.rollups.personnel_rollup and incident_rollup for every active kecamatan, kab/kota
  and provinsi (one call per level, kecamatan first, as a national rebuild does);
- one submission's chain (a kecamatan, its kab/kota and province), median over --samples:
  in one call per hook, as the engine runs it, and, for comparison, one call per level;
- the figures hooks for every kecamatan.

It checks that the provinces' totals equal the kecamatan rows' sums and that the incidents
counted on the day are those whose local time falls on it. Target: a few seconds at most.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
import zoneinfo
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.db import connection, transaction
from django.db.models import Sum
from rollup import (
    DAY,
    NATIONAL_LIST,
    _analyze,
    _build_reports,
    _build_tps,
    _database_version,
    _ms,
    _s,
    in_throwaway_database,
    regions_load,
)

from readiness import codes
from readiness.models import (
    DailyReport,
    Region,
    RegionLevel,
    User,
)
from security.models import (
    Incident,
    IncidentCategory,
    IncidentRollup,
    IncidentStatus,
    IncidentUpdate,
    PersonnelLine,
    PersonnelRollup,
    Severity,
)
from security.rollups import (
    PERSONNEL_FIGURES,
    incident_rollup,
    incident_rollup_figures,
    personnel_rollup,
    personnel_rollup_figures,
)
from security.selectors import active_categories

BATCH = 5000
LEVELS = (RegionLevel.KECAMATAN, RegionLevel.KABKOTA, RegionLevel.PROVINSI)


def main() -> None:
    args = _parse_args()
    in_throwaway_database(lambda: _run(args))


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", type=Path, default=NATIONAL_LIST)
    parser.add_argument("--provinces", default="", help="comma-separated province codes to keep")
    parser.add_argument("--tps-per-desa", type=float, default=5.2)
    parser.add_argument("--incidents", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="timed warm runs")
    parser.add_argument("--samples", type=int, default=20, help="chains for the incremental")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--profile", action="store_true", help="list a rebuild's statements by cost (+ EXPLAIN)"
    )
    return parser.parse_args()


def _run(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    print(f"database: {_database_version()}")
    print(f"day:      {DAY}  (DEBUG off, throwaway database {connection.settings_dict['NAME']})")

    print("\nbuilding the dataset")
    build = {}
    started = time.perf_counter()
    regions_load(args.csv, args.provinces)
    build["regions"] = time.perf_counter() - started
    started = time.perf_counter()
    tps_per_kecamatan = _build_tps(rng, args.tps_per_desa)
    build["TPS"] = time.perf_counter() - started
    started = time.perf_counter()
    _build_reports(rng, tps_per_kecamatan)
    build["reports"] = time.perf_counter() - started
    started = time.perf_counter()
    lines = _build_personnel(rng, tps_per_kecamatan)
    build["personnel lines"] = time.perf_counter() - started
    started = time.perf_counter()
    incidents, updates = _build_incidents(rng, args.incidents)
    build["incidents and timelines"] = time.perf_counter() - started
    started = time.perf_counter()
    _analyze()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ANALYZE security_personnelline, security_incident, security_incidentupdate"
            )
    build["ANALYZE"] = time.perf_counter() - started

    targets = {
        level: list(
            Region.objects.filter(level=level, is_active=True)
            .order_by("code")
            .values_list("code", flat=True)
        )
        for level in LEVELS
    }
    print(
        f"  {len(targets[1]):,} provinsi, {len(targets[2]):,} kab/kota, {len(targets[3]):,} "
        f"kecamatan; {lines:,} personnel lines; {incidents:,} incidents, {updates:,} updates"
    )
    for label, seconds in build.items():
        print(f"  {label:28s} {_s(seconds)}")

    def personnel_all() -> dict[int, float]:
        return _per_level(personnel_rollup, targets)

    def incidents_all() -> dict[int, float]:
        return _per_level(incident_rollup, targets)

    first_personnel, first_incidents = personnel_all(), incidents_all()
    warm_personnel = [personnel_all() for _ in range(args.repeat)]
    warm_incidents = [incidents_all() for _ in range(args.repeat)]
    _check()

    kecamatan = targets[RegionLevel.KECAMATAN]
    sampled = random.Random(args.seed).sample(kecamatan, min(args.samples, len(kecamatan)))
    rebuilt = _stored_rows()
    # One submission's chain as the engine runs it: one call per hook, its three levels
    # together; then the same regions one level per call (what the engine did before).
    chains, chains_by_level = [], []
    for code in sampled:
        chain = [code[:2], code[:5], code]
        started = time.perf_counter()
        with transaction.atomic():
            personnel_rollup(region_codes=chain, day=DAY)
            incident_rollup(region_codes=chain, day=DAY)
        chains.append(time.perf_counter() - started)
        started = time.perf_counter()
        with transaction.atomic():
            for target in reversed(chain):
                personnel_rollup(region_codes=[target], day=DAY)
                incident_rollup(region_codes=[target], day=DAY)
        chains_by_level.append(time.perf_counter() - started)
    if _stored_rows() != rebuilt:
        raise SystemExit("MISMATCH: the chains' rows differ from the national rebuild's")
    print(f"  checked: {len(sampled)} chains, one call each, rewrite the rebuild's rows unchanged")
    started = time.perf_counter()
    personnel_rollup_figures(region_codes=kecamatan, day=DAY)
    figures_personnel = time.perf_counter() - started
    started = time.perf_counter()
    incident_rollup_figures(region_codes=kecamatan, day=DAY)
    figures_incidents = time.perf_counter() - started

    print(
        f"\nresults (every active region of levels 1-3 for {DAY}; warm = median of "
        f"{args.repeat} runs; rows: {PersonnelRollup.objects.filter(day=DAY).count():,} "
        f"personnel, {IncidentRollup.objects.filter(day=DAY).count():,} incident)"
    )
    print(f"  {'':34s} {'kecamatan':>11s} {'kab/kota':>11s} {'provinsi':>11s} {'total':>11s}")
    for label, first, warm in (
        ("personnel_rollup, first run", first_personnel, None),
        ("personnel_rollup, warm", None, warm_personnel),
        ("incident_rollup, first run", first_incidents, None),
        ("incident_rollup, warm", None, warm_incidents),
    ):
        figures = first or {
            level: statistics.median(run[level] for run in warm) for level in (*LEVELS, 0)
        }
        print(f"  {label:34s} " + " ".join(f"{_ms(figures[level]):>11s}" for level in (*LEVELS, 0)))
    both = statistics.median(
        p[0] + i[0] for p, i in zip(warm_personnel, warm_incidents, strict=True)
    )
    print(f"  {'both rollups, whole country, warm':34s} {'':>35s} {_ms(both):>11s}")
    print(
        f"\n  one chain (kecamatan + kab/kota + provinsi, both rollups, n={len(chains)}):\n"
        f"    one call per hook (the engine):    median {_ms(statistics.median(chains))}, "
        f"max {_ms(max(chains))}\n"
        f"    one call per level and hook:       median "
        f"{_ms(statistics.median(chains_by_level))}, max {_ms(max(chains_by_level))}"
    )
    print(
        f"  figures hooks for {len(kecamatan):,} kecamatan: personnel {_ms(figures_personnel)}, "
        f"incidents {_ms(figures_incidents)}"
    )
    if args.profile:
        _profile(targets)


def _profile(targets: dict[int, list[str]]) -> None:
    captured: list[tuple[str, object, float]] = []

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append((sql, params, time.perf_counter() - started))

    with connection.execute_wrapper(timer):
        _per_level(personnel_rollup, targets)
        _per_level(incident_rollup, targets)
    print(f"\nprofile: {len(captured)} statements")
    for sql, _params, seconds in sorted(captured, key=lambda item: -item[2])[:8]:
        print(f"  {_ms(seconds):>10s}  {sql[:150]}")
    if connection.vendor != "postgresql":
        return
    for sql, params, _seconds in sorted(captured, key=lambda item: -item[2])[:3]:
        if not sql.startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print()
            for (line,) in cursor.fetchall():
                print(f"  {line[:170]}")


def _per_level(hook, targets: dict[int, list[str]]) -> dict[int, float]:
    timings = {}
    for level in LEVELS:
        started = time.perf_counter()
        with transaction.atomic():
            hook(region_codes=targets[level], day=DAY)
        timings[level] = time.perf_counter() - started
    timings[0] = sum(timings.values())
    return timings


# ---- dataset ---------------------------------------------------------------------------------


def _build_personnel(rng: random.Random, tps_per_kecamatan: dict[str, int]) -> int:
    """A line per active category on every kecamatan report: the norm's figure give or take."""
    per_tps = {"kpps": 7, "linmas": 2, "pengawas-tps": 1, "polri": 1.1, "tni": 0.6}
    per_kecamatan = {"pps": 3 * 11, "ppk": 5, "satpol-pp": 25, "bpbd": 3}
    categories = active_categories()
    reports = DailyReport.objects.filter(region__level=RegionLevel.KECAMATAN).values_list(
        "id", "region_id"
    )
    columns = ("report_id", "category_id", "ready", "unavailable_sick", "unavailable_absent")
    rows = []
    for report_id, code in reports:
        tps = tps_per_kecamatan.get(code, 0)
        for category in categories:
            norm = per_tps.get(category.code, 0) * tps + per_kecamatan.get(category.code, 0)
            assigned = round(norm * rng.uniform(0.85, 1.0))
            sick = rng.randint(0, max(0, assigned // 100))
            absent = rng.randint(0, max(0, assigned // 200))
            rows.append((report_id, category.pk, max(0, assigned - sick - absent), sick, absent))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with (
                connection.cursor() as cursor,
                cursor.copy(
                    f"COPY security_personnelline ({', '.join(columns)}) FROM STDIN"
                ) as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            PersonnelLine.objects.bulk_create(
                (PersonnelLine(**dict(zip(columns, row, strict=True))) for row in rows),
                batch_size=BATCH,
            )
    return len(rows)


def _build_incidents(rng: random.Random, count: int) -> tuple[int, int]:
    """`count` incidents over the benchmark day and the day before, each at a random kecamatan or
    desa, a quarter within an hour of local midnight; timelines: reported, often verified,
    a third closed (some the day after)."""
    places = list(
        Region.objects.filter(level__in=[RegionLevel.KECAMATAN, RegionLevel.DESA]).values_list(
            "code", flat=True
        )
    )
    zones = dict(Region.objects.filter(level=RegionLevel.PROVINSI).values_list("code", "timezone"))
    categories = list(IncidentCategory.objects.filter(is_active=True))
    officer = User.objects.get(username="bench.officer")
    incidents = []
    for _ in range(count):
        place = rng.choice(places)
        zone = zoneinfo.ZoneInfo(zones.get(place[:2]) or codes.WIB)
        day = DAY - dt.timedelta(days=rng.randint(0, 1))
        if rng.random() < 0.25:
            minutes = rng.randint(-60, 60) + 24 * 60 * (rng.random() < 0.5)
        else:
            minutes = rng.randint(6 * 60, 22 * 60)
        occurred_at = dt.datetime.combine(day, dt.time.min, tzinfo=zone) + dt.timedelta(
            minutes=minutes
        )
        category = rng.choice(categories)
        incidents.append(
            Incident(
                region_id=place,
                category=category,
                severity=category.default_severity
                if rng.random() < 0.8
                else rng.choice(Severity.values),
                occurred_at=occurred_at,
                description="Kejadian uji beban.",
                reported_by=officer,
            )
        )
    with transaction.atomic():
        Incident.objects.bulk_create(incidents, batch_size=BATCH)
        incidents = list(Incident.objects.only("id", "occurred_at"))
        updates = []
        for incident in incidents:
            at = incident.occurred_at + dt.timedelta(minutes=rng.randint(5, 90))
            updates.append(
                IncidentUpdate(
                    incident_id=incident.pk, status_to=IncidentStatus.REPORTED, by=officer, at=at
                )
            )
            if rng.random() < 0.6:
                at += dt.timedelta(minutes=rng.randint(10, 600))
                updates.append(
                    IncidentUpdate(
                        incident_id=incident.pk,
                        status_from=IncidentStatus.REPORTED,
                        status_to=IncidentStatus.VERIFIED,
                        by=officer,
                        at=at,
                    )
                )
                if rng.random() < 0.55:
                    at += dt.timedelta(minutes=rng.randint(10, 1500))
                    updates.append(
                        IncidentUpdate(
                            incident_id=incident.pk,
                            status_from=IncidentStatus.VERIFIED,
                            status_to=IncidentStatus.CLOSED,
                            by=officer,
                            at=at,
                        )
                    )
        IncidentUpdate.objects.bulk_create(updates, batch_size=BATCH)
        closed = [u.incident_id for u in updates if u.status_to == IncidentStatus.CLOSED]
        Incident.objects.filter(pk__in=closed).update(status=IncidentStatus.CLOSED)
    return len(incidents), len(updates)


# ---- checks ----------------------------------------------------------------------------------


def _stored_rows() -> tuple[set, set]:
    """Every rollup row of the day, figures without computed_at."""
    personnel = set(
        PersonnelRollup.objects.filter(day=DAY).values_list(
            "region_id", "category_id", *PERSONNEL_FIGURES
        )
    )
    incidents = set(
        IncidentRollup.objects.filter(day=DAY).values_list(
            "region_id", "category_id", "severity", "occurred", "open_at_end"
        )
    )
    return personnel, incidents


def _check() -> None:
    """Provinces equal the sums of their kecamatan; incidents counted on their local day."""
    by_level = {}
    for level in LEVELS:
        by_level[level] = PersonnelRollup.objects.filter(day=DAY, region__level=level).aggregate(
            ready=Sum("ready"), required=Sum("required"), units=Sum("units_reporting")
        )
    if by_level[RegionLevel.KECAMATAN] != by_level[RegionLevel.PROVINSI]:
        # Inactive kecamatan count in the provinces but have no row of their own.
        inactive = Region.objects.filter(level=RegionLevel.KECAMATAN, is_active=False).count()
        if not inactive:
            raise SystemExit(f"MISMATCH personnel: {by_level}")
    zones = dict(Region.objects.filter(level=RegionLevel.PROVINSI).values_list("code", "timezone"))
    on_day = Counter(
        region_id[:2]
        for region_id, occurred_at in Incident.objects.values_list("region_id", "occurred_at")
        if occurred_at.astimezone(zoneinfo.ZoneInfo(zones.get(region_id[:2]) or codes.WIB)).date()
        == DAY
    )
    stored = Counter()
    for code, occurred in IncidentRollup.objects.filter(
        day=DAY, region__level=RegionLevel.PROVINSI
    ).values_list("region_id", "occurred"):
        stored[code] += occurred
    if stored != on_day:
        raise SystemExit(f"MISMATCH incidents: {sorted((stored - on_day).items())[:5]}")
    print(
        f"  checked: personnel totals per level agree; {sum(on_day.values()):,} incidents on {DAY}"
    )


if __name__ == "__main__":
    main()
