"""Writes of the indicators app. Views call these; nothing else writes indicator values."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from readiness import codes
from readiness.models import DailyReport, Role, User
from readiness.services import ReportLocked, daily_report_section_saved

from .models import LEVEL_FIELDS, NOTE_MAX_LENGTH, VALUE_CEILING, Indicator, IndicatorValue
from .numbers import format_number
from .selectors import indicator_values_for

SECTION = "indikator"  # as the report history shows it, like "logistik" and "personel"


def note_key(code: str) -> str:
    """The key of an indicator's note in a ValidationError and in the form: "hibah-kpu__note"."""
    return f"{code}__note"


def with_unit(value: Decimal, indicator: Indicator) -> str:
    """A figure with its unit, the Indonesian way: "Rp 23.950.284.000", "12,5%", "4 sesi"."""
    number = format_number(value, indicator.decimal_places)
    if indicator.unit.lower() == "rp":
        return f"Rp {number}"
    if indicator.unit == "%":
        return f"{number}%"
    return f"{number} {indicator.unit}".strip()


def value_problem(indicator: Indicator, value) -> str | None:
    """Why `value` cannot be `indicator`'s figure, in Bahasa Indonesia; None when it can.

    None (not reported) is always fine. Shared by the form, which shows every problem at once,
    and by indicator_values_save, which refuses whatever its caller sends.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return _("Harus berupa angka.")
    value = Decimal(value)
    if not value.is_finite():
        return _("Harus berupa angka.")
    if value < 0:
        return _("Tidak boleh negatif.")
    if indicator.plausible_max is not None and value > indicator.plausible_max:
        return _("Tidak wajar: paling banyak %(limit)s. Periksa jumlah digitnya.") % {
            "limit": with_unit(indicator.plausible_max, indicator)
        }
    if value >= VALUE_CEILING:
        return _("Angka terlalu besar.")
    places = indicator.decimal_places
    if value != value.quantize(Decimal(1).scaleb(-places)):
        if places == 0:
            return _("Harus bilangan bulat, tanpa angka di belakang koma.")
        return _("Paling banyak %(places)s angka di belakang koma.") % {"places": places}
    return None


def note_problem(note: str) -> str | None:
    if len(note) > NOTE_MAX_LENGTH:
        return _("Catatan paling banyak %(limit)s karakter (sekarang %(count)s).") % {
            "limit": NOTE_MAX_LENGTH,
            "count": len(note),
        }
    return None


def indicator_values_save(
    *,
    officer: User,
    report: DailyReport,
    values: dict[str, Decimal | int | None],
    notes: dict[str, str] | None = None,
) -> dict[str, IndicatorValue]:
    """Set `report`'s figures of the indicators in `values`: all of them or nothing.

    `values` maps an indicator code to its figure; None removes the indicator's figure from the
    report ("not reported today"). `notes` maps a code to a short note kept with its figure
    (a note needs a figure). Indicators in neither keep what they have. Idempotent: saving the
    same figures twice changes nothing the second time, and tells the report nothing.

    Only the officer of the report's region may call it (PermissionDenied otherwise); get
    `report` from readiness.services.daily_report_draft. The report row is locked and re-read,
    so a report verified in the meantime raises ReportLocked instead of changing. Raises
    ValidationError keyed by indicator code (note_key(code) for a note) with every problem at
    once (unknown or inactive indicators, indicators the report's level does not report,
    negative, non-numeric, too many decimals, above the indicator's plausible maximum) and
    writes nothing then. When something changed, readiness.services.daily_report_section_saved
    moves the report's version on, records history for a submitted report and enqueues the
    rollup, in the same transaction. Returns the report's values by code.
    """
    if officer.role != Role.OFFICER or officer.region_id != report.region_id:
        raise PermissionDenied(_("Hanya petugas desk wilayah ini yang dapat mengisi indikatornya."))
    level = codes.level_of(report.region_id)
    if level not in LEVEL_FIELDS:
        raise ValidationError(_("Desk tingkat ini tidak melaporkan indikator lain."))

    notes = notes or {}
    wanted = [*values, *(code for code in notes if code not in values)]
    indicators = {
        indicator.code: indicator for indicator in Indicator.objects.filter(code__in=wanted)
    }
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, tuple[Decimal | None, str]] = {}
    for code in wanted:
        indicator = indicators.get(code)
        if indicator is None or not indicator.is_active:
            errors[code] = [_("Indikator tidak dikenal: %(code)s.") % {"code": code}]
            continue
        if not indicator.applies_to(level):
            errors[code] = [
                _("%(name)s tidak dilaporkan oleh desk tingkat ini.") % {"name": indicator.name}
            ]
            continue
        value = values.get(code)
        note = (notes.get(code) or "").strip()
        problems = {
            code: value_problem(indicator, value),
            note_key(code): note_problem(note)
            or (_("Isi angkanya bila menulis catatan.") if note and value is None else None),
        }
        problems = {key: [problem] for key, problem in problems.items() if problem}
        if problems:
            errors.update(problems)
        else:
            cleaned[code] = (None if value is None else Decimal(value), note)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        current = DailyReport.objects.select_for_update().get(pk=report.pk)
        if current.is_locked:
            raise ReportLocked(_("Laporan ini sudah diverifikasi dan tidak dapat diubah."))
        before = {
            saved.indicator.code: saved
            for saved in IndicatorValue.objects.filter(
                report=current, indicator__code__in=list(cleaned)
            ).select_related("indicator")
        }
        changes: dict[str, list] = {}
        rows, removed = [], []
        for code, (value, note) in cleaned.items():
            indicator, old = indicators[code], before.get(code)
            old_value, old_note = (old.value, old.note) if old else (None, "")
            if value != old_value:
                changes[code] = [_plain(old_value, indicator), _plain(value, indicator)]
            if (note if value is not None else "") != old_note:
                changes[note_key(code)] = [old_note, note]
            if value is None:
                if old is not None:
                    removed.append(old.pk)
            elif code in changes or note_key(code) in changes:
                rows.append(
                    IndicatorValue(
                        report=current,
                        indicator=indicator,
                        value=value,
                        note=note,
                        updated_by=officer,
                    )
                )
        if rows:
            IndicatorValue.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["report", "indicator"],
                update_fields=["value", "note", "updated_by", "updated_at"],
            )
        if removed:
            IndicatorValue.objects.filter(pk__in=removed).delete()
        daily_report_section_saved(
            officer=officer, report=current, section=SECTION, changes=changes
        )
        return indicator_values_for(report=current)


def _plain(value: Decimal | None, indicator: Indicator) -> str | None:
    """A figure for the report's history: "23950284000", never "23950284000.00" or a float."""
    if value is None:
        return None
    shorter = value.quantize(Decimal(1).scaleb(-indicator.decimal_places))
    return f"{shorter if shorter == value else value:f}"
