from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from readiness.admin import (
    AuditLinkAdmin,
    NationalCatalogueAdmin,
    RegionScopedAdmin,
    place_filters,
)

from .models import (
    Incident,
    IncidentCategory,
    IncidentUpdate,
    PersonnelCategory,
    PersonnelLine,
)


@admin.register(PersonnelCategory)
class PersonnelCategoryAdmin(AuditLinkAdmin, NationalCatalogueAdmin):
    """National catalogue: every desk admin reads it, only a national admin edits it."""

    list_display = [
        "code",
        "name",
        "norm_kind",
        "per_unit",
        "per_tps_low",
        "per_tps_vulnerable",
        "per_tps_highly_vulnerable",
        "sort",
        "is_active",
    ]
    list_editable = ["sort", "is_active"]
    list_filter = ["norm_kind", "is_active"]
    search_fields = ["code", "name"]
    fieldsets = (
        (None, {"fields": ("code", "name", "sort", "is_active")}),
        (
            _("Norma kebutuhan"),
            {
                "fields": (
                    "norm_kind",
                    "per_unit",
                    ("per_tps_low", "per_tps_vulnerable", "per_tps_highly_vulnerable"),
                ),
                "description": _(
                    "Per TPS/desa/kecamatan memakai 'jumlah per satuan'; menurut kelas "
                    "kerawanan memakai tiga angka per TPS. Angka Polri/TNI adalah pola "
                    "setempat: sesuaikan dengan keputusan Forkopimda."
                ),
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        # Forms and saved lines refer to categories by code.
        fields = super().get_readonly_fields(request, obj)
        return ["code", *fields] if obj else fields


@admin.register(PersonnelLine)
class PersonnelLineAdmin(RegionScopedAdmin):
    region_lookup = "report__region__code"
    list_display = ["report", "category", "ready", "unavailable_sick", "unavailable_absent"]
    list_filter = ["category", *place_filters("report__region__code"), "report__day"]
    search_fields = ["report__region__code", "report__region__name"]
    list_select_related = ["report", "category"]
    raw_id_fields = ["report"]


@admin.register(IncidentCategory)
class IncidentCategoryAdmin(AuditLinkAdmin, NationalCatalogueAdmin):
    """National catalogue: every desk admin reads it, only a national admin edits it."""

    list_display = ["code", "name", "default_severity", "sort", "is_active"]
    list_editable = ["default_severity", "sort", "is_active"]
    list_filter = ["default_severity", "is_active"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return ["code", *fields] if obj else fields


class IncidentUpdateInline(admin.TabularInline):
    """The timeline is history: shown, never edited here (status changes go through the app)."""

    model = IncidentUpdate
    extra = 0
    can_delete = False
    fields = ["at", "status_from", "status_to", "note", "by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(RegionScopedAdmin):
    list_display = [
        "id",
        "occurred_at",
        "region",
        "tps",
        "category",
        "severity",
        "status",
        "reported_by",
    ]
    list_filter = [
        "status",
        "severity",
        "category",
        *place_filters("region__code"),
        "occurred_at",
    ]
    search_fields = ["region__code", "region__name", "description"]
    date_hierarchy = "occurred_at"
    list_select_related = ["region", "tps", "category", "reported_by"]
    raw_id_fields = ["region", "tps", "reported_by"]
    # The life of an incident has rules (security.services.TRANSITIONS) and a timeline.
    readonly_fields = ["status", "created_at", "updated_at"]
    inlines = [IncidentUpdateInline]

    def has_add_permission(self, request):
        # Filed through the desk (security.services.incident_report), so the timeline starts.
        return False
