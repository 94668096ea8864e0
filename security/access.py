"""Who may read, file and update incidents (same rules as readiness.access: 404 outside the
user's region, 403 for the wrong role).

An incident is placed at a kecamatan, a desa or a TPS. The desks that act on it are the
kecamatan desk and the kab/kota desk directly above that kecamatan ("the region or its parent");
for a desa or TPS the kecamatan desk is the parent and the kab/kota desk stays in charge too,
since pinning an incident down to a desa should not take it away from the desk that escalates
it. Province desks read everything below them but file through their kab/kota desks.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from readiness import codes
from readiness.access import can_see
from readiness.models import Region, RegionLevel, RegionQuerySet, Role, User

from .models import Incident

FILING_LEVELS = (RegionLevel.KECAMATAN, RegionLevel.DESA)
DESK_LEVELS = (RegionLevel.KABKOTA, RegionLevel.KECAMATAN)


def can_file_incident_at(user: User, place_code: str) -> bool:
    """Whether `user` may file or update an incident placed at `place_code`."""
    if not user.is_authenticated or not user.is_active or user.role != Role.OFFICER:
        return False
    if codes.level_of(place_code) not in FILING_LEVELS:
        return False
    kecamatan = place_code[: codes.code_length_at_level(RegionLevel.KECAMATAN)]
    kabkota = place_code[: codes.code_length_at_level(RegionLevel.KABKOTA)]
    return user.region_id in (kecamatan, kabkota)


def may_file_within(user: User, region: Region) -> bool:
    """Whether the user may file at some place in or under `region` (no query)."""
    if not user.is_authenticated or user.role != Role.OFFICER or not user.region_id:
        return False
    if codes.level_of(user.region_id) not in DESK_LEVELS:
        return False
    # A kab/kota or kecamatan desk files anywhere in what it can see.
    return can_see(user, region.code)


def filing_places(user: User, region: Region) -> RegionQuerySet:
    """The kecamatan and desa in or under `region` where `user` may file an incident."""
    if not may_file_within(user, region):
        return Region.objects.none()
    return (
        Region.objects.within(region.code)
        .filter(is_active=True, level__in=FILING_LEVELS)
        .order_by("code")
    )


def incident_for_viewer_or_404(user: User, pk: int) -> Incident:
    """The incident, if it lies in the user's region (their own or below)."""
    incident = (
        Incident.objects.select_related("region", "tps", "category", "reported_by")
        .filter(pk=pk)
        .first()
    )
    if incident is None or not can_see(user, incident.region_id):
        raise Http404
    return incident


def incident_for_updater_or_404(user: User, pk: int) -> Incident:
    """The incident, if the user may change it; 403 when they may only read it."""
    incident = incident_for_viewer_or_404(user, pk)
    if not can_file_incident_at(user, incident.region_id):
        raise PermissionDenied
    return incident
