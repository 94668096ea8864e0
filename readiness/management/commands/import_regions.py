import time

from django.core.management.base import BaseCommand, CommandError

from readiness.regions import RegionImportError, read_region_csv, regions_import


class Command(BaseCommand):
    help = "Impor daftar wilayah Kemendagri (CSV kode,nama): upsert idempoten, semua atau tidak sama sekali."

    def add_arguments(self, parser):
        parser.add_argument("file", help="berkas CSV dengan kolom kode,nama")

    def handle(self, *args, file: str, **options):
        started = time.monotonic()
        try:
            result = regions_import(rows=read_region_csv(file))
        except FileNotFoundError as exc:
            raise CommandError(f"Berkas tidak ditemukan: {file}") from exc
        except RegionImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Wilayah: {result.created} baru, {result.updated} diperbarui, "
                f"{result.unchanged} tidak berubah ({time.monotonic() - started:.1f} detik)."
            )
        )
