"""Writes of the readiness app. Views, tasks and the other apps' sections call these; nothing
else changes a daily report.

Every function here is atomic: it either does all it says or raises and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import rollups, sections, selectors, tps
from .models import (
    DailyReport,
    DailyReportVersion,
    Region,
    RegionLevel,
    ReportAction,
    ReportStatus,
    ReportSubmission,
    Role,
    User,
)

T = TypeVar("T")

# The fields an officer writes; everything else on a report is kept by these services.
REPORT_FIELDS = ("situation", "note", "help_needed", "no_incidents")


class ReportLocked(PermissionDenied):
    """The report is verified: only the parent desk can reopen it."""


@dataclass
class ReportConflict(Exception):
    """Someone saved the report after the version this save was based on."""

    saved_by: User
    saved_at: dt.datetime
    current_version: int

    def __str__(self) -> str:
        stamp = timezone.localtime(self.saved_at)
        name = self.saved_by.get_full_name() or self.saved_by.username
        return _(
            "Laporan ini sudah disimpan oleh %(name)s pukul %(time)s. Isian Anda belum "
            "disimpan: periksa perubahan mereka, lalu simpan lagi."
        ) % {"name": name, "time": f"{stamp:%H.%M}"}


def daily_report_draft(*, officer: User, region: Region, day: dt.date) -> DailyReport:
    """The region's report for `day`, created as a draft if there is none yet.

    Only the region's own officer may call it; raises ReportLocked for a verified report.
    Sections owned by other apps (logistics, personnel) attach their lines to this report.
    """
    _require_officer_of(officer, region)
    selectors.reporting_contests_or_error(region_code=region.code, day=day)
    report, _created = DailyReport.objects.get_or_create(
        region=region,
        day=day,
        defaults={"created_by": officer, "updated_by": officer, "updated_at": timezone.now()},
    )
    if report.is_locked:
        raise ReportLocked(
            _(
                "Laporan ini sudah diverifikasi; hanya desk di atasnya yang dapat membukanya kembali."
            )
        )
    return report


@transaction.atomic
def daily_report_save(
    *,
    officer: User,
    region: Region,
    day: dt.date,
    data: Mapping[str, Any],
    expected_version: int | None,
) -> DailyReport:
    """Save fields of the day's report without changing its status (the draft autosave).

    Refuses with ReportConflict when the report moved past `expected_version`. Changes to a
    report that was already submitted are kept in its history and rolled up again.
    """
    report = daily_report_draft(officer=officer, region=region, day=day)
    changes = _apply(report, data)
    if not changes:
        return report
    _write(report, officer=officer, expected_version=expected_version)
    if report.status != ReportStatus.DRAFT:
        _record(report, ReportAction.SAVED, officer, changes)
    if report.counts:
        rollups.rollup_enqueue_since(region_code=region.code, first_day=day)
    return report


def daily_report_submit(
    *,
    officer: User,
    region: Region,
    day: dt.date,
    data: Mapping[str, Any],
    submission_key: uuid.UUID | None = None,
    expected_version: int | None = None,
) -> DailyReport:
    """File (or correct) the region's report for `day`: one report per region per day.

    A replay of the same `submission_key` (a double click, a retried request) returns the
    report as the first submission left it and changes nothing. A submission after the daily
    deadline is accepted and marked late. The rollup is enqueued after commit.
    """
    try:
        with transaction.atomic():
            report = daily_report_draft(officer=officer, region=region, day=day)
            if submission_key is not None:
                # Inserted first: a concurrent replay waits on this key, then finds it taken.
                ReportSubmission.objects.create(key=submission_key, report=report)
            return _submit(report, officer=officer, data=data, expected_version=expected_version)
    except IntegrityError:
        if submission_key is None:
            raise
        first = ReportSubmission.objects.select_related("report").filter(key=submission_key).first()
        if first is None:
            raise
        return first.report


def _submit(
    report: DailyReport, *, officer: User, data: Mapping[str, Any], expected_version: int | None
) -> DailyReport:
    region, day = report.region, report.day
    changes = _apply(report, data)
    if region.level == RegionLevel.KECAMATAN:
        # The TPS figures are the TPS table as it stands at submission, never typed.
        counts = tps.tps_counts(region_code=region.code)
        for field, value in (("tps_ready", counts.ready), ("tps_problem", counts.problem)):
            if getattr(report, field) != value:
                changes[field] = [getattr(report, field), value]
                setattr(report, field, value)
    problems = sections.submit_problems(report)
    if problems:
        raise ValidationError(problems)

    now = timezone.now()
    before_status = report.status
    report.status = ReportStatus.SUBMITTED
    report.submitted_by = officer
    report.submitted_at = now
    report.is_late = now > selectors.report_deadline(region_code=region.code, day=day)
    if before_status != ReportStatus.SUBMITTED:
        changes["status"] = [before_status, ReportStatus.SUBMITTED.value]
    _write(report, officer=officer, expected_version=expected_version)
    _record(report, ReportAction.SUBMITTED, officer, changes)
    rollups.rollup_enqueue_since(region_code=region.code, first_day=day)
    return report


def daily_report_section_save(
    *, officer: User, region: Region, day: dt.date, save: Callable[[DailyReport], T]
) -> T:
    """Save a section of the day's report (logistics, personnel, indicators) with `save`.

    The draft and the section's lines are written in one transaction, so a refused save leaves
    no empty draft behind. Raises ReportLocked for a verified report and whatever `save`
    raises (ValidationError) — views turn both into form errors with forms.add_service_errors.
    """
    with transaction.atomic():
        report = daily_report_draft(officer=officer, region=region, day=day)
        return save(report)


@transaction.atomic
def daily_report_section_saved(
    *, officer: User, report: DailyReport, section: str, changes: Mapping[str, list]
) -> None:
    """Tell the report that a section owned by another app (logistics, personnel, indicators)
    changed its lines: the report's version moves on (so an open form based on the old one is
    refused), a submitted report keeps the change in its history, and a counted report is
    rolled up again. Call it inside the section's own transaction, with
    {line: [before, after]} for what actually changed.
    """
    if not changes:
        return
    report.updated_by = officer
    report.updated_at = timezone.now()
    DailyReport.objects.filter(pk=report.pk).update(
        version=F("version") + 1, updated_by=officer, updated_at=report.updated_at
    )
    report.refresh_from_db(fields=["version", "status"])
    if report.status != ReportStatus.DRAFT:
        _record(
            report,
            ReportAction.SAVED,
            officer,
            {f"{section}.{line}": pair for line, pair in changes.items()},
        )
    if report.counts:
        rollups.rollup_enqueue_since(region_code=report.region_id, first_day=report.day)


@transaction.atomic
def daily_report_return(*, reviewer: User, report: DailyReport, reason: str) -> DailyReport:
    """The parent desk sends a submitted report back with a reason; it stops counting."""
    return _review(
        reviewer,
        report,
        allowed_from=(ReportStatus.SUBMITTED,),
        to=ReportStatus.RETURNED,
        action=ReportAction.RETURNED,
        reason=_required_reason(reason),
    )


@transaction.atomic
def daily_report_verify(*, reviewer: User, report: DailyReport) -> DailyReport:
    """The parent desk confirms a submitted report, which locks it."""
    return _review(
        reviewer,
        report,
        allowed_from=(ReportStatus.SUBMITTED,),
        to=ReportStatus.VERIFIED,
        action=ReportAction.VERIFIED,
        reason="",
    )


@transaction.atomic
def daily_report_reopen(*, reviewer: User, report: DailyReport, reason: str) -> DailyReport:
    """Only the parent desk reopens a verified report, with a reason; it goes back to the officer."""
    return _review(
        reviewer,
        report,
        allowed_from=(ReportStatus.VERIFIED,),
        to=ReportStatus.RETURNED,
        action=ReportAction.REOPENED,
        reason=_required_reason(reason),
    )


def _review(
    reviewer: User,
    report: DailyReport,
    *,
    allowed_from: tuple[str, ...],
    to: str,
    action: str,
    reason: str,
) -> DailyReport:
    if not is_parent_desk_of(reviewer, report.region):
        raise PermissionDenied(
            _("Hanya desk satu tingkat di atas yang dapat meninjau laporan ini.")
        )
    report = DailyReport.objects.select_for_update().get(pk=report.pk)
    if report.status not in allowed_from:
        raise ValidationError(
            _("Laporan berstatus %(status)s tidak dapat %(action)s.")
            % {
                "status": report.get_status_display().lower(),
                "action": ReportAction(action).label.lower(),
            }
        )
    changes = {"status": [report.status, to]}
    report.status = to
    report.review_reason = reason
    report.reviewed_by = reviewer
    report.reviewed_at = timezone.now()
    _write(report, officer=reviewer, expected_version=None)
    _record(report, action, reviewer, changes, reason=reason)
    rollups.rollup_enqueue_since(region_code=report.region_id, first_day=report.day)
    return report


def is_parent_desk_of(user: User, region: Region) -> bool:
    return (
        user.role == Role.OFFICER
        and user.region_id is not None
        and user.region_id == region.parent_id
    )


def _require_officer_of(officer: User, region: Region) -> None:
    if officer.role != Role.OFFICER or officer.region_id != region.code:
        raise PermissionDenied(_("Hanya petugas desk wilayah ini yang dapat mengisi laporannya."))


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Tuliskan alasannya agar desk di bawah tahu apa yang diperbaiki.")}
        )
    return reason


def _apply(report: DailyReport, data: Mapping[str, Any]) -> dict[str, list]:
    """Copy officer-written fields from `data` onto `report`; returns {field: [before, after]}."""
    changes = {}
    for field in REPORT_FIELDS:
        if field not in data:
            continue
        value = data[field]
        before = getattr(report, field)
        if before != value:
            changes[field] = [before, value]
            setattr(report, field, value)
    return changes


def _write(report: DailyReport, *, officer: User, expected_version: int | None) -> None:
    """Save with an optimistic lock: the row is written only if its version is still ours."""
    base_version = report.version if expected_version is None else expected_version
    report.updated_by = officer
    report.updated_at = timezone.now()
    fields = {
        name: getattr(report, name)
        for name in (
            *REPORT_FIELDS,
            "tps_ready",
            "tps_problem",
            "status",
            "submitted_by",
            "submitted_at",
            "is_late",
            "review_reason",
            "reviewed_by",
            "reviewed_at",
            "updated_by",
            "updated_at",
        )
    }
    written = DailyReport.objects.filter(pk=report.pk, version=base_version).update(
        **fields, version=F("version") + 1
    )
    if not written:
        current = DailyReport.objects.select_related("updated_by").get(pk=report.pk)
        raise ReportConflict(
            saved_by=current.updated_by,
            saved_at=current.updated_at,
            current_version=current.version,
        )
    report.version = base_version + 1


def _record(
    report: DailyReport, action: str, user: User, changes: dict[str, list], *, reason: str = ""
) -> None:
    DailyReportVersion.objects.create(
        report=report,
        version=report.version,
        action=action,
        changed_by=user,
        changed_at=report.updated_at,
        changes={
            field: [_plain(before), _plain(after)] for field, (before, after) in changes.items()
        },
        reason=reason,
    )


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)
