"""Personnel and incidents: two sections of the daily report.

Personnel figures are lines of a `readiness.DailyReport` (one per category); what is *required*
is never typed, it is computed from the TPS registry and the catalogue's norms
(`selectors.personnel_required`). Incidents are records of their own, filed at any time, and
belong to a day only through their local time of occurrence.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from readiness.models import TPS, DailyReport, Region

DESCRIPTION_MAX_LENGTH = 4000
ACTIONS_MAX_LENGTH = 4000
NOTE_MAX_LENGTH = 2000


class NormKind(models.TextChoices):
    PER_TPS = "per_tps", _("Per TPS")
    PER_DESA = "per_desa", _("Per desa/kelurahan")
    PER_KECAMATAN = "per_kecamatan", _("Per kecamatan")
    PER_TPS_BY_CLASS = "per_tps_kelas", _("Per TPS menurut kelas kerawanan")
    NONE = "tanpa_norma", _("Tanpa norma")


class PersonnelCategory(models.Model):
    """A kind of personnel counted in the report, with its staffing norm (admin-editable)."""

    code = models.SlugField(_("kode"), max_length=32, unique=True)
    name = models.CharField(_("nama"), max_length=80)
    norm_kind = models.CharField(
        _("jenis norma"), max_length=16, choices=NormKind.choices, default=NormKind.NONE
    )
    per_unit = models.PositiveSmallIntegerField(
        _("jumlah per satuan"),
        default=0,
        help_text=_("Untuk norma per TPS, per desa atau per kecamatan."),
    )
    per_tps_low = models.PositiveSmallIntegerField(
        _("per TPS kurang rawan"), default=0, help_text=_("Untuk norma menurut kelas kerawanan.")
    )
    per_tps_vulnerable = models.PositiveSmallIntegerField(_("per TPS rawan"), default=0)
    per_tps_highly_vulnerable = models.PositiveSmallIntegerField(
        _("per TPS sangat rawan"), default=0
    )
    sort = models.PositiveSmallIntegerField(_("urutan"), default=100)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("kategori personel")
        verbose_name_plural = _("kategori personel")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class PersonnelLine(models.Model):
    """What the desk reports for one category on one day: who is ready, who is not (and why)."""

    report = models.ForeignKey(
        DailyReport,
        verbose_name=_("laporan harian"),
        on_delete=models.CASCADE,
        related_name="personnel_lines",
    )
    category = models.ForeignKey(
        PersonnelCategory,
        verbose_name=_("kategori"),
        on_delete=models.PROTECT,
        related_name="lines",
    )
    ready = models.PositiveIntegerField(_("siap"))
    unavailable_sick = models.PositiveIntegerField(_("berhalangan: sakit"), default=0)
    unavailable_absent = models.PositiveIntegerField(_("berhalangan: tidak hadir"), default=0)

    class Meta:
        verbose_name = _("baris personel")
        verbose_name_plural = _("baris personel")
        ordering = ["report", "category__sort"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "category"], name="personnel_line_one_per_category"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.category.code}"

    @property
    def unavailable(self) -> int:
        return self.unavailable_sick + self.unavailable_absent


class Severity(models.TextChoices):
    INFO = "info", _("Info")
    LOW = "rendah", _("Rendah")
    HIGH = "tinggi", _("Tinggi")
    CRITICAL = "kritis", _("Kritis")


class IncidentCategory(models.Model):
    """An entry of the incident taxonomy (DOMAIN.md), admin-editable."""

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    default_severity = models.CharField(
        _("tingkat bawaan"), max_length=8, choices=Severity.choices, default=Severity.LOW
    )
    sort = models.PositiveSmallIntegerField(_("urutan"), default=100)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("kategori insiden")
        verbose_name_plural = _("kategori insiden")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class IncidentStatus(models.TextChoices):
    REPORTED = "dilaporkan", _("Dilaporkan")
    VERIFIED = "terverifikasi", _("Terverifikasi")
    HANDLED = "ditangani", _("Ditangani")
    REFERRED = "dirujuk", _("Dirujuk")
    CLOSED = "selesai", _("Selesai")


class Incident(models.Model):
    """Something that happened at a kecamatan, a desa or a TPS, and what was done about it.

    `region` is the kecamatan or desa; when a TPS is given, `region` is that TPS's desa, so a
    subtree filter on `region_id` finds every incident below a region without joins.
    """

    region = models.ForeignKey(
        Region, verbose_name=_("wilayah"), on_delete=models.PROTECT, related_name="incidents"
    )
    tps = models.ForeignKey(
        TPS,
        verbose_name=_("TPS"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    category = models.ForeignKey(
        IncidentCategory,
        verbose_name=_("kategori"),
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    severity = models.CharField(_("tingkat"), max_length=8, choices=Severity.choices)
    occurred_at = models.DateTimeField(_("waktu kejadian"))
    description = models.TextField(_("uraian"), max_length=DESCRIPTION_MAX_LENGTH)
    actions_taken = models.TextField(
        _("tindakan yang diambil"), max_length=ACTIONS_MAX_LENGTH, blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.REPORTED
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dilaporkan oleh"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("dicatat pada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui pada"), auto_now=True)

    class Meta:
        verbose_name = _("insiden")
        verbose_name_plural = _("insiden")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["region", "occurred_at"], name="incident_region_time"),
            models.Index(fields=["occurred_at"], name="incident_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="incident_severity_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=IncidentStatus.values), name="incident_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category} {self.region_id}"


class IncidentUpdate(models.Model):
    """One step of an incident's timeline: a status change or a note, by whom and when."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("insiden"), on_delete=models.CASCADE, related_name="updates"
    )
    status_from = models.CharField(
        _("dari status"), max_length=16, choices=IncidentStatus.choices, blank=True
    )
    status_to = models.CharField(_("ke status"), max_length=16, choices=IncidentStatus.choices)
    note = models.TextField(_("catatan"), max_length=NOTE_MAX_LENGTH, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("oleh"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("pada"))

    class Meta:
        verbose_name = _("riwayat insiden")
        verbose_name_plural = _("riwayat insiden")
        ordering = ["incident", "at", "id"]

    def __str__(self) -> str:
        return f"#{self.incident_id} {self.status_from or '–'} → {self.status_to}"


class PersonnelRollup(models.Model):
    """A region's personnel for one day and category, recomputed from source (security.rollups).

    `required` comes from the norms and the TPS registry of the region's whole subtree; the other
    figures are stock figures summed over the kecamatan desks below: each contributes the line of
    its latest counted report on or before the day. Kab/kota and province desks' own lines are
    not added (they state the same subtree again; see security.rollups).
    """

    region = models.ForeignKey(
        Region, verbose_name=_("wilayah"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("tanggal"))
    category = models.ForeignKey(
        PersonnelCategory, verbose_name=_("kategori"), on_delete=models.CASCADE, related_name="+"
    )
    required = models.PositiveIntegerField(_("kebutuhan"), default=0)
    ready = models.PositiveIntegerField(_("siap"), default=0)
    unavailable_sick = models.PositiveIntegerField(_("berhalangan: sakit"), default=0)
    unavailable_absent = models.PositiveIntegerField(_("berhalangan: tidak hadir"), default=0)
    # Kecamatan desks whose figures are in the sums, and how many of them date from an earlier
    # day than `day` (their latest counted report is older).
    units_reporting = models.PositiveIntegerField(_("desk melapor"), default=0)
    stale_units = models.PositiveIntegerField(_("desk dengan angka lama"), default=0)
    computed_at = models.DateTimeField(_("dihitung pada"))

    class Meta:
        verbose_name = _("rekap personel")
        verbose_name_plural = _("rekap personel")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "day", "category"], name="personnel_rollup_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day:%Y-%m-%d} {self.category_id}"


class IncidentRollup(models.Model):
    """Incidents under a region for one local day, per category and severity (security.rollups).

    Flow figures, never stock: `occurred` counts the incidents whose time of occurrence falls on
    the day in the province's local time; `open_at_end` those that had occurred by the end of
    that local day and were not closed by then (by their timeline). Only non-zero combinations
    have a row.
    """

    region = models.ForeignKey(
        Region, verbose_name=_("wilayah"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("tanggal"))
    category = models.ForeignKey(
        IncidentCategory, verbose_name=_("kategori"), on_delete=models.CASCADE, related_name="+"
    )
    severity = models.CharField(_("tingkat"), max_length=8, choices=Severity.choices)
    occurred = models.PositiveIntegerField(_("terjadi"), default=0)
    open_at_end = models.PositiveIntegerField(_("terbuka di akhir hari"), default=0)
    computed_at = models.DateTimeField(_("dihitung pada"))

    class Meta:
        verbose_name = _("rekap insiden")
        verbose_name_plural = _("rekap insiden")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "day", "category", "severity"], name="incident_rollup_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day:%Y-%m-%d} {self.category_id} {self.severity}"
