"""Contests get a single-candidate flag (calon tunggal: the ballot has a kolom kosong) and a
re-run link (pemungutan suara ulang / pilkada lanjutan reuse the original's TPS registry).
Only provinces and kab/kota hold contests. Existing contests: not single-candidate, no re-run.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("readiness", "0007_rollup_expected_desks"),
    ]

    operations = [
        migrations.AddField(
            model_name="contest",
            name="rerun_of",
            field=models.ForeignKey(
                blank=True,
                help_text="Untuk pemungutan suara ulang atau pilkada lanjutan: pemilihan yang diulang. TPS dan DPT-nya sama.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reruns",
                to="readiness.contest",
                verbose_name="ulangan dari",
            ),
        ),
        migrations.AddField(
            model_name="contest",
            name="single_candidate",
            field=models.BooleanField(
                default=False,
                help_text="Surat suara memuat satu pasangan calon dan kolom kosong.",
                verbose_name="calon tunggal",
            ),
        ),
        migrations.AlterField(
            model_name="contest",
            name="region",
            field=models.ForeignKey(
                limit_choices_to={"level__in": [1, 2]},
                on_delete=django.db.models.deletion.PROTECT,
                related_name="contests",
                to="readiness.region",
                verbose_name="wilayah",
            ),
        ),
    ]
