"""Reads of the administration app: import jobs, their progress, exports, invitation links."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet
from tablib import Dataset

from readiness.models import TPS, Region, User, in_subtree

from . import access
from .models import ImportJob, ImportStatus
from .resources import RESOURCES
from .services import invitation_url, progress_key

ERRORS_SHOWN = 500


def import_jobs_for(*, admin: User, limit: int = 20) -> list[ImportJob]:
    """The latest jobs the admin may see: theirs and those of admins below them."""
    jobs = ImportJob.objects.defer("content", "errors", "samples").select_related("uploaded_by")
    if admin.region_id:
        code = admin.region_id
        jobs = jobs.filter(in_subtree("scope", code))
    return list(jobs[:limit])


def import_job_progress(*, job: ImportJob) -> dict:
    """Phase, rows done and total, and a percentage, for the polled fragment."""
    phase, done, total = job.progress_phase, job.progress_done, job.progress_total
    if job.is_running:
        cached = cache.get(progress_key(job.pk))
        if cached and cached[1] >= done:
            phase, done, total = cached
    total = max(total, done, 1)
    return {"phase": phase, "done": done, "total": total, "percent": min(100, done * 100 // total)}


def invitations_for_job(*, job: ImportJob) -> list[tuple[User, str]]:
    """(user, link) for each user the job created who has not set a password yet."""
    if job.status != ImportStatus.APPLIED or not job.result.get("invited"):
        return []
    users = User.objects.filter(pk__in=job.result["invited"]).order_by("username")
    return [
        (user, invitation_url(user=user, base_url=job.base_url))
        for user in users
        if not user.has_usable_password() and user.is_active
    ]


def export_queryset(*, kind: str, admin: User) -> QuerySet:
    code = admin.region_id
    if kind == "wilayah":
        regions = Region.objects.all()
        return regions.within(code) if code else regions
    if kind == "tps":
        tps = TPS.objects.order_by("desa_id", "number")
        return tps.within(code) if code else tps
    users = User.objects.order_by("username")
    return users.filter(in_subtree("region__code", code)) if code else users


def export_dataset(*, kind: str, admin: User) -> Dataset:
    """The admin's part of a registry in the same columns its import reads."""
    access.admin_or_403(admin)
    resource = RESOURCES[kind]()
    return resource.export(queryset=export_queryset(kind=kind, admin=admin))
