"""Who may see and file what. Every view goes through one of these helpers.

Outside the user's region the answer is 404, so nobody learns which other regions exist; inside
it, a role that may not do the thing gets 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Region, RegionQuerySet, Role, User


def regions_visible_to(user: User) -> RegionQuerySet:
    if not user.is_authenticated or not user.is_active:
        return Region.objects.none()
    if user.region_id is None:
        # Only an admin may lack a region (a DB constraint says so): the national admin.
        return Region.objects.all() if user.role == Role.ADMIN else Region.objects.none()
    return Region.objects.within(user.region_id)


def can_see(user: User, code: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.region_id is None:
        return user.role == Role.ADMIN
    return code == user.region_id or code.startswith(f"{user.region_id}.")


def region_for_viewer_or_404(user: User, code: str) -> Region:
    """The region, if `user` may read it (their own region or one below it)."""
    if not can_see(user, code):
        raise Http404
    try:
        return Region.objects.get(code=code, is_active=True)
    except Region.DoesNotExist:
        raise Http404 from None


def is_officer_of(user: User, region: Region) -> bool:
    return user.role == Role.OFFICER and user.region_id == region.code


def region_for_officer_or_404(user: User, code: str) -> Region:
    """The region, if `user` is the desk officer who files its reports."""
    region = region_for_viewer_or_404(user, code)
    if not is_officer_of(user, region):
        raise PermissionDenied
    return region
