from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from .models import NOTE_MAX_LENGTH, Indicator, IndicatorValue
from .numbers import INPUT_MAX_LENGTH, NumberSyntaxError, format_number, parse_number
from .services import note_key, value_problem


class IndonesianNumberField(forms.CharField):
    """A figure typed on a phone the Indonesian way: "23.950.284.000", "12,5"; blank is None.

    Parsing only, plus the indicator's own limits (services.value_problem) so that every
    problem of the form shows at once; the service checks again whatever calls it.
    """

    def __init__(self, *, indicator: Indicator, **kwargs):
        self.indicator = indicator
        kwargs.setdefault("required", False)
        # The length check is parse_number's, with its own message.
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    # Not type=number: browsers refuse "23.950.284.000" there and some drop
                    # the comma. inputmode still brings up the numeric keypad on phones.
                    "inputmode": "decimal",
                    "autocomplete": "off",
                    "maxlength": INPUT_MAX_LENGTH,
                    "class": "number",
                }
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value) -> Decimal | None:
        try:
            return parse_number(super().to_python(value))
        except NumberSyntaxError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def validate(self, value) -> None:
        super().validate(value)
        problem = value_problem(self.indicator, value)
        if problem:
            raise forms.ValidationError(problem, code="invalid")


@dataclass(frozen=True)
class Row:
    indicator: Indicator
    value: BoundField
    note: BoundField
    carried: bool


class IndicatorsForm(forms.Form):
    """One figure and an optional short note per indicator the desk's level reports.

    Field names are the indicator codes (notes: services.note_key), so the service's errors,
    keyed the same way, land on their fields.
    """

    def __init__(
        self,
        *args,
        indicators: list[Indicator],
        values: dict[str, IndicatorValue] | None = None,
        carried: bool = False,
        disabled: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        self.carried = carried
        values = values or {}
        for indicator in indicators:
            saved = values.get(indicator.code)
            label = f"{indicator.name} ({indicator.unit})"
            value_field = IndonesianNumberField(
                indicator=indicator,
                label=label,
                # Shown Indonesian-style; parse_number reads it back to the same figure.
                initial=format_number(saved.value, indicator.decimal_places) if saved else "",
                disabled=disabled,
            )
            note_field = forms.CharField(
                label=_("Catatan"),
                required=False,
                max_length=NOTE_MAX_LENGTH,
                initial=saved.note if saved else "",
                disabled=disabled,
                error_messages={
                    "max_length": _(
                        "Catatan paling banyak %(limit_value)d karakter (sekarang %(show_value)d)."
                    )
                },
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )
            note_field.widget.attrs["aria-label"] = f"{_('Catatan')}: {indicator.name}"
            self.fields[indicator.code] = value_field
            self.fields[note_key(indicator.code)] = note_field

    def clean(self):
        cleaned = super().clean()
        for indicator in self.indicators:
            key = note_key(indicator.code)
            if (
                cleaned.get(key)
                and cleaned.get(indicator.code) is None
                and indicator.code not in self.errors
            ):
                self.add_error(key, _("Isi angkanya bila menulis catatan."))
        return cleaned

    def values(self) -> dict[str, Decimal | None]:
        """The cleaned figures in the shape services.indicator_values_save takes."""
        return {
            indicator.code: self.cleaned_data.get(indicator.code) for indicator in self.indicators
        }

    def notes(self) -> dict[str, str]:
        return {
            indicator.code: self.cleaned_data.get(note_key(indicator.code)) or ""
            for indicator in self.indicators
        }

    def rows(self) -> list[Row]:
        return [
            Row(
                indicator=indicator,
                value=self[indicator.code],
                note=self[note_key(indicator.code)],
                carried=self.carried and bool(self[indicator.code].initial),
            )
            for indicator in self.indicators
        ]
