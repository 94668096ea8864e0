from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from readiness.admin import AuditLinkAdmin, NationalCatalogueAdmin

from .models import Indicator


@admin.register(Indicator)
class IndicatorAdmin(AuditLinkAdmin, NationalCatalogueAdmin):
    """The catalogue of other indicators. Desks see the active ones of their level.

    National: every desk admin reads it, only a national admin edits it."""

    list_display = [
        "name",
        "code",
        "unit",
        "aggregation",
        "levels",
        "decimal_places",
        "plausible_max",
        "sort_order",
        "is_active",
    ]
    list_editable = ["sort_order", "is_active"]
    list_filter = ["aggregation", "for_kecamatan", "for_kabkota", "for_provinsi", "is_active"]
    search_fields = ["code", "name"]
    prepopulated_fields = {"code": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "code", "unit", "aggregation", "help_text"]}),
        (
            _("Dilaporkan oleh"),
            {"fields": ["for_kecamatan", "for_kabkota", "for_provinsi"]},
        ),
        (
            _("Isian"),
            {"fields": ["decimal_places", "plausible_max", "sort_order", "is_active"]},
        ),
    ]

    @admin.display(description=_("tingkat"))
    def levels(self, indicator: Indicator) -> str:
        return ", ".join(str(label) for label in indicator.level_labels)

    def get_readonly_fields(self, request, obj=None):
        # Forms, error keys and the report history name figures by code; renaming it would
        # orphan a typed but not yet saved form. The name stays editable.
        fields = super().get_readonly_fields(request, obj)
        return ["code", *fields] if obj else fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else self.prepopulated_fields
