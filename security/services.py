"""Writes of the security app. Views call these; nothing else writes personnel or incidents.

Every function is atomic: it validates everything first and either does all it says or raises
(`ValidationError` with messages in Bahasa Indonesia keyed by field, `PermissionDenied`) and
changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from readiness.models import TPS, DailyReport, Region, Role, User
from readiness.rollups import rollup_enqueue_since
from readiness.selectors import province_zone

from . import access, selectors
from .models import (
    ACTIONS_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    Incident,
    IncidentCategory,
    IncidentStatus,
    IncidentUpdate,
    PersonnelCategory,
    PersonnelLine,
    Severity,
)

S = IncidentStatus
# An incident's life (DOMAIN.md): reported → verified → handled/referred → closed. A report
# found baseless may be closed straight away, a handled one still referred on (to Gakkumdu),
# a referred one reported handled once the receiving body acts. Closed is final.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.REPORTED: (S.VERIFIED, S.CLOSED),
    S.VERIFIED: (S.HANDLED, S.REFERRED),
    S.HANDLED: (S.REFERRED, S.CLOSED),
    S.REFERRED: (S.HANDLED, S.CLOSED),
    S.CLOSED: (),
}
# Steps that mean nothing without a word of explanation.
NOTE_REQUIRED = {
    (S.REPORTED, S.CLOSED): gettext_lazy("Tuliskan alasan insiden ditutup tanpa verifikasi."),
    (S.VERIFIED, S.REFERRED): gettext_lazy(
        "Tuliskan ke mana insiden dirujuk (Bawaslu, Gakkumdu, Polri, …)."
    ),
    (S.HANDLED, S.REFERRED): gettext_lazy(
        "Tuliskan ke mana insiden dirujuk (Bawaslu, Gakkumdu, Polri, …)."
    ),
}
# Clocks of phones and laptops in the field drift; a few minutes ahead is still "now".
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


def allowed_next_statuses(current: str) -> tuple[str, ...]:
    return TRANSITIONS.get(current, ())


@dataclass(frozen=True)
class PersonnelCounts:
    ready: int
    unavailable_sick: int = 0
    unavailable_absent: int = 0

    @property
    def total(self) -> int:
        return self.ready + self.unavailable_sick + self.unavailable_absent


def personnel_lines_save(
    *, officer: User, report: DailyReport, lines: Mapping[str, PersonnelCounts | None]
) -> list[PersonnelLine]:
    """Set the report's personnel lines for the categories in `lines` (by category code).

    A category mapped to None has no figures: its line, if any, is removed. Categories not in
    `lines` are left as they are. Idempotent (an upsert on report × category) and atomic.
    Only the officer of the report's region may call it; a verified (locked) report raises
    `readiness.services.ReportLocked`. Figures must be whole numbers, not negative, and not above
    the plausible maximum for the region (`selectors.plausible_maximum`).
    """
    from readiness.services import ReportLocked, daily_report_section_saved

    if officer.role != Role.OFFICER or officer.region_id != report.region_id:
        raise PermissionDenied(_("Hanya petugas desk wilayah ini yang dapat mengisi personelnya."))

    with transaction.atomic():
        # Locked so that a verification cannot slip in between this check and the write.
        locked = DailyReport.objects.select_for_update().get(pk=report.pk)
        if getattr(locked, "is_locked", False):
            raise ReportLocked(
                _(
                    "Laporan ini sudah diverifikasi; hanya desk di atasnya yang dapat membukanya "
                    "kembali."
                )
            )
        categories = {
            category.code: category
            for category in PersonnelCategory.objects.filter(code__in=list(lines), is_active=True)
        }
        section = selectors.personnel_section(region_code=report.region_id, report=None)
        maxima = {row.category.code: row.maximum for row in section.rows}
        errors: dict[str, list[str]] = {}
        for code, counts in lines.items():
            if code not in categories:
                errors.setdefault("__all__", []).append(
                    _("Kategori personel '%(code)s' tidak dikenal.") % {"code": code}
                )
            elif counts is not None:
                _check_counts(code, counts, maxima[code], categories[code].name, errors)
        if errors:
            raise ValidationError(errors)

        keep = [
            PersonnelLine(
                report=locked,
                category=categories[code],
                ready=counts.ready,
                unavailable_sick=counts.unavailable_sick,
                unavailable_absent=counts.unavailable_absent,
            )
            for code, counts in lines.items()
            if counts is not None
        ]
        before = {
            line.category.code: (line.ready, line.unavailable_sick, line.unavailable_absent)
            for line in PersonnelLine.objects.filter(
                report=locked, category__code__in=list(lines)
            ).select_related("category")
        }
        after = {
            code: (counts.ready, counts.unavailable_sick, counts.unavailable_absent)
            if counts is not None
            else None
            for code, counts in lines.items()
        }
        changes = {
            code: [_plain_counts(before.get(code)), _plain_counts(after[code])]
            for code in lines
            if before.get(code) != after[code]
        }
        dropped = [categories[code].pk for code, counts in lines.items() if counts is None]
        if dropped:
            PersonnelLine.objects.filter(report=locked, category_id__in=dropped).delete()
        if keep:
            PersonnelLine.objects.bulk_create(
                keep,
                update_conflicts=True,
                unique_fields=["report", "category"],
                update_fields=["ready", "unavailable_sick", "unavailable_absent"],
            )
        daily_report_section_saved(
            officer=officer, report=locked, section="personel", changes=changes
        )
    return list(PersonnelLine.objects.filter(report=report).select_related("category"))


def _plain_counts(counts: tuple[int, int, int] | None) -> str | None:
    """A line as the report history shows it: "siap/sakit/absen"."""
    return None if counts is None else "/".join(str(number) for number in counts)


def _check_counts(
    code: str, counts: PersonnelCounts, maximum: int, name: str, errors: dict[str, list[str]]
) -> None:
    fields = {
        "ready": counts.ready,
        "sick": counts.unavailable_sick,
        "absent": counts.unavailable_absent,
    }
    for suffix, value in fields.items():
        key = f"{code}-{suffix}"
        if not isinstance(value, int) or isinstance(value, bool):
            errors[key] = [_("Harus berupa bilangan bulat.")]
        elif value < 0:
            errors[key] = [_("Tidak boleh negatif.")]
        elif value > maximum:
            errors[key] = [
                _("Tidak masuk akal untuk wilayah ini (paling banyak %(maximum)s).")
                % {"maximum": maximum}
            ]
    if not any(f"{code}-{suffix}" in errors for suffix in fields) and counts.total > maximum:
        errors[f"{code}-ready"] = [
            _(
                "Jumlah %(name)s siap dan berhalangan (%(total)s) melebihi batas wajar untuk "
                "wilayah ini (%(maximum)s)."
            )
            % {"name": name, "total": counts.total, "maximum": maximum}
        ]


def incident_report(
    *,
    officer: User,
    region: Region,
    tps: TPS | None = None,
    category: IncidentCategory,
    severity: str,
    occurred_at: dt.datetime,
    description: str,
    actions_taken: str,
) -> Incident:
    """File an incident at a kecamatan or desa (optionally a TPS there), status "reported".

    Atomic: the incident and the first step of its timeline are written together. May be called
    by the kecamatan desk of the place or the kab/kota desk above it (see security.access);
    anyone else gets PermissionDenied. With a TPS, the incident is placed at the TPS's desa,
    which must lie in or under `region`. The time must not be in the future.
    In the same transaction it owes the rollups of the place's chain for every local day from
    the occurrence to today (readiness.rollups.rollup_enqueue_since), published after commit.
    """
    if not access.can_file_incident_at(officer, region.code):
        raise PermissionDenied(_("Anda tidak bertugas di wilayah ini."))
    errors: dict[str, list[str]] = {}
    if not region.is_active:
        errors["region"] = [_("Wilayah ini tidak aktif.")]
    if tps is not None:
        if not (tps.desa_id == region.code or tps.desa_id.startswith(f"{region.code}.")):
            errors["tps"] = [_("TPS ini tidak berada di wilayah yang dipilih.")]
        elif not tps.is_active:
            errors["tps"] = [_("TPS ini tidak aktif.")]
    if not category.is_active:
        errors["category"] = [_("Kategori ini tidak aktif.")]
    if severity not in Severity.values:
        errors["severity"] = [_("Pilih tingkat insiden yang tersedia.")]
    _check_time(occurred_at, errors)
    description = (description or "").strip()
    if not description:
        errors["description"] = [_("Uraikan apa yang terjadi.")]
    elif len(description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = [
            _("Uraian paling banyak %(limit)s karakter.") % {"limit": DESCRIPTION_MAX_LENGTH}
        ]
    actions_taken = (actions_taken or "").strip()
    if len(actions_taken) > ACTIONS_MAX_LENGTH:
        errors["actions_taken"] = [
            _("Tindakan paling banyak %(limit)s karakter.") % {"limit": ACTIONS_MAX_LENGTH}
        ]
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        incident = Incident.objects.create(
            region_id=tps.desa_id if tps is not None else region.code,
            tps=tps,
            category=category,
            severity=severity,
            occurred_at=occurred_at,
            description=description,
            actions_taken=actions_taken,
            status=IncidentStatus.REPORTED,
            reported_by=officer,
        )
        IncidentUpdate.objects.create(
            incident=incident,
            status_from="",
            status_to=IncidentStatus.REPORTED,
            note="",
            by=officer,
            at=incident.created_at,
        )
        _incident_rollups_enqueue(region_code=incident.region_id, since=occurred_at)
    return incident


def _incident_rollups_enqueue(*, region_code: str, since: dt.datetime) -> None:
    """Owe the rollups whose incident figures a change at `since` alters: that local day's and
    every later one up to today (open_at_end is a figure of each day's end)."""
    first = timezone.localdate(since, timezone=province_zone(region_code))
    rollup_enqueue_since(region_code=region_code, first_day=first)


def _check_time(occurred_at: dt.datetime, errors: dict[str, list[str]]) -> None:
    if not isinstance(occurred_at, dt.datetime) or timezone.is_naive(occurred_at):
        errors["occurred_at"] = [_("Isi waktu kejadian yang lengkap.")]
    elif occurred_at > timezone.now() + FUTURE_TOLERANCE:
        errors["occurred_at"] = [_("Waktu kejadian tidak boleh di masa depan.")]


def incident_update_status(*, user: User, incident: Incident, status: str, note: str) -> Incident:
    """Move the incident along its life (see TRANSITIONS) and add the step to its timeline.

    `status` equal to the current status adds a note to the timeline without a change (the note
    is then required). Atomic, and serialised per incident with a row lock, so two desks acting
    at once cannot both move it from the same status. May be called by the desks that may file
    at the incident's place (security.access); anyone else gets PermissionDenied. A change of
    status owes today's rollup of the place's chain (a note alone changes no figure).
    """
    if not access.can_file_incident_at(user, incident.region_id):
        raise PermissionDenied(_("Anda tidak bertugas di wilayah insiden ini."))
    note = (note or "").strip()
    with transaction.atomic():
        current = Incident.objects.select_for_update().get(pk=incident.pk)
        errors: dict[str, list[str]] = {}
        before = current.status
        if status == before and before != S.CLOSED:
            if not note:
                errors["note"] = [_("Tuliskan catatan perkembangan.")]
        elif status not in allowed_next_statuses(before):
            errors["status"] = [
                _("Status tidak dapat diubah dari '%(before)s' ke '%(after)s'.")
                % {
                    "before": S(before).label,
                    "after": S(status).label if status in S.values else status,
                }
            ]
        elif not note and (before, status) in NOTE_REQUIRED:
            errors["note"] = [str(NOTE_REQUIRED[(before, status)])]
        if len(note) > NOTE_MAX_LENGTH:
            errors["note"] = [
                _("Catatan paling banyak %(limit)s karakter.") % {"limit": NOTE_MAX_LENGTH}
            ]
        if errors:
            raise ValidationError(errors)

        now = timezone.now()
        current.status = status
        current.save(update_fields=["status", "updated_at"])
        IncidentUpdate.objects.create(
            incident=current, status_from=before, status_to=status, note=note, by=user, at=now
        )
        if status != before:
            # Only the days from the change on can differ (their open_at_end); the day of
            # occurrence keeps its figures unless that is today.
            _incident_rollups_enqueue(region_code=current.region_id, since=now)
    incident.status, incident.updated_at = current.status, current.updated_at
    return incident
