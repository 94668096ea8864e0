from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Region, RegionLevel


class DailyReportForm(forms.Form):
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
    note = forms.CharField(
        label=_("Catatan singkat"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Catatan paling banyak %(limit_value)d karakter.")},
    )

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
