from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    TPS,
    Contest,
    DailyReport,
    DailyReportVersion,
    DailyRollup,
    Region,
    TPSStatus,
    User,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "timezone", "is_active"]
    list_filter = ["level", "is_active", "timezone"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]

    def get_readonly_fields(self, request, obj=None):
        # The code is the key other rows point at; a region with another code is another region.
        return ["code", "level", "parent"] if obj else []


@admin.register(TPS)
class TPSAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "desa",
        "dpt_male",
        "dpt_female",
        "kind",
        "vulnerability",
        "is_active",
    ]
    list_filter = ["kind", "vulnerability", "flood_prone", "hard_to_reach", "is_active"]
    search_fields = ["desa__code", "desa__name"]
    list_select_related = ["desa"]
    raw_id_fields = ["desa"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "get_full_name", "role", "region", "is_active"]
    list_filter = ["role", "is_active"]
    list_select_related = ["region"]
    raw_id_fields = ["region"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Penugasan desk"), {"fields": ("role", "region", "phone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Penugasan desk"), {"fields": ("role", "region")}),
    )


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin):
    list_display = [
        "region",
        "kind",
        "voting_day",
        "reporting_start",
        "reporting_end",
        "daily_deadline",
    ]
    list_filter = ["kind", "voting_day"]
    list_select_related = ["region"]
    raw_id_fields = ["region"]


@admin.register(TPSStatus)
class TPSStatusAdmin(SimpleHistoryAdmin):
    """Statuses are kept by kecamatan desks; the admin reads them and their history."""

    list_display = ["tps", "readiness", "updated_by", "updated_at"]
    list_filter = ["readiness"]
    search_fields = ["tps__desa__code", "tps__desa__name"]
    list_select_related = ["tps", "updated_by"]
    raw_id_fields = ["tps", "updated_by"]


class DailyReportVersionInline(admin.TabularInline):
    model = DailyReportVersion
    extra = 0
    can_delete = False
    fields = ["version", "action", "changed_by", "changed_at", "changes", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DailyReport)
class DailyReportAdmin(admin.ModelAdmin):
    """Reports change only through the desks' pages (their life and history live there)."""

    list_display = [
        "region",
        "day",
        "status",
        "is_late",
        "tps_ready",
        "submitted_by",
        "submitted_at",
    ]
    list_filter = ["status", "is_late", "day"]
    inlines = [DailyReportVersionInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    search_fields = ["region__code", "region__name"]
    list_select_related = ["region", "submitted_by"]


@admin.register(DailyRollup)
class DailyRollupAdmin(admin.ModelAdmin):
    """Read-only: rollups are derived data, rebuilt from reports by the engine."""

    list_display = ["region", "day", "tps_ready", "tps_total", "kecamatan_reported", "computed_at"]
    list_filter = ["day"]
    list_select_related = ["region"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
