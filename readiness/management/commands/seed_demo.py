from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from readiness.demo import DEMO_PASSWORD, DEMO_ZONE, demo_seed


class Command(BaseCommand):
    help = "Isi data demo Kalimantan Timur (idempoten). Hanya untuk mode pengembangan."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo menolak berjalan dengan DJANGO_DEBUG=false: akun demo memakai kata "
                "sandi yang diketahui umum."
            )
        summary = demo_seed(today=timezone.localdate(timezone=DEMO_ZONE))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo siap: {summary.regions} wilayah, {summary.tps} TPS, {summary.reports} "
                f"laporan; pemungutan suara {summary.voting_day:%d-%m-%Y}. "
                f"Kata sandi semua akun demo: {DEMO_PASSWORD}"
            )
        )
