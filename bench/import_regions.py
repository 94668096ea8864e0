"""Time `import_regions` on the national Kemendagri list (first load and an idempotent re-run).

    make bench-import            # SQLite (embedded default)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilkada_desk make bench-import

Runs in a throwaway test database. Target: the national list in under a minute.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilkada_desk.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from readiness.regions import read_region_csv, regions_import  # noqa: E402

NATIONAL_LIST = ROOT.parent / "shared" / "data" / "wilayah_kemendagri_2022.csv"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else NATIONAL_LIST
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        print(f"database: {connection.vendor}; file: {path.name}")
        for label in ("first import", "re-import (no changes)"):
            started = time.perf_counter()
            rows = read_region_csv(str(path))  # parsing is part of what an admin waits for
            result = regions_import(rows=rows)
            elapsed = time.perf_counter() - started
            print(
                f"{label:24s} {elapsed:6.2f} s  created={result.created} "
                f"updated={result.updated} unchanged={result.unchanged}  "
                f"({(len(rows) - 1) / elapsed:,.0f} rows/s)"
            )
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
