"""Writes of the administration app: import jobs (upload → preview → apply), invitations, users."""

from __future__ import annotations

import hashlib
import logging
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from readiness import codes
from readiness.models import User
from readiness.rollups import rollup_rebuild_recent_enqueue

from . import importers
from .models import ImportJob, ImportKind, ImportStatus
from .tabular import FileRefused, count_rows, table_read

logger = logging.getLogger(__name__)

PROGRESS_CACHE_SECONDS = 6 * 3600
# Everything a check records; saves name their fields so the stored file is never rewritten.
_CHECK_FIELDS = [
    "row_count",
    "created_count",
    "updated_count",
    "unchanged_count",
    "error_count",
    "errors",
    "samples",
    "progress_total",
    "progress_done",
    "status",
]


class ImportNotApplicable(Exception):
    """The job is not (or no longer) in a state that may be applied."""


def import_job_create(*, admin: User, kind: str, upload, base_url: str) -> ImportJob:
    """Keep the uploaded file for preview and apply. The caller (forms) checked the size."""
    content = upload.read()
    file_name = (upload.name or "berkas")[:255]
    rows = count_rows(content=content, file_name=file_name)
    return ImportJob.objects.create(
        kind=kind,
        file_name=file_name,
        file_size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        scope=admin.region_id or "",
        base_url=base_url,
        uploaded_by=admin,
        row_count=rows,
        progress_total=rows,
        run_async=rows > settings.DESK_IMPORT_ASYNC_ROWS,
    )


def import_job_preview_start(*, job: ImportJob) -> None:
    """Preview now, or, above DESK_IMPORT_ASYNC_ROWS, in a worker once the job is committed."""
    if job.run_async:
        from .tasks import import_job_preview_task

        transaction.on_commit(lambda: import_job_preview_task.delay(job.pk))
    else:
        import_job_preview(job_id=job.pk)


def import_job_preview(*, job_id: int) -> ImportJob:
    """Check the stored file and record what applying it would do; writes no data.

    Idempotent: a redelivered task finds the preview done and returns it.
    """
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.CHECKING):
        return job
    _set_status(job, ImportStatus.CHECKING)
    check = _run(job, write=False)
    _record_check(job, check)
    job.status = ImportStatus.REFUSED if check.error_count else ImportStatus.PREVIEWED
    job.previewed_at = timezone.now()
    job.save(update_fields=[*_CHECK_FIELDS, "previewed_at"])
    cache.delete(progress_key(job.pk))
    return job


def import_job_apply_start(*, job: ImportJob, admin: User) -> None:
    """Apply now, or in a worker for a big file. Refuses a job that has not passed its preview."""
    updated = ImportJob.objects.filter(
        pk=job.pk, status=ImportStatus.PREVIEWED, error_count=0
    ).update(
        status=ImportStatus.APPLYING,
        applied_by=admin,
        progress_phase="",
        progress_done=0,
    )
    if not updated:
        raise ImportNotApplicable(_("Impor ini tidak dapat diterapkan (statusnya sudah berubah)."))
    if job.run_async:
        from .tasks import import_job_apply_task

        transaction.on_commit(lambda: import_job_apply_task.delay(job.pk))
    else:
        import_job_apply(job_id=job.pk)


def import_job_apply(*, job_id: int) -> ImportJob:
    """Write what the preview showed, from the same stored bytes: all or nothing, one transaction.

    The rows are checked again against the database as it is now; any problem (a desa deleted
    since the preview, say) rolls the whole import back and marks the job failed with the
    reasons. Idempotent: the job becomes "selesai" in the same transaction as the data, so a
    redelivered or duplicated task either finds it done or finds nothing written.
    Invitations for new users are emailed after the commit.
    """
    try:
        with transaction.atomic():
            # The row lock makes a duplicate task wait here, then see "selesai" and stop.
            job = ImportJob.objects.select_for_update().select_related("uploaded_by").get(pk=job_id)
            if job.status == ImportStatus.APPLIED:
                return job
            if job.status != ImportStatus.APPLYING:
                raise ImportNotApplicable(_("Impor ini belum siap diterapkan."))
            if hashlib.sha256(bytes(job.content)).hexdigest() != job.sha256:
                raise ImportNotApplicable(_("Berkas tersimpan berubah sejak diperiksa."))
            check = _run(job, write=True)
            _record_check(job, check)
            job.result = check.result
            job.status = ImportStatus.APPLIED
            job.applied_at = timezone.now()
            job.save(update_fields=[*_CHECK_FIELDS, "result", "applied_at"])
            if check.result.get("invited"):
                transaction.on_commit(lambda: invitations_send(job_id=job_id))
            if job.kind in (ImportKind.REGIONS, ImportKind.TPS) and (
                check.created or check.updated
            ):
                # Today's rollups count the registry (TPS totals, requirements, desks expected).
                admin_region = job.uploaded_by.region_id
                rollup_rebuild_recent_enqueue(
                    within=codes.province_code(admin_region) if admin_region else None
                )
    except importers.ImportRefused as refused:
        job = ImportJob.objects.defer("content").get(pk=job_id)
        _record_check(job, refused.check)
        job.status = ImportStatus.FAILED
        job.save(update_fields=_CHECK_FIELDS)
    cache.delete(progress_key(job_id))
    return job


def _run(job: ImportJob, *, write: bool) -> importers.Check:
    progress = _progress_writer(job)
    try:
        table = table_read(
            content=bytes(job.content),
            file_name=job.file_name,
            columns=importers.COLUMNS[job.kind],
        )
    except FileRefused as refused:
        check = importers.Check()
        check.add_error(None, None, refused.message)
        if write:
            raise importers.ImportRefused(check) from refused
        return check
    # The rows are checked against the scope of the admin who uploaded (and saw the preview).
    return importers.RUNNERS[job.kind](
        table=table, admin=job.uploaded_by, write=write, progress=progress
    )


def _record_check(job: ImportJob, check: importers.Check) -> None:
    job.row_count = check.total
    job.created_count = check.created
    job.updated_count = check.updated
    job.unchanged_count = check.unchanged
    job.error_count = check.error_count
    job.errors = check.sorted_errors()
    job.samples = check.samples
    job.progress_total = max(check.total, 1)
    job.progress_done = check.total


def _set_status(job: ImportJob, status: str) -> None:
    job.status = status
    ImportJob.objects.filter(pk=job.pk).update(status=status)


def progress_key(job_id: int) -> str:
    return f"administration:import-progress:{job_id}"


def _progress_writer(job: ImportJob):
    """Progress goes on the job row and into the cache.

    The apply runs in one transaction, so its updates to the job row stay invisible to the
    page polling it until the end; the cache (Redis in production, shared by web and worker)
    carries them meanwhile. The preview runs outside a transaction, so the row itself is live.
    """
    estimate = max(job.row_count, 1)

    def report(phase: str, done: int, total: int) -> None:
        total = total or max(estimate, done)
        cache.set(progress_key(job.pk), (phase, done, total), PROGRESS_CACHE_SECONDS)
        ImportJob.objects.filter(pk=job.pk).update(
            progress_phase=phase, progress_done=done, progress_total=total
        )

    return report


# --- Invitations and users ------------------------------------------------------------------


def invitation_url(*, user: User, base_url: str) -> str:
    """A one-time link to set a password: the token dies when the password changes.

    Valid for PASSWORD_RESET_TIMEOUT (Django's default: three days).
    """
    path = reverse(
        "administration:set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return urljoin(base_url or "/", path)


def invitations_send(*, job_id: int) -> int:
    """Email each new user of the job who has an address their link. Returns how many went out.

    Called once, after the apply commits; a failing mail server is logged, not fatal: the admin
    still has every link on the result page.
    """
    job = ImportJob.objects.defer("content").get(pk=job_id)
    users = User.objects.filter(pk__in=job.result.get("invited", []), is_active=True).exclude(
        email=""
    )
    days = max(settings.PASSWORD_RESET_TIMEOUT // 86400, 1)
    messages = [
        EmailMessage(
            subject=_("Undangan Desk Pilkada"),
            body=_(
                "Yth. %(name)s,\n\n"
                "Anda didaftarkan sebagai pengguna Desk Pilkada dengan nama pengguna "
                "%(username)s. Buat kata sandi Anda melalui tautan berikut (sekali pakai, "
                "berlaku %(days)d hari):\n\n%(url)s\n\n"
                "Jika Anda tidak merasa didaftarkan, abaikan surel ini."
            )
            % {
                "name": user.get_full_name() or user.username,
                "username": user.username,
                "days": days,
                "url": invitation_url(user=user, base_url=job.base_url),
            },
            to=[user.email],
        )
        for user in users
    ]
    if not messages:
        return 0
    try:
        sent = get_connection().send_messages(messages) or 0
    except OSError:
        logger.exception("invitation emails of import job %s could not be sent", job_id)
        sent = 0
    ImportJob.objects.filter(pk=job_id).update(result={**job.result, "emailed": sent})
    return sent


def user_password_set(*, form) -> User:
    """Save the password of an invitation's SetPasswordForm; the link dies with the old hash."""
    return form.save()


def user_deactivate(*, user: User) -> User:
    """The user can no longer sign in; everything they reported stays, attributed to them."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    return user
