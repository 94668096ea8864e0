from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Situation, TPSProblem, TPSReadiness, Vulnerability

TEXT_LIMIT = 2000


class DailyReportForm(forms.Form):
    """The officer's part of the daily report. TPS figures come from the TPS table instead."""

    situation = forms.ChoiceField(
        label=_("Situasi wilayah"),
        choices=[("", _("— pilih —")), *Situation.choices],
        required=False,
    )
    note = forms.CharField(
        label=_("Ringkasan situasi"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Paling banyak %(limit_value)d karakter.")},
    )
    help_needed = forms.CharField(
        label=_("Butuh bantuan dari tingkat atas"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("Paling banyak %(limit_value)d karakter.")},
    )
    no_incidents = forms.BooleanField(
        label=_("Nihil: tidak ada insiden hari ini"),
        required=False,
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def report_data(self) -> dict:
        """The cleaned fields that belong on the report (not the form's own bookkeeping)."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in {"version", "submission_key"}
        }


class ReportDayForm(forms.Form):
    """Which day a report is for: today by default, or a missed earlier day — never the future."""

    tanggal = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Tanggal tidak dikenal; gunakan format TTTT-BB-HH.")},
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_tanggal(self):
        day = self.cleaned_data["tanggal"] or self.today
        if day > self.today:
            raise forms.ValidationError(
                _("Laporan untuk tanggal yang belum tiba (%(day)s) tidak dapat diisi."),
                params={"day": day.strftime("%d-%m-%Y")},
            )
        return day


class ReviewForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("verify", _("Verifikasi")),
            ("return", _("Kembalikan")),
            ("reopen", _("Buka kembali")),
        ]
    )
    reason = forms.CharField(
        label=_("Alasan"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TPSFilterForm(forms.Form):
    """Filters of the TPS table; the URL carries them so a filtered view can be shared."""

    desa = forms.ChoiceField(label=_("Desa/kelurahan"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Semua")), *TPSReadiness.choices]
    )
    kerawanan = forms.ChoiceField(
        label=_("Kerawanan"), required=False, choices=[("", _("Semua")), *Vulnerability.choices]
    )

    def __init__(self, *args, desa_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desa"].choices = [("", _("Semua")), *desa_choices]


class TPSStatusForm(forms.Form):
    """One TPS's status (inline edit), or the status applied to the ticked TPS (bulk)."""

    readiness = forms.ChoiceField(label=_("Status"), choices=TPSReadiness.choices)
    problems = forms.MultipleChoiceField(
        label=_("Masalah"),
        required=False,
        choices=TPSProblem.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    other_problem = forms.CharField(label=_("Masalah lainnya"), required=False, max_length=200)
    note = forms.CharField(label=_("Catatan"), required=False, max_length=500)
    tps = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.MultipleHiddenInput
    )

    def __init__(self, *args, tps_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tps"].choices = [(pk, pk) for pk in tps_choices]


def add_service_errors(form: forms.Form, refused: ValidationError) -> None:
    """Put a service's refusal on the fields it names, and the rest above the form."""
    if hasattr(refused, "error_dict"):
        for field, messages in refused.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in refused.messages:
            form.add_error(None, message)
