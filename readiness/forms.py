from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Region, RegionLevel, Situation

TEXT_LIMIT = 2000


class DailyReportForm(forms.Form):
    """The officer's part of the daily report. Kecamatan desks also count their TPS ready."""

    tps_ready = forms.IntegerField(
        label=_("Jumlah TPS siap"),
        min_value=0,
        error_messages={
            "required": _("Isi jumlah TPS yang siap (0 jika belum ada)."),
            "invalid": _("Jumlah TPS siap harus berupa bilangan bulat."),
            "min_value": _("Jumlah TPS siap tidak boleh negatif."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
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

    def __init__(self, *args, region: Region, tps_total: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.tps_total = tps_total
        if region.level != RegionLevel.KECAMATAN:
            # Kab/kota and province TPS figures come from the kecamatan reports, never retyped.
            del self.fields["tps_ready"]
        else:
            self.fields["tps_ready"].widget.attrs["max"] = tps_total
            self.fields["tps_ready"].help_text = _("Dari %(total)s TPS aktif di kecamatan ini.") % {
                "total": tps_total
            }

    def clean_tps_ready(self) -> int:
        value = self.cleaned_data["tps_ready"]
        if value > self.tps_total:
            raise forms.ValidationError(
                _("TPS siap (%(value)s) tidak boleh melebihi jumlah TPS aktif (%(total)s)."),
                params={"value": value, "total": self.tps_total},
            )
        return value

    def report_data(self) -> dict:
        """The cleaned fields that belong on the report (not the form's own bookkeeping)."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in {"version", "submission_key"}
        }


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
