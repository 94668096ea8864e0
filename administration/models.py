from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    REGIONS = "wilayah", _("Wilayah (Kemendagri)")
    TPS = "tps", _("TPS dan DPT")
    USERS = "pengguna", _("Pengguna desk")


class ImportStatus(models.TextChoices):
    UPLOADED = "diunggah", _("Diunggah")
    CHECKING = "diperiksa", _("Sedang diperiksa")
    PREVIEWED = "siap", _("Siap diterapkan")
    REFUSED = "ditolak", _("Ditolak")
    APPLYING = "diterapkan", _("Sedang diterapkan")
    APPLIED = "selesai", _("Selesai")
    FAILED = "gagal", _("Gagal")


RUNNING_STATUSES = (ImportStatus.UPLOADED, ImportStatus.CHECKING, ImportStatus.APPLYING)


class ImportJob(models.Model):
    """One uploaded file, its preview, and (once applied) the record of what it changed.

    The file's bytes are kept on the row: "Terapkan" applies exactly what was previewed (the
    SHA-256 is checked again), and the web process and the Celery worker share the database but
    not necessarily a disk. Selectors defer `content` so that lists and the progress fragment
    never load it.
    """

    kind = models.CharField(_("jenis"), max_length=16, choices=ImportKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    file_name = models.CharField(_("nama berkas"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("ukuran berkas"))
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    # The region the importing admin administers ("" for the national admin): rows outside it
    # are refused, and only admins of that region (or the national admin) see the job.
    scope = models.CharField(_("wilayah admin"), max_length=13, blank=True)
    # Where invitation links point; taken from the upload request, since a worker has none.
    base_url = models.CharField(max_length=200, blank=True)
    run_async = models.BooleanField(_("di latar belakang"), default=False)

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diunggah oleh"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("diunggah pada"), auto_now_add=True)
    previewed_at = models.DateTimeField(_("diperiksa pada"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diterapkan oleh"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    applied_at = models.DateTimeField(_("diterapkan pada"), null=True, blank=True)

    row_count = models.PositiveIntegerField(_("jumlah baris"), default=0)
    created_count = models.PositiveIntegerField(_("baru"), default=0)
    updated_count = models.PositiveIntegerField(_("diperbarui"), default=0)
    unchanged_count = models.PositiveIntegerField(_("tidak berubah"), default=0)
    error_count = models.PositiveIntegerField(_("baris bermasalah"), default=0)
    # {"created": [...], "updated": [...], "unchanged": [...]}: the first rows of each, as shown.
    samples = models.JSONField(default=dict, blank=True)
    # [[line, column, message], ...]; line and column are null for a problem with the whole file.
    errors = models.JSONField(default=list, blank=True)
    # After apply: {"invited": [user ids]} for a user import.
    result = models.JSONField(default=dict, blank=True)

    progress_phase = models.CharField(max_length=32, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("impor data")
        verbose_name_plural = _("impor data")
        ordering = ["-uploaded_at"]
        indexes = [models.Index(fields=["scope", "uploaded_at"], name="importjob_scope_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES

    @property
    def can_apply(self) -> bool:
        return self.status == ImportStatus.PREVIEWED and self.error_count == 0
