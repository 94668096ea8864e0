"""TPS readiness: the kecamatan desk keeps the status of each of its TPS up to date.

Every change is kept by django-simple-history (who, when, what); the daily report copies the
counts when it is submitted.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .models import TPS, Region, RegionLevel, Role, TPSProblem, TPSReadiness, TPSStatus, User

_STATUS_FIELDS = ["readiness", "problems", "other_problem", "note", "updated_by", "updated_at"]


@dataclass(frozen=True)
class TPSCounts:
    total: int
    ready: int
    problem: int

    @property
    def not_ready(self) -> int:
        return self.total - self.ready - self.problem


def tps_counts(*, region_code: str) -> TPSCounts:
    """Active TPS under the region by status, in one query (no row means belum siap)."""
    counts = (
        TPS.objects.filter(is_active=True)
        .within(region_code)
        .aggregate(
            total=Count("id"),
            ready=Count("id", filter=Q(status__readiness=TPSReadiness.READY)),
            problem=Count("id", filter=Q(status__readiness=TPSReadiness.PROBLEM)),
        )
    )
    return TPSCounts(**counts)


def tps_rows(
    *,
    region: Region,
    desa_code: str = "",
    readiness: str = "",
    vulnerability: str = "",
) -> QuerySet[TPS]:
    """The region's active TPS with their status, filtered; one query when evaluated."""
    rows = TPS.objects.filter(is_active=True).within(region.code).select_related("desa", "status")
    if desa_code:
        rows = rows.filter(desa_id=desa_code)
    if readiness == TPSReadiness.NOT_READY:
        rows = rows.filter(Q(status__isnull=True) | Q(status__readiness=readiness))
    elif readiness:
        rows = rows.filter(status__readiness=readiness)
    if vulnerability:
        rows = rows.filter(vulnerability=vulnerability)
    return rows.order_by("desa_id", "number")


@transaction.atomic
def tps_status_set(
    *,
    officer: User,
    region: Region,
    tps_ids: Collection[int],
    readiness: str,
    problems: Collection[str] = (),
    other_problem: str = "",
    note: str | None = None,
) -> int:
    """Set the status of one or many TPS of the officer's kecamatan; returns how many changed.

    Atomic: every TPS is changed or none. Only the kecamatan's own desk officer may call it, and
    only for active TPS of that kecamatan. A TPS *bermasalah* needs at least one reason
    ("lainnya" needs its text); other statuses carry no reasons. `note=None` keeps each TPS's
    note as it was (bulk actions), a string replaces it.
    """
    if officer.role != Role.OFFICER or officer.region_id != region.code:
        raise PermissionDenied(
            _("Hanya petugas desk kecamatan ini yang dapat mengubah status TPS.")
        )
    if region.level != RegionLevel.KECAMATAN:
        raise PermissionDenied(_("Status TPS diisi oleh desk kecamatan."))
    problems = sorted(set(problems))
    _validate(readiness, problems, other_problem, note)
    if readiness != TPSReadiness.PROBLEM:
        problems, other_problem = [], ""

    wanted = set(tps_ids)
    stations = {
        tps.pk: tps
        for tps in TPS.objects.filter(pk__in=wanted, is_active=True)
        .within(region.code)
        .select_related("status")
    }
    if missing := wanted - stations.keys():
        raise ValidationError(
            _("%(count)s TPS tidak ditemukan di kecamatan ini; tidak ada yang diubah.")
            % {"count": len(missing)}
        )

    now = timezone.now()
    to_create, to_update = [], []
    for tps in stations.values():
        current = getattr(tps, "status", None)
        values = {
            "readiness": readiness,
            "problems": problems,
            "other_problem": other_problem,
            "note": current.note if note is None and current else (note or ""),
        }
        if current is None:
            to_create.append(TPSStatus(tps=tps, updated_by=officer, updated_at=now, **values))
        elif any(getattr(current, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(current, field, value)
            current.updated_by, current.updated_at = officer, now
            to_update.append(current)
    if to_create:
        bulk_create_with_history(to_create, TPSStatus, default_user=officer, default_date=now)
    if to_update:
        bulk_update_with_history(
            to_update, TPSStatus, _STATUS_FIELDS, default_user=officer, default_date=now
        )
    return len(to_create) + len(to_update)


def tps_status_history(tps: TPS) -> list:
    return list(
        TPSStatus.history.filter(tps_id=tps.pk)
        .select_related("history_user")
        .order_by("-history_date")
    )


def _validate(readiness: str, problems: list[str], other_problem: str, note: str | None) -> None:
    errors = {}
    if readiness not in TPSReadiness.values:
        errors["readiness"] = _("Pilih status TPS: belum siap, siap, atau bermasalah.")
    if unknown := [code for code in problems if code not in TPSProblem.values]:
        errors["problems"] = _("Jenis masalah tidak dikenal: %(codes)s.") % {
            "codes": ", ".join(unknown)
        }
    elif readiness == TPSReadiness.PROBLEM and not problems:
        errors["problems"] = _("TPS bermasalah: pilih minimal satu jenis masalah.")
    elif TPSProblem.OTHER in problems and not other_problem.strip():
        errors["other_problem"] = _("Jelaskan masalah 'lainnya'.")
    if len(other_problem) > 200:
        errors["other_problem"] = _("Penjelasan masalah paling banyak 200 karakter.")
    if note is not None and len(note) > 500:
        errors["note"] = _("Catatan paling banyak 500 karakter.")
    if errors:
        raise ValidationError(errors)
