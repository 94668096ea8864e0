"""Who may see and file what. Every view goes through one of these helpers.

Outside the user's region the answer is 404, so nobody learns which other regions exist; inside
it, a role that may not do the thing gets 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
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


# --- The admin site -----------------------------------------------------------------------
# One rule for every admin page (readiness.admin.RegionScopedAdmin calls these): a national
# admin (a superuser, or role admin without a region) manages everything; a province admin
# (role admin with a region) manages the rows of their region's subtree and nothing else. The
# catalogues are national: only a national admin edits them.


def admin_manages_site(user: User) -> bool:
    """A desk admin: may use the admin site, within their scope, without per-model grants."""
    return (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and (user.is_superuser or user.role == Role.ADMIN)
    )


def admin_is_national(user: User) -> bool:
    if not user.is_authenticated or not user.is_active or not user.is_staff:
        return False
    return user.is_superuser or (user.role == Role.ADMIN and user.region_id is None)


def admin_scope_code(user: User) -> str | None:
    """The region code the user administers; None for the whole country or for nothing."""
    return None if admin_is_national(user) else user.region_id


def admin_can_reach(user: User, code: str | None) -> bool:
    """Whether an admin-site user may manage a row that belongs to region `code`.

    A row without a region (a national admin) is reachable by national admins only.
    """
    if admin_is_national(user):
        return True
    scope = user.region_id if user.is_authenticated and user.is_staff else None
    if scope is None or code is None:
        return False
    return code == scope or code.startswith(f"{scope}.")


def admin_scope_q(user: User, lookup: str) -> Q:
    """A filter keeping the rows whose region code, reached through `lookup` (``"code"`` on
    Region, ``"desa__code"`` on TPS, ``"region__code"`` …), lies in the user's scope."""
    if admin_is_national(user):
        return Q()
    scope = user.region_id if user.is_authenticated and user.is_staff else None
    if scope is None:
        return Q(pk__in=[])
    return Q(**{lookup: scope}) | Q(**{f"{lookup}__startswith": f"{scope}."})


def admin_regions(user: User) -> RegionQuerySet:
    """The regions an admin-site user may pick in a form or a filter."""
    return Region.objects.filter(admin_scope_q(user, "code"))
