"""Election logistics: the item catalogue with its quantity rule, and a report's lines.

The *required* quantity of an item is never stored or typed: it follows from the item's rule,
the TPS registry and the contests held there (see selectors.logistics_required). A line holds
what a desk counted at each stage of the chain, for one item in one daily report.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from readiness.models import DailyReport, Region, RegionLevel, User


class QuantityRule(models.TextChoices):
    PER_TPS = "per_tps", _("Per TPS")
    PER_TPS_PER_CONTEST = "per_tps_per_pemilihan", _("Per TPS per pemilihan")
    DPT_PLUS_PERCENT_PER_CONTEST = (
        "dpt_plus_persen_per_pemilihan",
        _("DPT + persen cadangan, per pemilihan"),
    )


class LogisticsItem(models.Model):
    """An item of the catalogue and the rule that says how many each TPS needs."""

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    unit = models.CharField(_("satuan"), max_length=30, help_text=_("Mis. lembar, buah, set."))
    rule = models.CharField(_("aturan jumlah"), max_length=32, choices=QuantityRule.choices)
    parameter = models.DecimalField(
        _("parameter"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_(
            "Jumlah per TPS (bilangan bulat) untuk aturan per TPS; persen cadangan di atas DPT "
            "(mis. 2,5) untuk aturan DPT."
        ),
    )
    note = models.TextField(
        _("keterangan"), blank=True, help_text=_("Sumber angka, atau catatan bila belum pasti.")
    )
    sort_order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("barang logistik")
        verbose_name_plural = _("katalog logistik")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parameter__gte=0), name="logistics_item_parameter_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        counts_per_tps = self.rule in (QuantityRule.PER_TPS, QuantityRule.PER_TPS_PER_CONTEST)
        if counts_per_tps and self.parameter is not None and self.parameter % 1:
            raise ValidationError(
                {"parameter": _("Untuk aturan per TPS, parameter harus bilangan bulat.")}
            )


class Stage(models.TextChoices):
    """Stages of the chain, in order. The field of a line has the stage's value as its name."""

    WAREHOUSE = "warehouse", _("Di gudang KPU kab/kota")
    RECEIVED_PPK = "received_ppk", _("Diterima PPK")
    DISTRIBUTED_PPS = "distributed_pps", _("Didistribusikan ke PPS")
    RECEIVED_KPPS = "received_kpps", _("Diterima KPPS/TPS")


# Which stages a desk counts: a kab/kota desk sees the KPU warehouse, a kecamatan desk follows
# the chain from the PPK down to the TPS. Other levels file no logistics.
STAGES_BY_LEVEL: dict[int, tuple[str, ...]] = {
    RegionLevel.KABKOTA: (Stage.WAREHOUSE,),
    RegionLevel.KECAMATAN: (Stage.RECEIVED_PPK, Stage.DISTRIBUTED_PPS, Stage.RECEIVED_KPPS),
}
ISSUE_FIELDS = ("damaged", "short")
QUANTITY_FIELDS = (*Stage.values, *ISSUE_FIELDS)
FIELD_LABELS = {**dict(Stage.choices), "damaged": _("Rusak"), "short": _("Kurang")}


def stages_for_level(level: int | None) -> tuple[str, ...]:
    return STAGES_BY_LEVEL.get(level, ())


def _not_above(later: str, earlier: str) -> Q:
    # A blank earlier stage counts as zero. Written without comparing to NULL: a CHECK whose
    # condition is NULL passes, which would let "800 distributed, nothing received" through.
    return (
        Q(**{f"{later}__isnull": True})
        | Q(**{later: 0})
        | Q(**{f"{earlier}__isnull": False, f"{later}__lte": F(earlier)})
    )


def _quantity(label) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, null=True, blank=True)


class LogisticsLine(models.Model):
    """What a desk counted of one item for one daily report. Blank means "not counted yet".

    Written only by services.logistics_lines_save, which also refuses a stage above the stage
    before it; the check constraints keep that true whatever writes the row.
    """

    report = models.ForeignKey(
        DailyReport,
        verbose_name=_("laporan harian"),
        on_delete=models.CASCADE,
        related_name="logistics_lines",
    )
    item = models.ForeignKey(
        LogisticsItem, verbose_name=_("barang"), on_delete=models.PROTECT, related_name="lines"
    )
    warehouse = _quantity(FIELD_LABELS["warehouse"])
    received_ppk = _quantity(FIELD_LABELS["received_ppk"])
    distributed_pps = _quantity(FIELD_LABELS["distributed_pps"])
    received_kpps = _quantity(FIELD_LABELS["received_kpps"])
    damaged = _quantity(FIELD_LABELS["damaged"])
    short = _quantity(FIELD_LABELS["short"])
    updated_by = models.ForeignKey(
        User, verbose_name=_("diisi oleh"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("diperbarui pada"), auto_now=True)

    class Meta:
        verbose_name = _("baris logistik")
        verbose_name_plural = _("baris logistik")
        ordering = ["report_id", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "item"], name="logistics_line_one_per_item"),
            models.CheckConstraint(
                condition=_not_above("distributed_pps", "received_ppk"),
                name="logistics_line_pps_not_above_ppk",
            ),
            models.CheckConstraint(
                condition=_not_above("received_kpps", "distributed_pps"),
                name="logistics_line_kpps_not_above_pps",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.item}"


def _total(label) -> models.PositiveBigIntegerField:
    # Big: a province sums thousands of lines, each up to services.MAX_QUANTITY.
    return models.PositiveBigIntegerField(label, default=0)


class LogisticsRollup(models.Model):
    """One item's logistics in a region on one day, recomputed from report lines and the
    TPS registry; what the figures mean is declared once, in logistics.rollups.

    Written only by logistics.rollups.logistics_rollup, which recomputes the rows from source
    and upserts them on (region, day, item), so a retried or duplicated job leaves the same rows
    behind. Every active provinsi, kab/kota and kecamatan gets one row per active item.
    """

    region = models.ForeignKey(
        Region, verbose_name=_("wilayah"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("tanggal"))
    item = models.ForeignKey(
        LogisticsItem, verbose_name=_("barang"), on_delete=models.CASCADE, related_name="+"
    )
    required = _total(_("kebutuhan"))
    warehouse = _total(FIELD_LABELS["warehouse"])
    received_ppk = _total(FIELD_LABELS["received_ppk"])
    distributed_pps = _total(FIELD_LABELS["distributed_pps"])
    received_kpps = _total(FIELD_LABELS["received_kpps"])
    damaged = _total(FIELD_LABELS["damaged"])
    short = _total(FIELD_LABELS["short"])
    units_reporting = models.PositiveIntegerField(_("desk yang angkanya terhitung"), default=0)
    units_complete = models.PositiveIntegerField(_("kecamatan lengkap"), default=0)
    units_expected = models.PositiveIntegerField(_("kecamatan yang membutuhkan"), default=0)
    stale_units = models.PositiveIntegerField(_("desk dengan angka lama"), default=0)
    computed_at = models.DateTimeField(_("dihitung pada"))

    class Meta:
        verbose_name = _("rekap logistik")
        verbose_name_plural = _("rekap logistik")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "day", "item"], name="logistics_rollup_one_per_region_day_item"
            ),
        ]
        # No other index: every read names its regions and day, which the unique index's
        # (region, day, …) prefix serves; a rebuild writes ~60,000 rows, each index costs.

    def __str__(self) -> str:
        return f"{self.region_id} {self.day:%Y-%m-%d} {self.item_id}"
