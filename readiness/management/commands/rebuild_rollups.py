import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from readiness import codes
from readiness.models import Region, RegionLevel
from readiness.rollups import rollup_rebuild_day, rollup_region_and_ancestors

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Bangun ulang rekap harian dari laporan (semua provinsi, atau satu wilayah)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=dt.date.fromisoformat,
            help="tanggal TTTT-BB-HH (bawaan: hari ini)",
        )
        parser.add_argument("--region", help="kode wilayah, mis. 64 atau 64.71 (bawaan: semua)")

    def handle(self, *args, date: dt.date | None, region: str | None, **options):
        day = date or timezone.localdate()
        if region is not None:
            if codes.level_of(region) is None or not Region.objects.filter(code=region).exists():
                raise CommandError(f"Wilayah {region!r} tidak ditemukan.")
            provinces = [codes.province_code(region)]
            within = [region]
        else:
            provinces = list(
                Region.objects.filter(level=RegionLevel.PROVINSI, is_active=True).values_list(
                    "code", flat=True
                )
            )
            within = provinces
        started = time.monotonic()
        written = 0
        # One province at a time: each is a handful of grouped queries, and the bar moves.
        for done, code in enumerate(within, start=1):
            written += rollup_rebuild_day(day=day, within=code)
            self._progress(done, len(within), code)
        if region is not None and codes.level_of(region) > RegionLevel.PROVINSI:
            # The region's own subtree is rebuilt; its ancestors' totals include it.
            rollup_region_and_ancestors(region_code=codes.parent_code(region), day=day)
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Rekap {day:%d-%m-%Y}: {written} baris dari {len(provinces)} provinsi "
                f"({time.monotonic() - started:.1f} detik)."
            )
        )

    def _progress(self, done: int, total: int, code: str) -> None:
        filled = BAR_WIDTH * done // total
        self.stdout.write(
            f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} {code:<13}", ending=""
        )
        self.stdout.flush()
