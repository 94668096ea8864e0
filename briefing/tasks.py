from celery import shared_task

from . import exports

# A national brief reads every kab/kota and renders a long PDF: more than the default limit.
_LIMITS = {"time_limit": 900, "soft_time_limit": 840}


@shared_task(acks_late=True, **_LIMITS)
def export_job_run_task(job_id: int) -> None:
    """Build an export's file; a redelivered task finds it done, or builds it again from the
    same read-only figures (exports.export_job_run)."""
    exports.export_job_run(job_id=job_id)
