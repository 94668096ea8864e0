from __future__ import annotations

import re
from dataclasses import dataclass

from django import forms
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from .models import FIELD_LABELS, ISSUE_FIELDS, LogisticsItem, LogisticsLine
from .services import MAX_QUANTITY, line_field_key

_DIGITS = re.compile(r"\d+")
_NEGATIVE = re.compile(r"-\s*\d+")


class QuantityField(forms.IntegerField):
    """A count typed on a phone: digits only, blank meaning "not counted yet".

    Django's IntegerField reads "1.000" as 1 (it drops a trailing ".000"), but an Indonesian
    officer writes a thousand that way: anything but plain digits is refused, never guessed.
    """

    default_error_messages = {
        "invalid": _("Tulis bilangan bulat tanpa titik atau koma, mis. 1250."),
        "min_value": _("Jumlah tidak boleh negatif."),
        "max_value": _("Jumlah terlalu besar."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_QUANTITY)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "step": 1})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not text:
            return None
        if _NEGATIVE.fullmatch(text):
            return -int(text.lstrip("-").strip())  # min_value then says "tidak boleh negatif"
        if not _DIGITS.fullmatch(text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


@dataclass(frozen=True)
class Cell:
    field: BoundField
    label: str
    percent: float | None = None


@dataclass(frozen=True)
class Row:
    item: LogisticsItem
    required: int
    stages: list[Cell]
    issues: list[Cell]

    @property
    def complete(self) -> bool:
        """At or above the required quantity at the level's last stage."""
        final = self.stages[-1].field.value() if self.stages else None
        number = _as_int(final)
        return number is not None and number >= self.required


class LogisticsForm(forms.Form):
    """One row per catalogue item: the stages the desk's level counts, then damaged and short.

    Parsing only (whole, non-negative numbers); the rules between figures live in
    services.logistics_lines_save, whose errors the view puts back on these fields.
    """

    def __init__(
        self,
        *args,
        items: list[LogisticsItem],
        stages: tuple[str, ...],
        lines: dict[str, LogisticsLine] | None = None,
        disabled: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.items = items
        self.stages = stages
        self.columns = (*stages, *ISSUE_FIELDS)
        lines = lines or {}
        for item in items:
            line = lines.get(item.code)
            for column in self.columns:
                key = line_field_key(item.code, column)
                label = f"{item.name} — {FIELD_LABELS[column]}"
                self.fields[key] = QuantityField(
                    label=label,
                    initial=getattr(line, column) if line else None,
                    disabled=disabled,
                )
                # The table's header names the column; a screen reader needs item and column.
                self.fields[key].widget.attrs["aria-label"] = label

    @property
    def headers(self) -> list[str]:
        return [FIELD_LABELS[column] for column in self.columns]

    def lines(self) -> dict[str, dict[str, int | None]]:
        """The cleaned figures in the shape services.logistics_lines_save takes."""
        return {
            item.code: {
                column: self.cleaned_data.get(line_field_key(item.code, column))
                for column in self.columns
            }
            for item in self.items
        }

    def rows(self, required: dict[str, int]) -> list[Row]:
        """What the table shows: each item with its required quantity and progress per stage.

        Progress is read from what the field shows (the typed value after a refused post), so
        the officer sees the figures they typed, not the saved ones.
        """
        rows = []
        for item in self.items:
            need = required.get(item.code, 0)
            cells = []
            for stage in self.stages:
                field = self[line_field_key(item.code, stage)]
                number = _as_int(field.value())
                percent = 100 * number / need if need and number is not None else None
                cells.append(Cell(field, FIELD_LABELS[stage], percent))
            issues = [
                Cell(self[line_field_key(item.code, column)], FIELD_LABELS[column])
                for column in ISSUE_FIELDS
            ]
            rows.append(Row(item, need, cells, issues))
        return rows


def _as_int(value) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        return int(value.strip())
    return None
