from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .models import ImportKind

ACCEPTED_EXTENSIONS = (".csv", ".xlsx")


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis data"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("Berkas (CSV UTF-8 atau XLSX)"),
        error_messages={"required": _("Pilih berkas yang akan diimpor.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.DESK_IMPORT_MAX_BYTES
        # Refused on the size Django already knows, before a byte of the file is parsed.
        if upload.size > limit:
            raise forms.ValidationError(
                _("Berkas %(size)s melebihi batas %(limit)s; pecah berkas per provinsi."),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        if not upload.name.lower().endswith(ACCEPTED_EXTENSIONS):
            raise forms.ValidationError(
                _("Hanya berkas .csv (UTF-8) atau .xlsx yang dapat diimpor.")
            )
        return upload


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        choices=[("csv", "CSV"), ("xlsx", "XLSX")],
        required=False,
        error_messages={"invalid_choice": _("Format tidak dikenal: csv atau xlsx.")},
    )
