"""Who may administer what. Built on readiness.access: an admin administers their own region
(a province admin: the province) or, without a region, the whole country.

Non-admins get 403 on every administration page; an admin asking for a job or a user outside
their region gets 404, like everywhere else in the desk.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from readiness import access
from readiness.models import Role, User

from .models import ImportJob


def is_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.ADMIN)


def admin_or_403(user) -> User:
    if not is_admin(user):
        raise PermissionDenied
    return user


def administers(admin: User, code: str | None) -> bool:
    """True when `code` (a region, or None/"" for the whole country) lies in the admin's region."""
    if not code:
        return admin.region_id is None and is_admin(admin)
    return access.can_see(admin, code)


def import_job_for_admin_or_404(user, job_id: int) -> ImportJob:
    admin = admin_or_403(user)
    try:
        job = (
            ImportJob.objects.defer("content")
            .select_related("uploaded_by", "applied_by")
            .get(pk=job_id)
        )
    except ImportJob.DoesNotExist:
        raise Http404 from None
    if not administers(admin, job.scope):
        raise Http404
    return job


def user_for_admin_or_404(user, user_id: int) -> User:
    admin = admin_or_403(user)
    try:
        target = User.objects.get(pk=user_id)
    except User.DoesNotExist:
        raise Http404 from None
    if not administers(admin, target.region_id):
        raise Http404
    return target
