"""LogisticsRollup: the logistics rollup rows, one per (region, day, item).

Derived data only: logistics.rollups.logistics_rollup recomputes them from report lines and the
TPS registry, so this migration creates an empty table and a rebuild fills it. The unique
constraint is the key the engine upserts on. Only readiness's Region is needed, hence the
dependency on its first migration rather than its latest.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('logistics', '0002_seed_catalogue'),
        ('readiness', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='LogisticsRollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='tanggal')),
                ('required', models.PositiveBigIntegerField(default=0, verbose_name='kebutuhan')),
                ('warehouse', models.PositiveBigIntegerField(default=0, verbose_name='Di gudang KPU kab/kota')),
                ('received_ppk', models.PositiveBigIntegerField(default=0, verbose_name='Diterima PPK')),
                ('distributed_pps', models.PositiveBigIntegerField(default=0, verbose_name='Didistribusikan ke PPS')),
                ('received_kpps', models.PositiveBigIntegerField(default=0, verbose_name='Diterima KPPS/TPS')),
                ('damaged', models.PositiveBigIntegerField(default=0, verbose_name='Rusak')),
                ('short', models.PositiveBigIntegerField(default=0, verbose_name='Kurang')),
                ('units_reporting', models.PositiveIntegerField(default=0, verbose_name='desk yang angkanya terhitung')),
                ('units_complete', models.PositiveIntegerField(default=0, verbose_name='kecamatan lengkap')),
                ('units_expected', models.PositiveIntegerField(default=0, verbose_name='kecamatan yang membutuhkan')),
                ('stale_units', models.PositiveIntegerField(default=0, verbose_name='desk dengan angka lama')),
                ('computed_at', models.DateTimeField(verbose_name='dihitung pada')),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='logistics.logisticsitem', verbose_name='barang')),
                ('region', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='readiness.region', verbose_name='wilayah')),
            ],
            options={
                'verbose_name': 'rekap logistik',
                'verbose_name_plural': 'rekap logistik',
                'constraints': [models.UniqueConstraint(fields=('region', 'day', 'item'), name='logistics_rollup_one_per_region_day_item')],
            },
        ),
    ]
