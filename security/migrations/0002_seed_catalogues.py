"""Seed the personnel and incident catalogues from DOMAIN.md.

Both stay admin-editable: this migration only creates rows that are missing (by code) and
never overwrites what an admin changed. Reversing it removes nothing, for the same reason.
"""

from django.db import migrations

# (code, name, norm kind, per unit, (kurang rawan, rawan, sangat rawan), sort)
PERSONNEL = [
    ("kpps", "KPPS", "per_tps", 7, (0, 0, 0), 10),
    ("linmas", "Linmas", "per_tps", 2, (0, 0, 0), 20),
    ("pengawas-tps", "Pengawas TPS", "per_tps", 1, (0, 0, 0), 30),
    ("pps", "PPS", "per_desa", 3, (0, 0, 0), 40),
    ("ppk", "PPK", "per_kecamatan", 5, (0, 0, 0), 50),
    # Polri and TNI per TPS by vulnerability class follow a *local pattern* (e.g. "2 personnel
    # at every TPS in vulnerable areas", Kutai Timur). These numbers are defaults chosen for the
    # demo, not a national norm: each desk's admin sets its own in the admin.
    ("polri", "Polri", "per_tps_kelas", 0, (1, 2, 2), 60),
    ("tni", "TNI", "per_tps_kelas", 0, (0, 1, 2), 70),
    # Deployed as needed, without a per-unit norm.
    ("satpol-pp", "Satpol PP", "tanpa_norma", 0, (0, 0, 0), 80),
    ("bpbd", "BPBD", "tanpa_norma", 0, (0, 0, 0), 90),
]

# (code, name, default severity, sort): the taxonomy of DOMAIN.md "Vulnerability and incidents".
INCIDENTS = [
    ("hoaks", "Hoaks/disinformasi", "rendah", 10),
    ("politik-uang", "Politik uang", "tinggi", 20),
    ("netralitas-asn", "Netralitas ASN", "rendah", 30),
    ("netralitas-tni-polri", "Netralitas TNI/Polri", "tinggi", 40),
    ("netralitas-kepala-desa", "Netralitas kepala desa", "rendah", 50),
    ("kampanye-masa-tenang", "Kampanye di masa tenang / APK belum dibersihkan", "rendah", 60),
    ("kekerasan", "Kekerasan/intimidasi/konflik sosial", "kritis", 70),
    ("kamtibmas", "Gangguan kamtibmas", "tinggi", 80),
    ("bencana", "Bencana (banjir, longsor, cuaca ekstrem)", "tinggi", 90),
    ("logistik", "Logistik rusak/kurang/terlambat", "tinggi", 100),
    ("data-pemilih", "Masalah data pemilih", "rendah", 110),
    ("listrik-internet", "Gangguan listrik/internet/Sirekap", "tinggi", 120),
    ("kesehatan-petugas", "Kesehatan petugas", "rendah", 130),
]


def seed(apps, schema_editor):
    PersonnelCategory = apps.get_model("security", "PersonnelCategory")
    IncidentCategory = apps.get_model("security", "IncidentCategory")
    for code, name, kind, per_unit, (low, vulnerable, highly), sort in PERSONNEL:
        PersonnelCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "norm_kind": kind,
                "per_unit": per_unit,
                "per_tps_low": low,
                "per_tps_vulnerable": vulnerable,
                "per_tps_highly_vulnerable": highly,
                "sort": sort,
            },
        )
    for code, name, severity, sort in INCIDENTS:
        IncidentCategory.objects.get_or_create(
            code=code, defaults={"name": name, "default_severity": severity, "sort": sort}
        )


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
