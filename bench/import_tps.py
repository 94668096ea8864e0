"""Time the TPS import (preview, then apply) on a national-size list, in rows per second.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pd_bench_import .venv/bin/python bench/import_tps.py
    make bench-import-tps

Runs in a throwaway test database: imports the Kemendagri region list with readiness.regions,
generates ~435,000 TPS over its desa (5 or 6 per desa, as in Pilkada 2024) as a CSV file, then
times the same services the "Terapkan" button uses: first import, then the same file again
(everything unchanged). For comparison it also times django-import-export's row-by-row dry run
(administration.resources.TPSResource) on a sample, which is why imports do not use it.
"""

import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilkada_desk.settings.test")

import django  # noqa: E402

django.setup()

import tablib  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from administration import services  # noqa: E402
from administration.models import ImportJob, ImportStatus  # noqa: E402
from administration.resources import TPSResource  # noqa: E402
from readiness import rollups  # noqa: E402
from readiness.models import Region, RegionLevel, Role, User  # noqa: E402
from readiness.regions import read_region_csv, regions_import  # noqa: E402

NATIONAL_LIST = ROOT.parent / "shared" / "data" / "wilayah_kemendagri_2022.csv"
HEADER = (
    "kode_desa,nomor_tps,dpt_laki_laki,dpt_perempuan,jenis,kerawanan,rawan_banjir,"
    "sulit_dijangkau,lintang,bujur\n"
)
RESOURCE_SAMPLE = 5000
VULNERABILITY = ("kurang_rawan", "kurang_rawan", "rawan", "sangat_rawan")


def national_tps_csv(desa_codes: list[str]) -> bytes:
    out = io.StringIO()
    out.write(HEADER)
    for index, code in enumerate(desa_codes):
        for number in range(1, 6 + (index % 5 == 0)):
            seed = index * 7 + number
            out.write(
                f"{code},{number},{200 + seed % 97},{205 + seed % 89},reguler,"
                f"{VULNERABILITY[seed % 4]},{'ya' if seed % 13 == 0 else 'tidak'},"
                f"{'ya' if seed % 17 == 0 else 'tidak'},"
                f"{-1 - (seed % 1000) / 1000:.6f},{116 + (seed % 997) / 1000:.6f}\n"
            )
    return out.getvalue().encode()


def timed_import(admin: User, content: bytes, label: str) -> None:
    job = services.import_job_create(
        admin=admin,
        kind="tps",
        upload=SimpleUploadedFile("tps-nasional.csv", content),
        base_url="http://bench/",
    )
    started = time.perf_counter()
    job = services.import_job_preview(job_id=job.pk)
    preview = time.perf_counter() - started
    assert job.status == ImportStatus.PREVIEWED, job.errors[:5]
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.APPLYING, applied_by=admin)
    # An applied import asks for a rebuild of today's rollups after commit: a task of its own
    # in a worker, run inline here (tasks are eager), so timed apart from the apply.
    rebuild_seconds = []
    rebuild = rollups.rollup_rebuild_recent

    def timed_rebuild(**kwargs):
        rebuild_started = time.perf_counter()
        try:
            return rebuild(**kwargs)
        finally:
            rebuild_seconds.append(time.perf_counter() - rebuild_started)

    rollups.rollup_rebuild_recent = timed_rebuild
    try:
        started = time.perf_counter()
        job = services.import_job_apply(job_id=job.pk)
        apply = time.perf_counter() - started - sum(rebuild_seconds)
    finally:
        rollups.rollup_rebuild_recent = rebuild
    assert job.status == ImportStatus.APPLIED, job.errors[:5]
    rows = job.row_count
    print(
        f"{label:26s} rows={rows:,} created={job.created_count:,} updated={job.updated_count:,} "
        f"unchanged={job.unchanged_count:,}\n"
        f"{'':26s} preview {preview:6.1f} s ({rows / preview:,.0f} rows/s)   "
        f"apply {apply:6.1f} s ({rows / apply:,.0f} rows/s)"
        + (
            f"\n{'':26s} then today's rollups rebuilt (the worker's next task) in "
            f"{sum(rebuild_seconds):.1f} s"
            if rebuild_seconds
            else ""
        )
    )


def main() -> None:
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        started = time.perf_counter()
        regions_import(rows=read_region_csv(str(NATIONAL_LIST)))
        desa = list(
            Region.objects.filter(level=RegionLevel.DESA)
            .order_by("code")
            .values_list("code", flat=True)
        )
        print(
            f"database: {connection.vendor}; regions imported in "
            f"{time.perf_counter() - started:.1f} s ({len(desa):,} desa)"
        )
        content = national_tps_csv(desa)
        print(f"generated TPS file: {len(content) / 1e6:.1f} MB")
        admin = User.objects.create(username="bench-admin", role=Role.ADMIN)

        timed_import(admin, content, "first import")
        timed_import(admin, content, "re-import (no changes)")

        sample = content.decode().splitlines()[: RESOURCE_SAMPLE + 1]
        dataset = tablib.Dataset().load("\n".join(sample), format="csv")
        started = time.perf_counter()
        TPSResource().import_data(dataset, dry_run=True)
        elapsed = time.perf_counter() - started
        print(
            f"django-import-export row-by-row dry run, {RESOURCE_SAMPLE:,} rows: {elapsed:.1f} s "
            f"({RESOURCE_SAMPLE / elapsed:,.0f} rows/s)"
        )
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
