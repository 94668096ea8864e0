"""Other indicators: figures a desk tracks beyond the core report, defined by the admin.

The catalogue says what an indicator is (unit, levels whose desks report it, how its daily
values combine); a value is one desk's figure for one indicator in one daily report.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from readiness.models import DailyReport, Region, RegionLevel, User

# The value column is Decimal(18, 2), but figures are accepted below ten trillion only: SQLite
# (the demo database) keeps decimals as 8-byte floats, exact to 15 significant digits, and
# 9.999.999.999.999,99 has 15. The largest real figure, a provincial KPU grant, is around a
# trillion rupiah.
VALUE_MAX_DIGITS = 18
VALUE_DECIMAL_PLACES = 2
VALUE_CEILING = Decimal(10) ** 13  # exclusive
NOTE_MAX_LENGTH = 200

# Codes name form fields and error keys ("hibah-kpu", "hibah-kpu__note"): lowercase words
# joined by single hyphens, so a code can never end in "__note".
CODE_VALIDATOR = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z",
    _("Gunakan huruf kecil, angka dan tanda hubung, mis. hibah-kpu."),
)


class Aggregation(models.TextChoices):
    """How one desk's daily values of an indicator combine over a period (a week, the campaign).

    SUM is for flows: each day's value counts what happened that day (events held, sessions,
    APK points cleared), so the period's figure is their total. LATEST is for stocks: each day's
    value is the position so far (rupiah disbursed to date, voters registered as moved), so the
    period's figure is the last one; adding them would count the same rupiah again every day.
    MAX is for peaks: the period's figure is the highest day.
    """

    SUM = "sum", _("Dijumlahkan (jumlah per hari)")
    LATEST = "latest", _("Nilai terakhir (posisi s.d. hari ini)")
    MAX = "max", _("Nilai tertinggi")


# What the officer is asked to type, per aggregation: the form shows it under the field.
ENTRY_HINTS = {
    Aggregation.SUM: _("Isi jumlah hari ini saja."),
    Aggregation.LATEST: _("Isi posisi terakhir (total s.d. hari ini)."),
    Aggregation.MAX: _("Isi angka tertinggi hari ini."),
}

# Levels whose desks can report an indicator; desa/kelurahan report to the camat.
LEVEL_FIELDS = {
    RegionLevel.PROVINSI: "for_provinsi",
    RegionLevel.KABKOTA: "for_kabkota",
    RegionLevel.KECAMATAN: "for_kecamatan",
}


class IndicatorQuerySet(models.QuerySet):
    def for_level(self, level: int | None) -> IndicatorQuerySet:
        """Active indicators that desks of `level` report (none for desa or unknown levels)."""
        field = LEVEL_FIELDS.get(level)
        if field is None:
            return self.none()
        return self.filter(is_active=True, **{field: True}).order_by("sort_order", "code")


class Indicator(models.Model):
    """An extra figure of the daily report, defined in the admin."""

    code = models.CharField(
        _("kode"),
        max_length=40,
        unique=True,
        validators=[CODE_VALIDATOR],
        help_text=_("Tetap setelah dibuat; dipakai formulir dan riwayat laporan."),
    )
    name = models.CharField(_("nama"), max_length=120)
    unit = models.CharField(
        _("satuan"), max_length=20, help_text=_("Mis. Rp, kegiatan, sesi, orang, %.")
    )
    for_kecamatan = models.BooleanField(_("desk kecamatan"), default=False)
    for_kabkota = models.BooleanField(_("desk kabupaten/kota"), default=False)
    for_provinsi = models.BooleanField(_("desk provinsi"), default=False)
    aggregation = models.CharField(
        _("cara rekap"),
        max_length=10,
        choices=Aggregation.choices,
        help_text=_(
            "Dijumlahkan: angka harian (kegiatan hari ini). Nilai terakhir: posisi s.d. hari ini "
            "(dana tersalur). Nilai tertinggi: puncak dalam periode."
        ),
    )
    decimal_places = models.PositiveSmallIntegerField(
        _("angka di belakang koma"),
        default=0,
        validators=[MaxValueValidator(VALUE_DECIMAL_PLACES)],
        help_text=_("0 untuk hitungan dan rupiah; paling banyak 2 (mis. persen)."),
    )
    plausible_max = models.DecimalField(
        _("batas wajar"),
        max_digits=VALUE_MAX_DIGITS,
        decimal_places=VALUE_DECIMAL_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Angka di atas ini ditolak sebagai salah ketik. Kosongkan bila tidak ada."),
    )
    help_text = models.TextField(
        _("petunjuk pengisian"), blank=True, help_text=_("Tampil di bawah isian pada formulir.")
    )
    sort_order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    is_active = models.BooleanField(_("aktif"), default=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indikator")
        verbose_name_plural = _("katalog indikator lain")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(for_kecamatan=True) | Q(for_kabkota=True) | Q(for_provinsi=True),
                name="indicator_applies_to_a_level",
            ),
            models.CheckConstraint(
                condition=Q(decimal_places__lte=VALUE_DECIMAL_PLACES),
                name="indicator_decimal_places_fit_the_value",
            ),
            models.CheckConstraint(
                condition=Q(plausible_max__isnull=True) | Q(plausible_max__gte=0),
                name="indicator_plausible_max_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if not (self.for_kecamatan or self.for_kabkota or self.for_provinsi):
            raise ValidationError(_("Pilih paling sedikit satu tingkat desk yang melaporkannya."))

    def applies_to(self, level: int | None) -> bool:
        field = LEVEL_FIELDS.get(level)
        return field is not None and getattr(self, field)

    @property
    def level_labels(self) -> list[str]:
        return [
            RegionLevel(level).label
            for level, field in LEVEL_FIELDS.items()
            if getattr(self, field)
        ]

    @property
    def entry_hint(self) -> str:
        return ENTRY_HINTS[self.aggregation]

    @property
    def carries_over(self) -> bool:
        """Whether yesterday's value is a sound start for today's form.

        A stock or a peak is; a daily count is not: saving yesterday's count again unchanged
        would report the same events twice.
        """
        return self.aggregation != Aggregation.SUM


class IndicatorValue(models.Model):
    """One desk's figure for one indicator in one daily report.

    Written only by services.indicator_values_save; no row means "not reported that day".
    """

    report = models.ForeignKey(
        DailyReport,
        verbose_name=_("laporan harian"),
        on_delete=models.CASCADE,
        related_name="indicator_values",
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indikator"), on_delete=models.PROTECT, related_name="values"
    )
    value = models.DecimalField(
        _("nilai"), max_digits=VALUE_MAX_DIGITS, decimal_places=VALUE_DECIMAL_PLACES
    )
    note = models.CharField(_("catatan"), max_length=NOTE_MAX_LENGTH, blank=True)
    updated_by = models.ForeignKey(
        User, verbose_name=_("diisi oleh"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("diperbarui pada"), auto_now=True)

    class Meta:
        verbose_name = _("nilai indikator")
        verbose_name_plural = _("nilai indikator")
        ordering = ["report_id", "indicator_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "indicator"], name="indicator_value_one_per_report"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="indicator_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.indicator}"


class IndicatorRollup(models.Model):
    """One indicator's figure for one region and day, summed over the desks in and under it.

    Written only by indicators.rollups (whose docstring declares what each figure means), which
    recomputes rows from reported values and upserts them: rerunning it leaves the same rows.
    No row means that no desk in or under the region has a figure for the indicator that day.
    """

    region = models.ForeignKey(
        Region, verbose_name=_("wilayah"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("tanggal"))
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indikator"), on_delete=models.CASCADE, related_name="rollups"
    )
    # SUM: total so far in the contest period ("jumlah s.d. hari ini"); LATEST: sum of the
    # desks' latest positions; MAX: sum of the desks' peaks.
    value = models.DecimalField(
        _("nilai"), max_digits=VALUE_MAX_DIGITS, decimal_places=VALUE_DECIMAL_PLACES
    )
    # SUM only: what the reports of this very day added; None for stocks and peaks.
    day_value = models.DecimalField(
        _("nilai hari ini"),
        max_digits=VALUE_MAX_DIGITS,
        decimal_places=VALUE_DECIMAL_PLACES,
        null=True,
        blank=True,
    )
    units_reporting = models.PositiveIntegerField(_("desk yang melapor"), default=0)
    # Desks counted whose last figure is from an earlier day (no value for this day).
    stale_units = models.PositiveIntegerField(_("desk dengan angka lama"), default=0)
    computed_at = models.DateTimeField(_("dihitung pada"))

    class Meta:
        verbose_name = _("rekap indikator")
        verbose_name_plural = _("rekap indikator")
        ordering = ["day", "region_id", "indicator_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "day", "indicator"], name="indicator_rollup_one_per_region_day"
            ),
        ]
        indexes = [models.Index(fields=["day", "region"], name="indicator_rollup_day_region")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day:%Y-%m-%d} · {self.indicator_id}"
