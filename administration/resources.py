"""django-import-export Resources: the one definition of each file's columns, used for export.

An export gives back exactly the format the import reads (same headers, codes not labels,
"ya"/"tidak" flags, six-decimal coordinates), so exporting, editing and re-importing a file is
the way to correct a registry. Values are rendered as plain text: import-export's number
widgets would localise them ("1.234" in Indonesian), which no import should have to undo.

Imports do not go through these Resources' row-by-row import (see administration.importers
for why and for the measurement).
"""

from __future__ import annotations

from decimal import Decimal

from import_export import fields, resources, widgets

from readiness.models import TPS, Region, User


class PlainWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class YesNoWidget(widgets.BooleanWidget):
    TRUE_VALUES = ["ya", "1", "true"]
    FALSE_VALUES = ["tidak", "0", "false"]

    def render(self, value, obj=None, **kwargs):
        return "ya" if value else "tidak"


class CoordinateWidget(widgets.DecimalWidget):
    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{Decimal(value):.6f}"


def _field(attribute: str, column: str, widget: widgets.Widget | None = None) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column, widget=widget or PlainWidget())


class RegionResource(resources.ModelResource):
    kode = _field("code", "kode")
    nama = _field("name", "nama")

    class Meta:
        model = Region
        fields = ("kode", "nama")
        import_id_fields = ("kode",)


class TPSResource(resources.ModelResource):
    # desa_id, not desa: the code is on the row, so exporting 435,000 TPS needs no join.
    kode_desa = _field("desa_id", "kode_desa")
    nomor_tps = _field("number", "nomor_tps", widgets.IntegerWidget(coerce_to_string=False))
    dpt_laki_laki = _field(
        "dpt_male", "dpt_laki_laki", widgets.IntegerWidget(coerce_to_string=False)
    )
    dpt_perempuan = _field(
        "dpt_female", "dpt_perempuan", widgets.IntegerWidget(coerce_to_string=False)
    )
    jenis = _field("kind", "jenis")
    kerawanan = _field("vulnerability", "kerawanan")
    rawan_banjir = _field("flood_prone", "rawan_banjir", YesNoWidget())
    sulit_dijangkau = _field("hard_to_reach", "sulit_dijangkau", YesNoWidget())
    lintang = _field("latitude", "lintang", CoordinateWidget())
    bujur = _field("longitude", "bujur", CoordinateWidget())

    class Meta:
        model = TPS
        fields = (
            "kode_desa",
            "nomor_tps",
            "dpt_laki_laki",
            "dpt_perempuan",
            "jenis",
            "kerawanan",
            "rawan_banjir",
            "sulit_dijangkau",
            "lintang",
            "bujur",
        )
        import_id_fields = ("kode_desa", "nomor_tps")
        skip_unchanged = True


class UserResource(resources.ModelResource):
    username = _field("username", "username")
    nama_lengkap = fields.Field(column_name="nama_lengkap", widget=PlainWidget())
    email = _field("email", "email")
    telepon = _field("phone", "telepon")
    peran = _field("role", "peran")
    kode_wilayah = _field("region_id", "kode_wilayah")

    class Meta:
        model = User
        fields = ("username", "nama_lengkap", "email", "telepon", "peran", "kode_wilayah")
        import_id_fields = ("username",)

    def dehydrate_nama_lengkap(self, user: User) -> str:
        return user.get_full_name()


RESOURCES = {"wilayah": RegionResource, "tps": TPSResource, "pengguna": UserResource}
