"""Seed the catalogue of other indicators with what the desks in the seed reports track.

Every figure is a default the admin can change later: this migration only creates indicators
that are missing (by code) and never overwrites an edited one.

How each one aggregates over a period (see models.Aggregation):
- hibah: the rupiah disbursed *so far* is a stock. The desk reports the running total each day
  ("sudah terdistribusi", "sedang dalam proses pencairan"), so the period's figure is the
  latest one; adding the days would count the same rupiah again every day → LATEST.
- sosialisasi, bimtek Sirekap, APK: each day's figure counts what happened that day (events
  held, sessions run, points cleared) → SUM over the days.
- pemilih pindahan: the number of voters registered as moved ("tercatat sebanyak 247 orang")
  is a running total kept by KPU → LATEST.
Not seeded: the participation target (86% of the 2024 presidential election, to beat). It is a
goal set once per contest, not a figure a desk reports daily.

Plausible maxima are typo guards (an extra "000"), not norms: a provincial KPU grant is about a
trillion rupiah; Pangkalpinang's was Rp 23,950,284,000.
"""

from decimal import Decimal

from django.db import migrations

SUM, LATEST = "sum", "latest"
TRILLION = Decimal(10) ** 12

# Grants are made by the government that holds the election, to its own KPU, Bawaslu and
# security forces: kab/kota and province desks report their own grants, kecamatan none.
GRANT_LEVELS = {"for_kecamatan": False, "for_kabkota": True, "for_provinsi": True}
FIELD_LEVELS = {"for_kecamatan": True, "for_kabkota": True, "for_provinsi": False}
GRANT_HELP = (
    "Total hibah yang sudah dicairkan pemerintah daerah ini sampai hari ini (bukan hibah "
    "kab/kota di bawahnya). Tulis tahap pencairan di catatan."
)

CATALOGUE = [
    {
        "code": "hibah-kpu",
        "name": "Hibah tersalur ke KPU",
        "unit": "Rp",
        "aggregation": LATEST,
        **GRANT_LEVELS,
        "plausible_max": 5 * TRILLION,
        "help_text": GRANT_HELP,
    },
    {
        "code": "hibah-bawaslu",
        "name": "Hibah tersalur ke Bawaslu",
        "unit": "Rp",
        "aggregation": LATEST,
        **GRANT_LEVELS,
        "plausible_max": 2 * TRILLION,
        "help_text": GRANT_HELP,
    },
    {
        "code": "hibah-polri",
        "name": "Hibah pengamanan tersalur ke Polri",
        "unit": "Rp",
        "aggregation": LATEST,
        **GRANT_LEVELS,
        "plausible_max": 2 * TRILLION,
        "help_text": GRANT_HELP,
    },
    {
        "code": "hibah-tni",
        "name": "Hibah pengamanan tersalur ke TNI",
        "unit": "Rp",
        "aggregation": LATEST,
        **GRANT_LEVELS,
        "plausible_max": 2 * TRILLION,
        "help_text": GRANT_HELP,
    },
    {
        "code": "sosialisasi",
        "name": "Kegiatan sosialisasi pemilih",
        "unit": "kegiatan",
        "aggregation": SUM,
        **FIELD_LEVELS,
        "plausible_max": Decimal(500),
        "help_text": "Kegiatan yang diadakan hari ini untuk meningkatkan partisipasi. Desk "
        "kab/kota: kegiatan tingkat kab/kota saja; kegiatan kecamatan dilaporkan camat.",
    },
    {
        "code": "bimtek-sirekap",
        "name": "Bimtek Sirekap",
        "unit": "sesi",
        "aggregation": SUM,
        **FIELD_LEVELS,
        "plausible_max": Decimal(200),
        "help_text": "Sesi bimbingan teknis aplikasi Sirekap yang diadakan hari ini.",
    },
    {
        "code": "apk-dibersihkan",
        "name": "APK dibersihkan",
        "unit": "titik",
        "aggregation": SUM,
        **FIELD_LEVELS,
        "plausible_max": Decimal(100_000),
        "help_text": "Titik alat peraga kampanye yang dibersihkan hari ini; APK harus bersih "
        "sebelum masa tenang.",
    },
    {
        "code": "pemilih-pindahan",
        "name": "Pemilih pindahan (pindah memilih)",
        "unit": "orang",
        "aggregation": LATEST,
        **FIELD_LEVELS,
        "plausible_max": Decimal(1_000_000),
        "help_text": "Jumlah pemilih yang tercatat pindah memilih sampai hari ini, menurut KPU.",
    },
]


def seed(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    for order, indicator in enumerate(CATALOGUE, start=1):
        fields = dict(indicator)
        code = fields.pop("code")
        Indicator.objects.get_or_create(
            code=code, defaults={**fields, "decimal_places": 0, "sort_order": order * 10}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0001_initial"),
    ]

    operations = [
        # Unseeding is left to 0001's reverse (dropping the table): deleting indicators here
        # could hit values that point at them.
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
