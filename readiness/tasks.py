import datetime as dt

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from . import rollups, snapshots


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def rollup_region_task(region_code: str, day: str) -> None:
    """Recompute `day` for the region and its ancestors; safe to run twice or concurrently."""
    rollups.rollup_region_and_settle(region_code=region_code, day=dt.date.fromisoformat(day))


@shared_task(acks_late=True)
def rollup_catch_up_task() -> int:
    """Beat: pay the rollups owed while the broker was away or a task was lost."""
    return rollups.rollup_pending_run()


@shared_task(acks_late=True)
def rollup_rebuild_recent_task(days: int = 3, within: str | None = None) -> int:
    """Beat, nightly: rebuild the last days from source, whatever happened to the tasks. Also
    after a registry import (within the importing admin's province), whose new TPS and regions
    no submission would otherwise carry into the rows of the desks that do not report again."""
    return rollups.rollup_rebuild_recent(days=days, within=within)


@shared_task(acks_late=True)
def snapshot_due_task() -> int:
    """Beat: freeze the briefing snapshot of each province whose snapshot time has come."""
    return snapshots.snapshots_due(now=timezone.now())
