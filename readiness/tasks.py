import datetime as dt

from celery import shared_task
from django.db import DatabaseError

from . import rollups


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def rollup_region_task(region_code: str, day: str) -> None:
    """Recompute `day` for the region and its ancestors; safe to run twice or concurrently."""
    rollups.rollup_region_and_ancestors(region_code=region_code, day=dt.date.fromisoformat(day))
