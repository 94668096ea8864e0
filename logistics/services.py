"""Writes of the logistics app. Views call these; nothing else writes logistics lines."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from readiness import codes
from readiness.models import DailyReport, Role, User
from readiness.services import ReportLocked, daily_report_section_saved

from .models import (
    FIELD_LABELS,
    ISSUE_FIELDS,
    QUANTITY_FIELDS,
    LogisticsItem,
    LogisticsLine,
    stages_for_level,
)
from .selectors import stage_order_problems

# The largest count a desk can mean: a whole kab/kota's ballots are about a million.
MAX_QUANTITY = 100_000_000


def line_field_key(item_code: str, field: str) -> str:
    """The key of one figure in a ValidationError and in the form: "surat-suara__received_ppk"."""
    return f"{item_code}__{field}"


def logistics_lines_save(
    *, officer: User, report: DailyReport, lines: dict[str, dict[str, int | None]]
) -> list[LogisticsLine]:
    """Set the counted quantities of `report`'s items: all of `lines` or nothing.

    `lines` maps an item code to its figures by field name (the stages of the report's level,
    plus "damaged" and "short"); a missing or None figure is stored blank, "not counted yet".
    Items not in `lines` keep their line. Idempotent: saving the same figures twice leaves the
    same rows.

    Only the officer of the report's region may call it (PermissionDenied otherwise); get
    `report` from readiness.services.daily_report_draft. The report row is locked and re-read,
    so a report verified in the meantime raises ReportLocked instead of changing. Raises
    ValidationError keyed by line_field_key(item, field) (NON_FIELD_ERRORS for an unknown item
    or a field the level does not count), with every problem at once, and writes nothing then.
    """
    if officer.role != Role.OFFICER or officer.region_id != report.region_id:
        raise PermissionDenied(_("Hanya petugas desk wilayah ini yang dapat mengisi logistiknya."))
    stages = stages_for_level(codes.level_of(report.region_id))
    if not stages:
        raise ValidationError(_("Desk tingkat ini tidak melaporkan logistik."))

    allowed = (*stages, *ISSUE_FIELDS)
    items = {item.code: item for item in LogisticsItem.objects.filter(code__in=list(lines))}
    errors: dict[str, list[str]] = {}
    for code, values in lines.items():
        item = items.get(code)
        if item is None or not item.is_active:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _("Barang logistik tidak dikenal: %(code)s.") % {"code": code}
            )
            continue
        for field in sorted(values.keys() - set(allowed)):
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _("%(field)s: %(item)s tidak diisi oleh desk tingkat ini.")
                % {"field": FIELD_LABELS.get(field, field), "item": item.name}
            )
        bad = {}
        for field in allowed:
            problem = _quantity_problem(values.get(field))
            if problem:
                bad[line_field_key(code, field)] = [problem]
        errors.update(bad)
        if not bad:
            # Comparing stages only makes sense once every figure of the line is a count.
            for field, problem in stage_order_problems(stages=stages, values=values).items():
                errors[line_field_key(code, field)] = [problem]
    if errors:
        raise ValidationError(errors)

    rows = [
        LogisticsLine(
            report=report,
            item=items[code],
            updated_by=officer,
            **{field: values.get(field) if field in allowed else None for field in QUANTITY_FIELDS},
        )
        for code, values in lines.items()
    ]
    with transaction.atomic():
        current = DailyReport.objects.select_for_update().get(pk=report.pk)
        if current.is_locked:
            raise ReportLocked(_("Laporan ini sudah diverifikasi dan tidak dapat diubah."))
        before = {
            line.item.code: {field: getattr(line, field) for field in QUANTITY_FIELDS}
            for line in LogisticsLine.objects.filter(
                report=report, item__code__in=list(lines)
            ).select_related("item")
        }
        changes = {
            f"{row.item.code}.{field}": [
                before.get(row.item.code, {}).get(field),
                getattr(row, field),
            ]
            for row in rows
            for field in QUANTITY_FIELDS
            if before.get(row.item.code, {}).get(field) != getattr(row, field)
        }
        LogisticsLine.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["report", "item"],
            update_fields=[*QUANTITY_FIELDS, "updated_by", "updated_at"],
        )
        daily_report_section_saved(
            officer=officer, report=current, section="logistik", changes=changes
        )
        return list(
            LogisticsLine.objects.filter(report=report, item__code__in=list(lines))
            .select_related("item")
            .order_by("item__sort_order", "item__code")
        )


def _quantity_problem(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return _("Jumlah harus bilangan bulat.")
    if value < 0:
        return _("Jumlah tidak boleh negatif.")
    if value > MAX_QUANTITY:
        return _("Jumlah terlalu besar.")
    return None
