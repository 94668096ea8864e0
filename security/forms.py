from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from readiness.models import TPS, Region, RegionLevel, RegionQuerySet

from . import services
from .models import (
    ACTIONS_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    IncidentCategory,
    IncidentStatus,
    Severity,
)
from .selectors import PersonnelRow, PersonnelSection

COUNT_FIELDS = (
    ("ready", _("Siap")),
    ("sick", _("Sakit")),
    ("absent", _("Tidak hadir")),
)


def _count_field(label: str, maximum: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=maximum,
        error_messages={
            "invalid": _("Harus berupa bilangan bulat."),
            "min_value": _("Tidak boleh negatif."),
            "max_value": _("Tidak masuk akal untuk wilayah ini (paling banyak %(limit_value)s)."),
        },
        widget=forms.NumberInput(
            attrs={"inputmode": "numeric", "min": 0, "max": maximum, "aria-label": label}
        ),
    )


class PersonnelForm(forms.Form):
    """One row per active category: ready, sick, absent. A row left empty is not reported."""

    def __init__(self, *args, section: PersonnelSection, **kwargs):
        super().__init__(*args, **kwargs)
        self.section = section
        for row in section.rows:
            code = row.category.code
            for suffix, label in COUNT_FIELDS:
                field = _count_field(f"{row.category.name}: {label}", row.maximum)
                if row.line is not None:
                    field.initial = {
                        "ready": row.line.ready,
                        "sick": row.line.unavailable_sick,
                        "absent": row.line.unavailable_absent,
                    }[suffix]
                self.fields[f"{code}-{suffix}"] = field

    def table(self) -> list[tuple[PersonnelRow, list[forms.BoundField]]]:
        return [
            (row, [self[f"{row.category.code}-{suffix}"] for suffix, _label in COUNT_FIELDS])
            for row in self.section.rows
        ]

    def clean(self):
        cleaned = super().clean()
        for row in self.section.rows:
            code = row.category.code
            keys = [f"{code}-{suffix}" for suffix, _label in COUNT_FIELDS]
            if any(key in self.errors for key in keys):
                continue
            ready, sick, absent = (cleaned.get(key) for key in keys)
            if ready is None and (sick or absent):
                self.add_error(keys[0], _("Isi jumlah yang siap (0 jika tidak ada)."))
            elif ready is not None and ready + (sick or 0) + (absent or 0) > row.maximum:
                self.add_error(
                    keys[0],
                    _(
                        "Jumlah siap dan berhalangan (%(total)s) melebihi batas wajar untuk "
                        "wilayah ini (%(maximum)s)."
                    )
                    % {"total": ready + (sick or 0) + (absent or 0), "maximum": row.maximum},
                )
        return cleaned

    def lines(self) -> dict[str, services.PersonnelCounts | None]:
        lines: dict[str, services.PersonnelCounts | None] = {}
        for row in self.section.rows:
            code = row.category.code
            ready = self.cleaned_data.get(f"{code}-ready")
            lines[code] = (
                None
                if ready is None
                else services.PersonnelCounts(
                    ready=ready,
                    unavailable_sick=self.cleaned_data.get(f"{code}-sick") or 0,
                    unavailable_absent=self.cleaned_data.get(f"{code}-absent") or 0,
                )
            )
        return lines


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, region: Region) -> str:
        indent = "— " if region.level == RegionLevel.DESA else ""
        return f"{indent}{region.name} ({region.code})"


class IncidentForm(forms.Form):
    place = PlaceChoiceField(
        label=_("Tempat (kecamatan atau desa/kelurahan)"),
        queryset=Region.objects.none(),
        error_messages={
            "required": _("Pilih tempat kejadian."),
            "invalid_choice": _("Pilih tempat di dalam wilayah tugas Anda."),
        },
    )
    tps_number = forms.IntegerField(
        label=_("Nomor TPS (jika di TPS)"),
        required=False,
        min_value=1,
        max_value=999,
        error_messages={
            "invalid": _("Nomor TPS harus berupa bilangan bulat."),
            "min_value": _("Nomor TPS mulai dari 1."),
            "max_value": _("Nomor TPS paling besar 999."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    category = forms.ModelChoiceField(
        label=_("Kategori"),
        queryset=IncidentCategory.objects.filter(is_active=True),
        error_messages={
            "required": _("Pilih kategori insiden."),
            "invalid_choice": _("Pilih kategori yang tersedia."),
        },
    )
    severity = forms.ChoiceField(
        label=_("Tingkat"),
        required=False,
        choices=[("", _("Bawaan kategori")), *Severity.choices],
        error_messages={"invalid_choice": _("Pilih tingkat yang tersedia.")},
    )
    occurred_at = forms.DateTimeField(
        label=_("Waktu kejadian (waktu setempat)"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Isi waktu kejadian."),
            "invalid": _("Waktu kejadian tidak dikenali; gunakan tanggal dan jam (JJ:MM)."),
        },
    )
    description = forms.CharField(
        label=_("Uraian kejadian"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Uraikan apa yang terjadi."),
            "max_length": _(
                "Uraian paling banyak %(limit_value)d karakter (sekarang %(show_value)d)."
            ),
        },
    )
    actions_taken = forms.CharField(
        label=_("Tindakan yang sudah diambil"),
        required=False,
        max_length=ACTIONS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _(
                "Tindakan paling banyak %(limit_value)d karakter (sekarang %(show_value)d)."
            ),
        },
    )

    def __init__(self, *args, places: RegionQuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now() + services.FUTURE_TOLERANCE:
            raise forms.ValidationError(_("Waktu kejadian tidak boleh di masa depan."))
        return value

    def clean(self):
        cleaned = super().clean()
        place, number = cleaned.get("place"), cleaned.get("tps_number")
        cleaned["tps"] = None
        if number is not None and place is not None:
            if place.level != RegionLevel.DESA:
                self.add_error(
                    "tps_number", _("Untuk TPS, pilih desa/kelurahannya sebagai tempat.")
                )
            else:
                tps = TPS.objects.filter(desa=place, number=number, is_active=True).first()
                if tps is None:
                    self.add_error(
                        "tps_number",
                        _("TPS %(number)03d tidak ada di %(desa)s.")
                        % {"number": number, "desa": place.name},
                    )
                cleaned["tps"] = tps
        if cleaned.get("category") is not None and not cleaned.get("severity"):
            cleaned["severity"] = cleaned["category"].default_severity
        return cleaned


class IncidentStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status baru"),
        error_messages={
            "required": _("Pilih status baru."),
            "invalid_choice": _("Status ini tidak dapat dipilih dari status sekarang."),
        },
    )
    note = forms.CharField(
        label=_("Catatan"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _(
                "Catatan paling banyak %(limit_value)d karakter (sekarang %(show_value)d)."
            ),
        },
    )

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (status, IncidentStatus(status).label)
            for status in services.allowed_next_statuses(current)
        ]
        if current != IncidentStatus.CLOSED:
            choices.append(
                (
                    current,
                    _("Tetap %(status)s (tambah catatan)")
                    % {"status": IncidentStatus(current).label},
                )
            )
        self.fields["status"].choices = choices


class IncidentFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Semua status")), *IncidentStatus.choices],
    )
    severity = forms.ChoiceField(
        label=_("Tingkat"), required=False, choices=[("", _("Semua tingkat")), *Severity.choices]
    )
    category = forms.ModelChoiceField(
        label=_("Kategori"),
        required=False,
        empty_label=_("Semua kategori"),
        queryset=IncidentCategory.objects.filter(is_active=True),
    )
    tanggal = forms.DateField(
        label=_("Tanggal"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Tanggal tidak dikenali.")},
    )
