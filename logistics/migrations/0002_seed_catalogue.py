"""Seed the logistics catalogue with the per-TPS norms of DOMAIN.md.

Every figure is a default that the admin can change later: this migration only creates items
that are missing (by code) and never overwrites an edited one.
"""

from decimal import Decimal

from django.db import migrations

PER_TPS = "per_tps"
PER_TPS_PER_CONTEST = "per_tps_per_pemilihan"
DPT_PLUS_PERCENT = "dpt_plus_persen_per_pemilihan"

CATALOGUE = [
    {
        "code": "surat-suara",
        "name": "Surat suara",
        "unit": "lembar",
        "rule": DPT_PLUS_PERCENT,
        "parameter": Decimal("2.5"),
        "note": "DPT + 2,5% cadangan per TPS, per pemilihan (DOMAIN.md).",
    },
    {
        "code": "kotak-suara",
        "name": "Kotak suara",
        "unit": "buah",
        "rule": PER_TPS_PER_CONTEST,
        "parameter": Decimal(1),
        "note": "1 per TPS per pemilihan (DOMAIN.md).",
    },
    {
        "code": "bilik-suara",
        "name": "Bilik suara",
        "unit": "buah",
        "rule": PER_TPS,
        "parameter": Decimal(4),
        # One source says 2: the figure is a default, editable in the admin.
        "note": "4 per TPS (DOMAIN.md; satu sumber menyebut 2 — sesuaikan bila perlu).",
    },
    {
        "code": "tinta",
        "name": "Tinta",
        "unit": "botol",
        "rule": PER_TPS,
        "parameter": Decimal(2),
        # Unverified for Pilkada (DOMAIN.md): a configurable default, not a norm.
        "note": "2 botol per TPS — belum terverifikasi untuk Pilkada; nilai bawaan.",
    },
    {
        "code": "segel",
        "name": "Segel",
        "unit": "lembar",
        "rule": PER_TPS_PER_CONTEST,
        # UNVERIFIED: DOMAIN.md gives no figure. 10 seals per TPS per contest (ballot box lid
        # and slots, envelopes) is our own placeholder; the desk must confirm it with KPU.
        "parameter": Decimal(10),
        "note": "10 per TPS per pemilihan — BELUM TERVERIFIKASI, angka sementara; "
        "konfirmasi ke KPU.",
    },
    {
        "code": "formulir",
        "name": "Formulir (C.Hasil-KWK plano, salinan, berita acara)",
        "unit": "set",
        "rule": PER_TPS_PER_CONTEST,
        "parameter": Decimal(1),
        "note": "1 set per TPS per pemilihan (DOMAIN.md).",
    },
    {
        "code": "perlengkapan-pendukung",
        "name": "Perlengkapan pendukung",
        "unit": "set",
        "rule": PER_TPS,
        "parameter": Decimal(1),
        "note": "Sampul, alat coblos, salinan DPT, stiker, gembok, spidol, alat bantu "
        "tunanetra: 1 set per TPS (DOMAIN.md).",
    },
]


def seed(apps, schema_editor):
    LogisticsItem = apps.get_model("logistics", "LogisticsItem")
    for order, item in enumerate(CATALOGUE, start=1):
        fields = dict(item)
        code = fields.pop("code")
        LogisticsItem.objects.get_or_create(code=code, defaults={**fields, "sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [
        ("logistics", "0001_initial"),
    ]

    operations = [
        # Unseeding is left to 0001's reverse (dropping the table): deleting items here could
        # hit lines that point at them.
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
