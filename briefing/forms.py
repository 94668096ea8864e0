"""GET filters of the dashboards: they go through forms like any input (STYLE.md §5)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from readiness.models import TPSProblem, Vulnerability

from .selectors import SORT_KEYS


def _sort_choices() -> list[tuple[str, str]]:
    return [(key, key) for key in SORT_KEYS] + [(f"-{key}", f"-{key}") for key in SORT_KEYS]


class DashboardForm(forms.Form):
    """Which day (`tanggal`, today by default) and which sort (`urut`) a dashboard shows.

    A day outside the reporting period, or after today, has no rollups to show: refused.
    """

    tanggal = forms.DateField(
        label=_("Tanggal"),
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Tanggal tidak dikenal; gunakan format TTTT-BB-HH.")},
    )
    urut = forms.ChoiceField(label=_("Urutkan"), required=False, choices=_sort_choices)
    rapat = forms.BooleanField(label=_("Mode rapat"), required=False)

    def __init__(self, *args, today: dt.date, period: tuple[dt.date | None, dt.date | None], **kw):
        super().__init__(*args, **kw)
        self.today = today
        self.period = period

    def clean_tanggal(self) -> dt.date:
        day = self.cleaned_data["tanggal"] or self.today
        if day > self.today:
            raise forms.ValidationError(
                _("Tanggal %(day)s belum tiba."), params={"day": day.strftime("%d-%m-%Y")}
            )
        start, end = self.period
        if day != self.today and (start is None or not start <= day <= end):
            raise forms.ValidationError(
                _("Tanggal %(day)s di luar periode laporan."),
                params={"day": day.strftime("%d-%m-%Y")},
            )
        return day


REASON_HIGHLY_VULNERABLE = "sangat_rawan"


class TPSAtRiskForm(forms.Form):
    """Filters of the TPS-at-risk list: the reason (a problem, or "sangat rawan") and the
    vulnerability class."""

    alasan = forms.ChoiceField(
        label=_("Alasan"),
        required=False,
        choices=[
            ("", _("Semua")),
            (REASON_HIGHLY_VULNERABLE, _("Sangat rawan")),
            *TPSProblem.choices,
        ],
    )
    kelas = forms.ChoiceField(
        label=_("Kelas kerawanan"),
        required=False,
        choices=[("", _("Semua")), *Vulnerability.choices],
    )
    halaman = forms.IntegerField(required=False, min_value=1)
