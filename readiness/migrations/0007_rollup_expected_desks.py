"""Coverage counts desks expected under a contest, and kab/kota desks next to kecamatan ones.

kecamatan_total (every active kecamatan) becomes kecamatan_expected (those under a contest in
its reporting period that day). Existing rows keep their old figure until the next rebuild,
which the nightly beat job does for the recent days; older days are history.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("readiness", "0006_rollup_stock"),
    ]

    operations = [
        migrations.RenameField(
            model_name="dailyrollup",
            old_name="kecamatan_total",
            new_name="kecamatan_expected",
        ),
        migrations.AddField(
            model_name="dailyrollup",
            name="kabkota_expected",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="dailyrollup",
            name="kabkota_reported",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="dailyrollup",
            name="kabkota_late",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
