from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import codes


class RegionLevel(models.IntegerChoices):
    PROVINSI = 1, _("Provinsi")
    KABKOTA = 2, _("Kabupaten/Kota")
    KECAMATAN = 3, _("Kecamatan")
    DESA = 4, _("Desa/Kelurahan")


def in_subtree(field: str, code: str) -> Q:
    """Rows whose region code `field` is `code` or lies below it: one indexed prefix match on
    the Kemendagri code, no tree walk ("64.71" covers "64.71.06" but not "64.710")."""
    return Q(**{field: code}) | Q(**{f"{field}__startswith": f"{code}."})


class RegionQuerySet(models.QuerySet):
    def within(self, code: str) -> RegionQuerySet:
        """The region and everything below it."""
        return self.filter(in_subtree("code", code))

    def below(self, code: str) -> RegionQuerySet:
        return self.filter(code__startswith=f"{code}.")


class Region(models.Model):
    """A provinsi, kabupaten/kota, kecamatan or desa/kelurahan, keyed by its Kemendagri code.

    The code is the primary key, so every foreign key to a region *is* the region's code and a
    subtree is a prefix (``64.71.%``): rollups group by ``substr(region_id, 1, n)`` without joins.
    """

    code = models.CharField(
        _("kode Kemendagri"), max_length=codes.CODE_MAX_LENGTH, primary_key=True
    )
    name = models.CharField(_("nama"), max_length=120)
    level = models.PositiveSmallIntegerField(_("tingkat"), choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("induk"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    timezone = models.CharField(
        _("zona waktu"),
        max_length=32,
        blank=True,
        choices=[(zone, label) for zone, label in codes.ZONE_LABELS.items()],
        help_text=_("Hanya untuk provinsi; wilayah di bawahnya memakai zona provinsinya."),
    )
    is_active = models.BooleanField(_("aktif"), default=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"], name="region_level_code")]
        constraints = [
            models.CheckConstraint(
                condition=Q(level=RegionLevel.PROVINSI, parent__isnull=True)
                | (~Q(level=RegionLevel.PROVINSI) & Q(parent__isnull=False)),
                name="region_only_provinces_are_roots",
            ),
            models.CheckConstraint(
                condition=(Q(level=RegionLevel.PROVINSI) & ~Q(timezone=""))
                | (~Q(level=RegionLevel.PROVINSI) & Q(timezone="")),
                name="region_timezone_only_on_provinces",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def province_code(self) -> str:
        return codes.province_code(self.code)

    @property
    def ancestor_codes(self) -> list[str]:
        return codes.ancestor_codes(self.code)


class TPSKind(models.TextChoices):
    REGULAR = "reguler", _("Reguler")
    SPECIAL = "lokasi_khusus", _("Lokasi khusus")


class Vulnerability(models.TextChoices):
    LOW = "kurang_rawan", _("Kurang rawan")
    VULNERABLE = "rawan", _("Rawan")
    HIGHLY_VULNERABLE = "sangat_rawan", _("Sangat rawan")


class TPSQuerySet(models.QuerySet):
    def within(self, code: str) -> TPSQuerySet:
        # desa_id is the desa's code, so the subtree test needs no join.
        return self.filter(in_subtree("desa__code", code))


class TPS(models.Model):
    """A polling station (Tempat Pemungutan Suara) in a desa/kelurahan."""

    desa = models.ForeignKey(
        Region,
        verbose_name=_("desa/kelurahan"),
        on_delete=models.PROTECT,
        related_name="tps_set",
        limit_choices_to={"level": RegionLevel.DESA},
    )
    number = models.PositiveSmallIntegerField(_("nomor TPS"))
    dpt_male = models.PositiveIntegerField(_("DPT laki-laki"), default=0)
    dpt_female = models.PositiveIntegerField(_("DPT perempuan"), default=0)
    kind = models.CharField(
        _("jenis"), max_length=16, choices=TPSKind.choices, default=TPSKind.REGULAR
    )
    vulnerability = models.CharField(
        _("kerawanan"), max_length=16, choices=Vulnerability.choices, default=Vulnerability.LOW
    )
    flood_prone = models.BooleanField(_("rawan banjir"), default=False)
    hard_to_reach = models.BooleanField(_("sulit dijangkau"), default=False)
    latitude = models.DecimalField(
        _("lintang"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("bujur"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    is_active = models.BooleanField(_("aktif"), default=True)

    objects = TPSQuerySet.as_manager()

    class Meta:
        verbose_name = _("TPS")
        verbose_name_plural = _("TPS")
        ordering = ["desa_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["desa", "number"], name="tps_unique_number_in_desa"),
        ]

    def __str__(self) -> str:
        return f"TPS {self.number:03d} {self.desa_id}"

    @property
    def dpt(self) -> int:
        return self.dpt_male + self.dpt_female


class TPSReadiness(models.TextChoices):
    NOT_READY = "belum_siap", _("Belum siap")
    READY = "siap", _("Siap")
    PROBLEM = "bermasalah", _("Bermasalah")


class TPSProblem(models.TextChoices):
    DISASTER = "bencana", _("Risiko banjir/bencana")
    ACCESS = "akses", _("Akses sulit")
    LOCATION = "lokasi", _("Sengketa lokasi")
    LOGISTICS = "logistik", _("Logistik")
    PERSONNEL = "personel", _("Petugas")
    POWER = "listrik_internet", _("Listrik/internet")
    OTHER = "lainnya", _("Lainnya")


class TPSStatus(models.Model):
    """The current readiness of one TPS, kept by its kecamatan desk; every change is history.

    A TPS without a row is *belum siap*: the registry is loaded before anyone reports.
    """

    tps = models.OneToOneField(
        TPS, on_delete=models.CASCADE, primary_key=True, related_name="status"
    )
    readiness = models.CharField(
        _("status"), max_length=16, choices=TPSReadiness.choices, default=TPSReadiness.NOT_READY
    )
    problems = models.JSONField(_("masalah"), default=list, blank=True)
    other_problem = models.CharField(_("masalah lainnya"), max_length=200, blank=True)
    note = models.CharField(_("catatan"), max_length=500, blank=True)
    updated_by = models.ForeignKey(
        "User", verbose_name=_("diubah oleh"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("diubah pada"))
    history = HistoricalRecords(verbose_name=_("riwayat status TPS"))

    class Meta:
        verbose_name = _("status TPS")
        verbose_name_plural = _("status TPS")

    def __str__(self) -> str:
        return f"{self.tps} {self.readiness}"

    def problem_labels(self) -> list[str]:
        labels = [TPSProblem(code).label for code in self.problems if code in TPSProblem.values]
        if self.other_problem:
            labels.append(self.other_problem)
        return labels


class Role(models.TextChoices):
    OFFICER = "officer", _("Petugas desk")
    VIEWER = "viewer", _("Pimpinan (lihat)")
    ADMIN = "admin", _("Admin")


class User(AbstractUser):
    """A desk user, assigned to one region with one role.

    The region bounds everything the user sees: their region and what lies below it. An admin
    without a region administers the whole country.
    """

    role = models.CharField(_("peran"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    region = models.ForeignKey(
        Region,
        verbose_name=_("wilayah tugas"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="desk_users",
    )
    phone = models.CharField(_("telepon"), max_length=32, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [
            models.CheckConstraint(
                condition=Q(role=Role.ADMIN) | Q(region__isnull=False),
                name="user_officers_and_viewers_have_a_region",
            ),
        ]


class ContestKind(models.TextChoices):
    GOVERNOR = "gubernur", _("Gubernur dan Wakil Gubernur")
    REGENT = "bupati", _("Bupati dan Wakil Bupati")
    MAYOR = "wali_kota", _("Wali Kota dan Wakil Wali Kota")


def _default_deadline() -> dt.time:
    return dt.time(16, 0)


# A desk reports daily from a month before voting day until the first week of the recap.
REPORTING_DAYS_BEFORE = 30
REPORTING_DAYS_AFTER = 7


def contest_reporting_period_default(*, voting_day: dt.date) -> tuple[dt.date, dt.date]:
    """The reporting period a contest gets when none is given: H-30 to H+7."""
    return (
        voting_day - dt.timedelta(days=REPORTING_DAYS_BEFORE),
        voting_day + dt.timedelta(days=REPORTING_DAYS_AFTER),
    )


class Contest(models.Model):
    """One regional-head election held by a region (a province or a kab/kota).

    A re-run (pemungutan suara ulang, or the pilkada lanjutan after the empty column won a
    single-candidate contest) is a contest of its own, with its own voting day and reporting
    period, pointing at the contest it repeats. It has no TPS of its own: the TPS registry
    belongs to the regions, so the re-run is held at the same TPS with the same DPT.
    """

    region = models.ForeignKey(
        Region,
        verbose_name=_("wilayah"),
        on_delete=models.PROTECT,
        related_name="contests",
        limit_choices_to={"level__in": [RegionLevel.PROVINSI, RegionLevel.KABKOTA]},
    )
    kind = models.CharField(_("jenis pemilihan"), max_length=16, choices=ContestKind.choices)
    voting_day = models.DateField(_("hari pemungutan suara"))
    reporting_start = models.DateField(_("awal periode laporan"))
    reporting_end = models.DateField(_("akhir periode laporan"))
    daily_deadline = models.TimeField(
        _("batas laporan harian"),
        default=_default_deadline,
        help_text=_("Waktu setempat provinsi."),
    )
    single_candidate = models.BooleanField(
        _("calon tunggal"),
        default=False,
        help_text=_("Surat suara memuat satu pasangan calon dan kolom kosong."),
    )
    rerun_of = models.ForeignKey(
        "self",
        verbose_name=_("ulangan dari"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reruns",
        help_text=_(
            "Untuk pemungutan suara ulang atau pilkada lanjutan: pemilihan yang diulang. "
            "TPS dan DPT-nya sama."
        ),
    )

    class Meta:
        verbose_name = _("pemilihan")
        verbose_name_plural = _("pemilihan")
        ordering = ["voting_day", "region_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "kind", "voting_day"], name="contest_unique_per_region_day"
            ),
            models.CheckConstraint(
                condition=Q(reporting_start__lte=models.F("voting_day"))
                & Q(reporting_end__gte=models.F("voting_day")),
                name="contest_reporting_period_spans_voting_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.region.name} {self.voting_day:%Y}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.region_id and self.kind:
            expected = contest_kind_for(self.region_id)
            if expected is None:
                errors["region"] = _(
                    "Pemilihan kepala daerah diadakan oleh provinsi atau kabupaten/kota."
                )
            elif self.kind != expected:
                errors["kind"] = _("%(region)s memilih %(kind)s.") % {
                    "region": self.region.name,
                    "kind": ContestKind(expected).label,
                }
        if self.rerun_of_id:
            original = self.rerun_of
            if self.pk and original.pk == self.pk:
                errors["rerun_of"] = _("Pemilihan tidak dapat menjadi ulangan dirinya sendiri.")
            elif (original.region_id, original.kind) != (self.region_id, self.kind):
                errors["rerun_of"] = _("Ulangan harus untuk wilayah dan jenis pemilihan yang sama.")
            elif self.voting_day and self.voting_day <= original.voting_day:
                errors["rerun_of"] = _("Hari pemungutan suara ulangan harus sesudah %(day)s.") % {
                    "day": original.voting_day.strftime("%d-%m-%Y")
                }
        if (
            self.voting_day
            and self.reporting_start
            and self.reporting_end
            and not self.reporting_start <= self.voting_day <= self.reporting_end
        ):
            errors["reporting_start"] = _("Periode laporan harus mencakup hari pemungutan suara.")
        if errors:
            raise ValidationError(errors)


def contest_kind_for(region_code: str) -> str | None:
    """The election a region holds: gubernur for a province, wali kota for a kota (71–99),
    bupati for a kabupaten; None for levels that hold none."""
    level = codes.level_of(region_code)
    if level == RegionLevel.PROVINSI:
        return ContestKind.GOVERNOR
    if level == RegionLevel.KABKOTA:
        return ContestKind.MAYOR if codes.is_kota(region_code) else ContestKind.REGENT
    return None


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    SUBMITTED = "submitted", _("Terkirim")
    RETURNED = "returned", _("Dikembalikan")
    VERIFIED = "verified", _("Terverifikasi")


# Reports whose figures count in rollups: a draft is not yet said, a returned one is disputed.
COUNTED_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.VERIFIED)


class Situation(models.TextChoices):
    CALM = "kondusif", _("Kondusif")
    ALERT = "waspada", _("Waspada")
    UNSAFE = "rawan", _("Rawan")


class DailyReport(models.Model):
    """A desk's report for one local day; one per region per day.

    Its life: draft → submitted (late after the contest's daily deadline) → returned by the parent
    desk with a reason → submitted again → verified, which locks it; only the parent desk can
    reopen a verified report. Every save increments `version`, which the forms send back so
    that a save based on an older version is refused rather than silently overwriting.

    TPS figures are reported by kecamatan desks only: kab/kota and province totals come from
    rollups, never from retyping.
    """

    region = models.ForeignKey(
        Region, verbose_name=_("wilayah"), on_delete=models.PROTECT, related_name="daily_reports"
    )
    day = models.DateField(_("tanggal"))
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # Counted from the TPS table when a kecamatan desk submits; None for other levels.
    tps_ready = models.PositiveIntegerField(_("TPS siap"), null=True, blank=True)
    tps_problem = models.PositiveIntegerField(_("TPS bermasalah"), null=True, blank=True)
    situation = models.CharField(_("situasi"), max_length=16, choices=Situation.choices, blank=True)
    note = models.TextField(_("ringkasan situasi"), blank=True)
    help_needed = models.TextField(_("butuh bantuan tingkat atas"), blank=True)
    no_incidents = models.BooleanField(_("nihil insiden"), default=False)

    version = models.PositiveIntegerField(_("versi"), default=1)
    created_by = models.ForeignKey(
        User, verbose_name=_("dibuat oleh"), on_delete=models.PROTECT, related_name="+"
    )
    updated_by = models.ForeignKey(
        User, verbose_name=_("terakhir diubah oleh"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("diperbarui pada"))
    submitted_by = models.ForeignKey(
        User,
        verbose_name=_("dikirim oleh"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    submitted_at = models.DateTimeField(_("dikirim pada"), null=True, blank=True)
    is_late = models.BooleanField(_("terlambat"), default=False)
    review_reason = models.TextField(_("alasan pengembalian/pembukaan"), blank=True)
    reviewed_by = models.ForeignKey(
        User,
        verbose_name=_("ditinjau oleh"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(_("ditinjau pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("laporan harian")
        verbose_name_plural = _("laporan harian")
        ordering = ["-day", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "day"], name="report_one_per_region_day"),
            models.CheckConstraint(
                condition=Q(status=ReportStatus.DRAFT)
                | Q(submitted_at__isnull=False, submitted_by__isnull=False),
                name="report_submitted_has_submitter",
            ),
        ]
        indexes = [models.Index(fields=["day", "region"], name="report_day_region")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day:%Y-%m-%d}"

    @property
    def is_locked(self) -> bool:
        return self.status == ReportStatus.VERIFIED

    @property
    def counts(self) -> bool:
        return self.status in COUNTED_STATUSES


class ReportAction(models.TextChoices):
    SAVED = "saved", _("Disimpan")
    SUBMITTED = "submitted", _("Dikirim")
    RETURNED = "returned", _("Dikembalikan")
    VERIFIED = "verified", _("Diverifikasi")
    REOPENED = "reopened", _("Dibuka kembali")


class DailyReportVersion(models.Model):
    """One step in a report's history: who did what, when, and which fields changed how."""

    report = models.ForeignKey(DailyReport, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("versi"))
    action = models.CharField(_("tindakan"), max_length=16, choices=ReportAction.choices)
    changed_by = models.ForeignKey(
        User, verbose_name=_("oleh"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("pada"))
    # {field: [before, after]} for every field that changed.
    changes = models.JSONField(_("perubahan"), default=dict, blank=True)
    reason = models.TextField(_("alasan"), blank=True)

    class Meta:
        verbose_name = _("riwayat laporan")
        verbose_name_plural = _("riwayat laporan")
        ordering = ["report", "version"]
        constraints = [
            models.UniqueConstraint(fields=["report", "version"], name="report_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.version} {self.action}"

    def readable_changes(self) -> list[tuple[str, object, object]]:
        """(label, before, after) for the history page: field names as the form calls them,
        yes/no for flags, the status by its name. Section keys (logistik.…) stay as they are."""
        rows = []
        for key, (before, after) in self.changes.items():
            try:
                field = DailyReport._meta.get_field(key)
            except FieldDoesNotExist:
                rows.append((key, before, after))
                continue
            rows.append(
                (str(field.verbose_name), _readable(field, before), _readable(field, after))
            )
        return rows


def _readable(field: models.Field, value: object) -> object:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _("ya") if value else _("tidak")
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


class ReportSubmission(models.Model):
    """A submission key carried by a report form: a replayed submit returns the first result."""

    key = models.UUIDField(primary_key=True)
    report = models.ForeignKey(DailyReport, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.key)


class DailyRollup(models.Model):
    """Figures of a region for one day, recomputed from reports and the TPS registry.

    Written only by readiness.rollups, which recomputes a row from source and upserts it, so a
    retried or duplicated job leaves the same row behind.
    """

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="rollups")
    day = models.DateField()
    tps_total = models.PositiveIntegerField(default=0)
    tps_ready = models.PositiveIntegerField(default=0)
    tps_problem = models.PositiveIntegerField(default=0)
    # Expected desks: active kecamatan (and kab/kota) under a contest whose reporting period
    # includes the day; reported and late count their submitted or verified reports of the day.
    kecamatan_expected = models.PositiveIntegerField(default=0)
    kecamatan_reported = models.PositiveIntegerField(default=0)
    kecamatan_late = models.PositiveIntegerField(default=0)
    kabkota_expected = models.PositiveIntegerField(default=0)
    kabkota_reported = models.PositiveIntegerField(default=0)
    kabkota_late = models.PositiveIntegerField(default=0)
    # Kecamatan whose latest figures are from an earlier day, and the oldest such day.
    kecamatan_stale = models.PositiveIntegerField(default=0)
    oldest_figure_day = models.DateField(null=True, blank=True)
    has_own_report = models.BooleanField(default=False)
    own_report_late = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("rekap harian")
        verbose_name_plural = _("rekap harian")
        constraints = [
            models.UniqueConstraint(fields=["region", "day"], name="rollup_one_per_region_day"),
        ]
        indexes = [models.Index(fields=["day", "region"], name="rollup_day_region")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day:%Y-%m-%d}"


class RollupPending(models.Model):
    """A region-day whose rollup is owed: written in the same transaction as the change that
    needs it, deleted by the rollup that pays it. If the broker is down the mark stays, and the
    beat job catches up (readiness.rollups.rollup_pending_run)."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    marked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("rekap tertunda")
        verbose_name_plural = _("rekap tertunda")
        constraints = [
            models.UniqueConstraint(fields=["region", "day"], name="rollup_pending_once"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day:%Y-%m-%d}"


class RollupSnapshot(models.Model):
    """A province's rollup for one local day, frozen at the briefing time ("data per 08.00 WITA").

    Written once by readiness.snapshots.snapshot_take and never updated: later corrections change
    DailyRollup, not the snapshot, and the dashboard shows the difference.

    The figures are one JSON document, ``{region code: {figure: value}}`` for every rollup row of
    the province that day, rather than a child table, because a snapshot is only ever read whole
    (the briefing page, the comparison with the live rollup) and never queried across regions or
    days; one row is written and read in one statement whatever the province's size; and the
    frozen copy keeps region codes as plain strings, so renaming, deactivating or re-parenting a
    region later cannot reach into what the briefing said.
    """

    province = models.ForeignKey(
        Region,
        verbose_name=_("provinsi"),
        on_delete=models.PROTECT,
        related_name="rollup_snapshots",
        limit_choices_to={"level": RegionLevel.PROVINSI},
    )
    day = models.DateField(_("tanggal"))
    taken_at = models.DateTimeField(_("diambil pada"))
    # {region code: {tps_total, …, own_report_late, "<section>.<figure>": value}}: the
    # readiness figures of snapshots.SNAPSHOT_FIGURES and every section's rollup_figures.
    figures = models.JSONField(_("angka"), default=dict)

    class Meta:
        verbose_name = _("snapshot rekap")
        verbose_name_plural = _("snapshot rekap")
        ordering = ["-day", "province_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "day"], name="rollup_snapshot_one_per_province_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.province_id} {self.day:%Y-%m-%d} {self.taken_at:%H:%M}"
