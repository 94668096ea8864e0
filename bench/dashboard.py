"""Server time of the dashboards at national scale: the province, kab/kota and kecamatan pages.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pd_bench_dashboard .venv/bin/python bench/dashboard.py
    .venv/bin/python bench/dashboard.py --provinces 64      # one province: a quick run

Runs in a throwaway test database. Builds the national dataset of bench/rollup.py (37 provinsi,
514 kab/kota, 7,277 kecamatan, ≈435,000 TPS, a day of reports) with the sections' data of the
other benches (logistics lines, personnel lines, incidents, indicator values), rebuilds the
day's rollups, then requests each page through Django's test client as the province's Sekda
would (the whole view: access, selectors, template), warm, and prints median and p95 server
time and the number of queries of each: the largest province (by kecamatan), its largest
kab/kota and that kab/kota's largest kecamatan, the live fragment (htmx) of the province, and
the "TPS at risk" page of the province.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import indicators_rollup
import logistics_rollup
import security_rollup
from django.db import connection
from django.db.models import Count
from django.db.models.functions import Substr
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rollup import (
    DAY,
    NATIONAL_LIST,
    _analyze,
    _build_contests,
    _build_reports,
    _build_tps,
    _database_version,
    _ms,
    _p95,
    in_throwaway_database,
    regions_load,
)

from readiness.models import Region, RegionLevel, Role, User
from readiness.rollups import rollup_rebuild_day


def main() -> None:
    args = _parse_args()
    in_throwaway_database(lambda: _run(args))


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", type=Path, default=NATIONAL_LIST)
    parser.add_argument("--provinces", default="", help="comma-separated province codes to keep")
    parser.add_argument("--tps-per-desa", type=float, default=5.2)
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per page")
    parser.add_argument("--seed", type=int, default=2024)
    return parser.parse_args()


def _run(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    print(f"command:  {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"database: {_database_version()}")
    print(f"day:      {DAY}  (DEBUG off, throwaway test database)")

    started = time.perf_counter()
    regions_load(args.csv, args.provinces)
    tps_per_kecamatan = _build_tps(rng, args.tps_per_desa)
    _build_contests()
    _build_reports(rng, tps_per_kecamatan)
    logistics_lines = logistics_rollup._build_lines(rng)
    personnel_lines = security_rollup._build_personnel(rng, tps_per_kecamatan)
    incidents, _updates = security_rollup._build_incidents(rng, 2000)
    values = indicators_rollup._build_values(rng, indicators_rollup._build_indicators())
    _analyze()
    rollup_rebuild_day(day=DAY)
    _analyze()
    print(
        f"dataset:  {Region.objects.filter(level=RegionLevel.KECAMATAN).count():,} kecamatan, "
        f"{sum(tps_per_kecamatan.values()):,} active TPS, {logistics_lines:,} logistics lines, "
        f"{personnel_lines:,} personnel lines, {incidents:,} incidents, {values:,} indicator "
        f"values; built and rolled up in {time.perf_counter() - started:.1f} s"
    )

    province = _largest(RegionLevel.PROVINSI, within="")
    kabkota = _largest(RegionLevel.KABKOTA, within=province)
    kecamatan = _largest(RegionLevel.KECAMATAN, within=kabkota)
    client = Client()
    client.force_login(
        User.objects.create(username="bench.sekda", role=Role.VIEWER, region_id=province)
    )
    dashboard = "region_dashboard"
    pages = [
        (
            f"province {province} ({_children(province)} kab/kota)",
            reverse(dashboard, args=[province]),
            {},
        ),
        (
            f"kab/kota {kabkota} ({_children(kabkota)} kecamatan)",
            reverse(dashboard, args=[kabkota]),
            {},
        ),
        (
            f"kecamatan {kecamatan} ({_children(kecamatan)} desa)",
            reverse(dashboard, args=[kecamatan]),
            {},
        ),
        (
            "province, live fragment (htmx)",
            reverse(dashboard, args=[province]),
            {"HTTP_HX_REQUEST": "true"},
        ),
        ("province, TPS at risk", reverse("tps_at_risk", args=[province]), {}),
    ]
    query = {"tanggal": DAY.isoformat()}
    print(f"\n  {'page (GET, warm)':48s} {'median':>10s} {'p95':>10s} {'queries':>8s}")
    for label, url, headers in pages:
        response = client.get(url, query, **headers)  # warm-up
        assert response.status_code == 200, (url, response.status_code)
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(url, query, **headers)
            timings.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as queries:
            client.get(url, query, **headers)
        print(
            f"  {label:48s} {_ms(statistics.median(timings)):>10s} {_ms(_p95(timings)):>10s} "
            f"{len(queries.captured_queries):>8d}"
        )


def _largest(level: int, *, within: str) -> str:
    """The region of `level` (under `within`) with the most kecamatan (desa for kecamatan)."""
    below = RegionLevel.DESA if level == RegionLevel.KECAMATAN else RegionLevel.KECAMATAN
    length = {RegionLevel.PROVINSI: 2, RegionLevel.KABKOTA: 5, RegionLevel.KECAMATAN: 8}[level]
    regions = Region.objects.filter(level=below)
    if within:
        regions = regions.filter(code__startswith=f"{within}.")
    return (
        regions.annotate(owner=Substr("code", 1, length))
        .values("owner")
        .annotate(n=Count("code"))
        .order_by("-n", "owner")
        .values_list("owner", flat=True)[0]
    )


def _children(code: str) -> int:
    return Region.objects.filter(parent_id=code).count()


if __name__ == "__main__":
    main()
