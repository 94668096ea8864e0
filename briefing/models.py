from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from readiness.models import Region


class ExportKind(models.TextChoices):
    PDF = "pdf", _("PDF")
    XLSX = "xlsx", _("XLSX")


class ExportStatus(models.TextChoices):
    QUEUED = "antri", _("Menunggu")
    RUNNING = "berjalan", _("Sedang dibuat")
    DONE = "selesai", _("Siap diunduh")
    FAILED = "gagal", _("Gagal")


RUNNING_STATUSES = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class ExportJob(models.Model):
    """A briefing export too big to build inside a web request (briefing.exports): who asked for
    which region, day and format, how far the worker is, and the finished file.

    The file's bytes are kept on the row, because the web process and the Celery worker share
    the database but not a disk (as administration.ImportJob does). Pages that show a job's
    progress defer `content`; only the download reads it. Only the user who asked may see the
    job, and only while they may still see its region (briefing.views_exports).
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diminta oleh"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("wilayah"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("tanggal"))
    kind = models.CharField(_("format"), max_length=8, choices=ExportKind.choices)
    # The requester's language: the worker has no request to take it from.
    language = models.CharField(_("bahasa"), max_length=8, default="id")
    status = models.CharField(
        _("status"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress_done = models.PositiveSmallIntegerField(default=0)
    progress_total = models.PositiveSmallIntegerField(default=1)
    file_name = models.CharField(_("nama berkas"), max_length=120, blank=True)
    file_size = models.PositiveIntegerField(_("ukuran berkas"), default=0)
    content = models.BinaryField(default=b"")
    created_at = models.DateTimeField(_("diminta pada"), auto_now_add=True)
    finished_at = models.DateTimeField(_("selesai pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("ekspor ringkasan")
        verbose_name_plural = _("ekspor ringkasan")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["requested_by", "created_at"], name="exportjob_user_time"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day:%Y-%m-%d} {self.kind} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES

    @property
    def is_done(self) -> bool:
        return self.status == ExportStatus.DONE
