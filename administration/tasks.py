from celery import shared_task

from . import services

# A national TPS list takes minutes, more than the project's default five-minute limit.
_LIMITS = {"time_limit": 3600, "soft_time_limit": 3300}


@shared_task(acks_late=True, **_LIMITS)
def import_job_preview_task(job_id: int) -> None:
    """Check a big uploaded file; a redelivered task finds the preview done and stops."""
    services.import_job_preview(job_id=job_id)


@shared_task(acks_late=True, **_LIMITS)
def import_job_apply_task(job_id: int) -> None:
    """Apply a previewed file, all or nothing; safe to run twice (see import_job_apply)."""
    services.import_job_apply(job_id=job_id)
