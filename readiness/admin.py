"""The admin site: the registry (regions, TPS), users and their assignments, contests, and the
audit log; the catalogues of the other apps use the mixins defined here.

Scoping: every page asks readiness.access (admin_*) who may manage what. A national admin (a
superuser, or role admin without a region) manages everything; a province admin (role admin with
a province, is_staff) manages only that province's subtree: changelists, foreign-key choices and
the audit log are filtered to it, an object outside answers 404, and the national catalogues are
read-only for them.

Changes over time: a region, TPS or user with reports is history and is deactivated, never
deleted (see the `*_with_reports` rules below and DeactivateNotDeleteAdmin).
"""

from __future__ import annotations

from urllib.parse import urlencode

from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.models import LogEntry
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import access, codes, rollups
from .models import (
    TPS,
    Contest,
    DailyReport,
    DailyReportVersion,
    DailyRollup,
    Region,
    RegionLevel,
    Role,
    TPSStatus,
    User,
    contest_reporting_period_default,
    in_subtree,
)

# --- Scoping ------------------------------------------------------------------------------


class RegionScopedAdmin(admin.ModelAdmin):
    """A model admin whose rows belong to a region: a province admin manages only their subtree.

    `region_lookup` reaches the row's region code (``"code"``, ``"desa__code"``,
    ``"region__code"``, ``"tps__desa__code"`` …). Desk admins need no per-model permission
    grants: their role and region say what they manage. Other staff keep Django's permissions,
    still scoped to their region.
    """

    region_lookup = "region__code"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(access.admin_scope_q(request.user, self.region_lookup))
        )

    def get_object(self, request, object_id, from_field=None):
        # Outside the scope (or missing) is 404: nobody learns what exists elsewhere.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def region_code_of(self, obj) -> str | None:
        parts = self.region_lookup.split("__")
        for part in parts[:-2]:
            obj = getattr(obj, part)
        return getattr(obj, f"{parts[-2]}_id") if len(parts) > 1 else getattr(obj, parts[0])

    def reaches(self, request, obj) -> bool:
        return obj is None or access.admin_can_reach(request.user, self.region_code_of(obj))

    def has_module_permission(self, request):
        return access.admin_manages_site(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        allowed = access.admin_manages_site(request.user) or super().has_view_permission(
            request, obj
        )
        return allowed and self.reaches(request, obj)

    def has_add_permission(self, request):
        return access.admin_manages_site(request.user) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        allowed = access.admin_manages_site(request.user) or super().has_change_permission(
            request, obj
        )
        return allowed and self.reaches(request, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = access.admin_manages_site(request.user) or super().has_delete_permission(
            request, obj
        )
        return allowed and self.reaches(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Foreign-key choices stop at the scope too: a region, TPS, contest or user elsewhere
        # is not a valid choice (and not offered).
        related = db_field.related_model
        if related is Region:
            kwargs["queryset"] = access.admin_regions(request.user)
        else:
            try:
                related_admin = self.admin_site.get_model_admin(related)
            except admin.sites.NotRegistered:
                related_admin = None
            if isinstance(related_admin, RegionScopedAdmin):
                kwargs["queryset"] = related_admin.get_queryset(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        # Forms that check the scope read the admin-site user from the class.
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"admin_user": request.user})


class RollupsFollowAdmin(admin.ModelAdmin):
    """Changes here alter what today's rollups count (the registry, contests, catalogues). A
    submission rolls up only its own chain, so once the admin's save, delete or bulk action
    commits, today's rollups of the scope are rebuilt in a worker
    (rollups.rollup_rebuild_recent_enqueue): every dashboard row at once, not only those whose
    desks happen to report again."""

    def rollup_scope(self, obj) -> str | None:
        """The province in and under which `obj` counts; None: the whole country (a national
        catalogue)."""
        return None

    def rollups_follow(self, objects) -> None:
        scopes = {self.rollup_scope(obj) for obj in objects}
        for scope in [None] if None in scopes else sorted(scopes):
            rollups.rollup_rebuild_recent_enqueue(within=scope)

    def save_model(self, request, obj, form, change):
        # As stored before the change too: a TPS moved to another province leaves the old one.
        before = self.model._default_manager.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        self.rollups_follow([obj, *([before] if before else [])])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.rollups_follow([obj])

    def delete_queryset(self, request, queryset):
        objects = list(queryset)
        super().delete_queryset(request, queryset)
        self.rollups_follow(objects)


class NationalCatalogueAdmin(RollupsFollowAdmin):
    """A national catalogue (logistics items, personnel and incident categories, indicators):
    every desk admin reads it, only a national admin changes it; the rollups of the whole
    country follow a change."""

    def has_module_permission(self, request):
        return access.admin_manages_site(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return access.admin_manages_site(request.user) or super().has_view_permission(request, obj)

    def _national(self, request, allowed: bool) -> bool:
        user = request.user
        return access.admin_is_national(user) and (access.admin_manages_site(user) or allowed)

    def has_add_permission(self, request):
        return self._national(request, super().has_add_permission(request))

    def has_change_permission(self, request, obj=None):
        return self._national(request, super().has_change_permission(request, obj))

    def has_delete_permission(self, request, obj=None):
        return self._national(request, super().has_delete_permission(request, obj))


class AuditLinkAdmin(admin.ModelAdmin):
    """Adds "Riwayat perubahan" to the change form: the object's entries in the audit log."""

    @admin.display(description=_("riwayat perubahan"))
    def audit_link(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "-"
        query = urlencode(
            {
                "content_type__id__exact": ContentType.objects.get_for_model(obj).pk,
                "object_pk": str(obj.pk),
            }
        )
        url = f"{reverse('admin:auditlog_logentry_changelist')}?{query}"
        return format_html('<a href="{}">{}</a>', url, gettext("Lihat catatan audit"))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "audit_link"] if obj else fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f != "audit_link"]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj:
            fieldsets.append((_("Riwayat"), {"fields": ["audit_link"]}))
        return fieldsets


# --- Filters by place ---------------------------------------------------------------------


class _PlaceFilter(admin.SimpleListFilter):
    lookup = "code"  # set per admin by place_filters()

    def queryset(self, request, queryset):
        code = self.value()
        if not code:
            return queryset
        return queryset.filter(
            Q(**{self.lookup: code}) | Q(**{f"{self.lookup}__startswith": f"{code}."})
        )


class _ProvinceFilter(_PlaceFilter):
    title = _("provinsi")
    parameter_name = "provinsi"

    def lookups(self, request, model_admin):
        # A province admin's changelist is one province already.
        if not access.admin_is_national(request.user):
            return []
        return list(Region.objects.filter(level=RegionLevel.PROVINSI).values_list("code", "name"))


class _KabKotaFilter(_PlaceFilter):
    title = _("kabupaten/kota")
    parameter_name = "kabkota"

    def lookups(self, request, model_admin):
        # The kab/kota of the chosen province (a national admin) or of the admin's province;
        # never the 514 of the country at once.
        user = request.user
        if access.admin_is_national(user):
            province = request.GET.get("provinsi", "")
        else:
            province = user.region_id or ""
        if codes.level_of(province) != RegionLevel.PROVINSI:
            return []
        return list(
            access.admin_regions(user)
            .filter(level=RegionLevel.KABKOTA, parent_id=province)
            .values_list("code", "name")
        )


def place_filters(lookup: str) -> list[type[admin.SimpleListFilter]]:
    """Province and kab/kota filters on the region code reached through `lookup`."""
    return [
        type("ProvinceFilter", (_ProvinceFilter,), {"lookup": lookup}),
        type("KabKotaFilter", (_KabKotaFilter,), {"lookup": lookup}),
    ]


# --- Reports make history: deactivate, never delete ---------------------------------------


def regions_with_reports(regions) -> list[Region]:
    """Regions with reports: a daily report filed by the region or any desk below it, or a TPS
    below it whose status was ever set. Two queries per region (bulk actions select few)."""
    reported = []
    for region in regions:
        if (
            DailyReport.objects.filter(in_subtree("region__code", region.code)).exists()
            or TPSStatus.history.filter(in_subtree("tps__desa__code", region.code)).exists()
        ):
            reported.append(region)
    return reported


def tps_with_reports(queryset: QuerySet[TPS]) -> QuerySet[TPS]:
    """TPS with reports: a status was ever set (the history keeps it even if the row goes), or
    its kecamatan filed a daily report (whose TPS counts include it). One query."""
    return queryset.filter(
        Q(pk__in=TPSStatus.history.values("tps_id"))
        | Q(desa__parent_id__in=DailyReport.objects.values("region_id"))
    )


def users_with_reports(queryset: QuerySet[User]) -> QuerySet[User]:
    """Users who acted on a report (any step of its history) or set a TPS status. One query."""
    return queryset.filter(
        Q(pk__in=DailyReportVersion.objects.values("changed_by_id"))
        | Q(pk__in=TPSStatus.history.values("history_user_id"))
    )


def _delete_unreported(modeladmin, request, queryset):
    reported = modeladmin.with_reports(queryset)
    if reported:
        modeladmin.message_user(
            request,
            gettext(
                "%(count)s dari yang dipilih sudah punya laporan, jadi tidak ada yang dihapus: "
                "riwayatnya harus tetap utuh. Pilih tindakan “Nonaktifkan” untuk "
                "menghentikan pemakaiannya."
            )
            % {"count": len(reported)},
            messages.ERROR,
        )
        return None
    return delete_selected(modeladmin, request, queryset)


_delete_unreported.allowed_permissions = ("delete",)


class DeactivateNotDeleteAdmin(admin.ModelAdmin):
    """Rows with reports are deactivated ("Nonaktifkan"), never deleted; deleting one is refused
    with a message pointing at that action. Each row is saved on its own so the audit log keeps
    every change."""

    actions = ["deactivate", "reactivate"]

    def with_reports(self, queryset) -> list:
        raise NotImplementedError

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.with_reports(self.model._default_manager.filter(pk=obj.pk)):
            self.message_user(
                request,
                gettext(
                    "%(object)s sudah punya laporan, jadi tidak dapat dihapus: riwayatnya harus "
                    "tetap utuh. Pilih tindakan “Nonaktifkan” untuk menghentikan pemakaiannya."
                )
                % {"object": obj},
                messages.ERROR,
            )
            opts = self.model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            return redirect(f"{url}?{urlencode({'pk__exact': obj.pk})}")
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (_delete_unreported, name, description)
        return actions

    def _set_active(self, request, queryset, active: bool) -> int:
        changed = []
        for obj in queryset.filter(is_active=not active):
            obj.is_active = active
            obj.save(update_fields=["is_active"])
            changed.append(obj)
        if changed and isinstance(self, RollupsFollowAdmin):
            self.rollups_follow(changed)
        return len(changed)

    @admin.action(description=_("Nonaktifkan"), permissions=["change"])
    def deactivate(self, request, queryset):
        changed = self._set_active(request, queryset, False)
        self.message_user(
            request,
            gettext("%(count)s %(name)s dinonaktifkan; riwayat dan laporannya tetap tersimpan.")
            % {"count": changed, "name": self.model._meta.verbose_name_plural},
            messages.SUCCESS,
        )

    @admin.action(description=_("Aktifkan kembali"), permissions=["change"])
    def reactivate(self, request, queryset):
        changed = self._set_active(request, queryset, True)
        self.message_user(
            request,
            gettext("%(count)s %(name)s diaktifkan kembali.")
            % {"count": changed, "name": self.model._meta.verbose_name_plural},
            messages.SUCCESS,
        )


# --- Regions ------------------------------------------------------------------------------


class RegionAdminForm(forms.ModelForm):
    """A region is added by its Kemendagri code; its level and parent follow from the code."""

    admin_user = None

    class Meta:
        model = Region
        fields = ["code", "name", "timezone", "is_active"]

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        level = codes.level_of(code)
        if level is None:
            raise ValidationError(
                _("Kode Kemendagri tidak dikenal; contoh: 64, 64.71, 64.71.06, 64.71.06.1001.")
            )
        if not access.admin_can_reach(self.admin_user, code):
            raise ValidationError(
                _("Anda hanya dapat menambah wilayah di bawah %(scope)s.")
                % {"scope": self.admin_user.region_id}
            )
        parent = codes.parent_code(code)
        if parent is not None and not Region.objects.filter(code=parent).exists():
            raise ValidationError(_("Wilayah induk %(parent)s belum ada.") % {"parent": parent})
        self.instance.level, self.instance.parent_id = level, parent
        return code

    def clean(self):
        cleaned = super().clean()
        if "timezone" in self.fields and self.instance.level:
            if self.instance.level != RegionLevel.PROVINSI:
                # Only provinces carry a zone; regions below use their province's.
                cleaned["timezone"] = ""
            elif not cleaned.get("timezone") and cleaned.get("code"):
                cleaned["timezone"] = codes.default_zone_for_province(cleaned["code"])
        return cleaned


@admin.register(Region)
class RegionAdmin(RollupsFollowAdmin, DeactivateNotDeleteAdmin, AuditLinkAdmin, RegionScopedAdmin):
    form = RegionAdminForm

    def rollup_scope(self, obj):
        return codes.province_code(obj.code)

    region_lookup = "code"
    list_display = ["code", "name", "level", "parent", "timezone", "is_active"]
    list_filter = ["level", "is_active", *place_filters("code"), "timezone"]
    list_select_related = ["parent"]
    search_fields = ["^code", "name"]
    ordering = ["code"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["code", "name", "timezone", "is_active"]
        return ["code", "name", "level", "parent", "timezone", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        # The code is the key other rows point at; a region with another code is another region.
        if obj is None:
            return super().get_readonly_fields(request, obj)
        fixed = ["code", "level", "parent"]
        if obj.level != RegionLevel.PROVINSI:
            fixed.append("timezone")
        return [*fixed, *super().get_readonly_fields(request, obj)]

    def with_reports(self, queryset) -> list:
        return regions_with_reports(queryset)

    @admin.action(description=_("Nonaktifkan"), permissions=["change"])
    def deactivate(self, request, queryset):
        selected = list(queryset)
        super().deactivate(request, queryset)
        # Rows below keep their own switch: say what is still active there.
        below = Q()
        for region in selected:
            below |= Q(code__startswith=f"{region.code}.")
        if selected:
            regions = Region.objects.filter(below, is_active=True).count()
            stations = (
                TPS.objects.filter(is_active=True)
                .filter(
                    Q(desa__code__in=[r.code for r in selected])
                    | Q(
                        desa__code__in=Region.objects.filter(below).values("code"),
                    )
                )
                .count()
            )
            if regions or stations:
                self.message_user(
                    request,
                    gettext(
                        "Di bawahnya masih aktif %(regions)s wilayah dan %(tps)s TPS; "
                        "nonaktifkan juga bila tidak lagi dipakai."
                    )
                    % {"regions": regions, "tps": stations},
                    messages.WARNING,
                )


# --- TPS ----------------------------------------------------------------------------------


@admin.register(TPS)
class TPSAdmin(RollupsFollowAdmin, DeactivateNotDeleteAdmin, AuditLinkAdmin, RegionScopedAdmin):
    def rollup_scope(self, obj):
        return codes.province_code(obj.desa_id)

    """A TPS is its id: moving it to another desa keeps its status and history."""

    region_lookup = "desa__code"
    list_display = [
        "__str__",
        "desa",
        "kecamatan",
        "dpt_male",
        "dpt_female",
        "kind",
        "vulnerability",
        "is_active",
    ]
    list_filter = [
        "vulnerability",
        "kind",
        "is_active",
        *place_filters("desa__code"),
        "flood_prone",
        "hard_to_reach",
    ]
    search_fields = ["^desa__code", "desa__name", "desa__parent__name", "=number"]
    list_select_related = ["desa", "desa__parent"]
    autocomplete_fields = ["desa"]

    @admin.display(description=_("kecamatan"), ordering="desa__parent__name")
    def kecamatan(self, tps: TPS) -> Region:
        return tps.desa.parent

    def with_reports(self, queryset) -> list:
        return list(tps_with_reports(queryset))


# --- Users and their assignments ----------------------------------------------------------

_NATIONAL_ONLY_USER_FIELDS = {"is_superuser", "groups", "user_permissions"}


class _AssignmentChecks:
    """Role and region go together; a province admin assigns users only in their province and
    never creates a national admin (an admin without a region)."""

    admin_user = None

    def clean(self):
        cleaned = super().clean()
        if "region" not in self.fields or "region" in self.errors:
            return cleaned
        role, region = cleaned.get("role"), cleaned.get("region")
        if region is None and not access.admin_is_national(self.admin_user):
            self.add_error(
                "region",
                _("Pilih wilayah tugas di %(scope)s; admin nasional dibuat oleh admin nasional.")
                % {"scope": self.admin_user.region_id},
            )
        elif region is None and role != Role.ADMIN:
            self.add_error("region", _("Petugas desk dan pimpinan harus punya wilayah tugas."))
        return cleaned


class UserChangeAdminForm(_AssignmentChecks, UserChangeForm):
    pass


class UserCreationAdminForm(_AssignmentChecks, AdminUserCreationForm):
    pass


@admin.register(User)
class UserAdmin(DeactivateNotDeleteAdmin, AuditLinkAdmin, RegionScopedAdmin, BaseUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    list_display = ["username", "full_name", "role", "region", "is_staff", "is_active"]
    list_filter = ["role", "is_active", "is_staff", *place_filters("region__code")]
    list_select_related = ["region"]
    search_fields = [
        "username",
        "first_name",
        "last_name",
        "email",
        "^region__code",
        "region__name",
    ]
    autocomplete_fields = ["region"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Penugasan desk"), {"fields": ("role", "region", "phone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Penugasan desk"), {"fields": ("role", "region")}),
    )

    @admin.display(description=_("nama lengkap"), ordering="first_name")
    def full_name(self, user: User) -> str:
        return user.get_full_name()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not access.admin_is_national(request.user):
            queryset = queryset.filter(is_superuser=False)
        return queryset

    def reaches(self, request, obj) -> bool:
        if obj is not None and obj.is_superuser and not access.admin_is_national(request.user):
            return False
        return super().reaches(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if access.admin_is_national(request.user):
            return fieldsets
        # Superuser status and Django permissions would lift a user above the province.
        return [
            (
                name,
                {
                    **options,
                    "fields": [f for f in options["fields"] if f not in _NATIONAL_ONLY_USER_FIELDS],
                },
            )
            for name, options in fieldsets
        ]

    def with_reports(self, queryset) -> list:
        return list(users_with_reports(queryset))

    def _set_active(self, request, queryset, active: bool) -> int:
        # An admin does not lock themselves out by ticking their own row.
        return super()._set_active(request, queryset.exclude(pk=request.user.pk), active)


# --- Contests -----------------------------------------------------------------------------


class ContestAdminForm(forms.ModelForm):
    """The reporting period defaults to H-30 … H+7 when left blank; the kind must match the
    region (Contest.clean)."""

    admin_user = None

    class Meta:
        model = Contest
        fields = [
            "region",
            "kind",
            "single_candidate",
            "rerun_of",
            "voting_day",
            "reporting_start",
            "reporting_end",
            "daily_deadline",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("reporting_start", "reporting_end"):
            if name in self.fields:
                self.fields[name].required = False
                self.fields[name].help_text = _(
                    "Kosongkan untuk memakai bawaan: 30 hari sebelum sampai 7 hari sesudah hari "
                    "pemungutan suara."
                )

    def clean(self):
        cleaned = super().clean()
        voting_day = cleaned.get("voting_day")
        if voting_day:
            start, end = contest_reporting_period_default(voting_day=voting_day)
            if not cleaned.get("reporting_start") and "reporting_start" not in self.errors:
                cleaned["reporting_start"] = start
            if not cleaned.get("reporting_end") and "reporting_end" not in self.errors:
                cleaned["reporting_end"] = end
        return cleaned


@admin.register(Contest)
class ContestAdmin(RollupsFollowAdmin, AuditLinkAdmin, RegionScopedAdmin):
    form = ContestAdminForm

    def rollup_scope(self, obj):
        return codes.province_code(obj.region_id)

    list_display = [
        "region",
        "kind",
        "voting_day",
        "reporting_start",
        "reporting_end",
        "daily_deadline",
        "single_candidate",
        "rerun_of",
    ]
    list_filter = [
        "kind",
        "single_candidate",
        ("rerun_of", admin.EmptyFieldListFilter),
        *place_filters("region__code"),
        "voting_day",
    ]
    list_select_related = ["region", "rerun_of", "rerun_of__region"]
    search_fields = ["^region__code", "region__name"]
    autocomplete_fields = ["region", "rerun_of"]
    fieldsets = [
        (None, {"fields": ["region", "kind", "single_candidate", "rerun_of"]}),
        (
            _("Jadwal"),
            {"fields": ["voting_day", "reporting_start", "reporting_end", "daily_deadline"]},
        ),
    ]


# --- Status, reports and rollups (read by the admin, kept by the desks) -------------------


@admin.register(TPSStatus)
class TPSStatusAdmin(RegionScopedAdmin, SimpleHistoryAdmin):
    """Statuses are kept by kecamatan desks; the admin reads them and their history."""

    region_lookup = "tps__desa__code"
    list_display = ["tps", "readiness", "updated_by", "updated_at"]
    list_filter = ["readiness", *place_filters("tps__desa__code")]
    search_fields = ["^tps__desa__code", "tps__desa__name"]
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
class DailyReportAdmin(RegionScopedAdmin):
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
    list_filter = ["status", "is_late", *place_filters("region__code"), "day"]
    inlines = [DailyReportVersionInline]
    search_fields = ["^region__code", "region__name"]
    list_select_related = ["region", "submitted_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(DailyRollup)
class DailyRollupAdmin(RegionScopedAdmin):
    """Read-only: rollups are derived data, rebuilt from reports by the engine."""

    list_display = ["region", "day", "tps_ready", "tps_total", "kecamatan_reported", "computed_at"]
    list_filter = [*place_filters("region__code"), "day"]
    list_select_related = ["region"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- The audit log (django-auditlog) ------------------------------------------------------

_AUDIT_ACTIONS = {
    LogEntry.Action.CREATE: _("dibuat"),
    LogEntry.Action.UPDATE: _("diubah"),
    LogEntry.Action.DELETE: _("dihapus"),
    LogEntry.Action.ACCESS: _("dibuka"),
}


class _AuditActionFilter(admin.SimpleListFilter):
    title = _("tindakan")
    parameter_name = "tindakan"

    def lookups(self, request, model_admin):
        return [(str(action), label) for action, label in _AUDIT_ACTIONS.items()]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class _AuditObjectTypeFilter(admin.RelatedOnlyFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = gettext("jenis data")


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditLogEntryAdmin(AuditlogLogEntryAdmin):
    """Every admin change (who, when, before → after), read-only.

    A national admin reads every entry. A province admin reads the entries of the regions, TPS,
    users and contests that are in their province now; catalogue entries are national.
    """

    list_display = ["created", "resource_url", "action_label", "summary", "user_url"]
    list_filter = [_AuditActionFilter, ("content_type", _AuditObjectTypeFilter)]
    search_fields = ["object_repr", "actor__username", "actor__first_name", "actor__last_name"]
    readonly_fields = ["created", "resource_url", "action_label", "user_url", "before_after"]
    fieldsets = [
        (None, {"fields": ["created", "user_url", "resource_url", "action_label"]}),
        (_("Perubahan"), {"fields": ["before_after"]}),
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        user = request.user
        if access.admin_is_national(user):
            return queryset
        types = ContentType.objects.get_for_models(Region, TPS, User, Contest)
        scoped = {
            TPS: TPS.objects.filter(access.admin_scope_q(user, "desa__code")),
            User: User.objects.filter(access.admin_scope_q(user, "region__code")),
            Contest: Contest.objects.filter(access.admin_scope_q(user, "region__code")),
        }
        visible = Q(
            content_type=types[Region],
            object_pk__in=access.admin_regions(user).values("code"),
        )
        for model, rows in scoped.items():
            visible |= Q(content_type=types[model], object_id__in=rows.values("pk"))
        return queryset.filter(visible)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def has_module_permission(self, request):
        return access.admin_manages_site(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return access.admin_manages_site(request.user) or super().has_view_permission(request, obj)

    @admin.display(description=_("waktu"), ordering="timestamp")
    def created(self, obj):
        return super().created(obj)

    @admin.display(description=_("oleh"))
    def user_url(self, obj):
        return super().user_url(obj) if obj.actor_id else gettext("sistem")

    @admin.display(description=_("data"))
    def resource_url(self, obj):
        return super().resource_url(obj)

    @admin.display(description=_("tindakan"), ordering="action")
    def action_label(self, obj) -> str:
        return _AUDIT_ACTIONS.get(obj.action, obj.action)

    @admin.display(description=_("kolom yang berubah"))
    def summary(self, obj) -> str:
        # Field names only (no lookups of the values): the list stays at a fixed query count.
        if obj.action != LogEntry.Action.UPDATE:
            return ""
        model = obj.content_type.model_class()
        labels = []
        for name in obj.changes_dict:
            try:
                labels.append(str(model._meta.get_field(name).verbose_name))
            except (AttributeError, FieldDoesNotExist):
                labels.append(name)
        return ", ".join(labels)

    @admin.display(description=_("sebelum → sesudah"))
    def before_after(self, obj) -> str:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (capfirst(str(field)), before, after)
                for field, (before, after) in obj.changes_display_dict.items()
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            pgettext("catatan audit", "Kolom"),
            gettext("Sebelum"),
            gettext("Sesudah"),
            rows,
        )
