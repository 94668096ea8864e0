from django.contrib import admin

from readiness.admin import AuditLinkAdmin, NationalCatalogueAdmin

from .models import LogisticsItem


@admin.register(LogisticsItem)
class LogisticsItemAdmin(AuditLinkAdmin, NationalCatalogueAdmin):
    """The catalogue. Required quantities follow from these rules; nobody types them.

    National: every desk admin reads it, only a national admin edits it."""

    list_display = ["name", "code", "unit", "rule", "parameter", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    list_filter = ["rule", "is_active"]
    search_fields = ["code", "name"]
    prepopulated_fields = {"code": ["name"]}
    fields = ["name", "code", "unit", "rule", "parameter", "note", "sort_order", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        # Forms and error messages address figures by code; renaming it would orphan a typed
        # but not yet saved form. The name stays editable.
        fields = super().get_readonly_fields(request, obj)
        return ["code", *fields] if obj else fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else self.prepopulated_fields
