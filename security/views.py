from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from readiness import access as readiness_access
from readiness import sections
from readiness import selectors as readiness_selectors
from readiness import services as readiness_services
from readiness.forms import add_service_errors

from . import access, selectors, services
from .forms import IncidentFilterForm, IncidentForm, IncidentStatusForm, PersonnelForm

INCIDENT_CHANGED_EVENT = "incident-changed"
INCIDENTS_PER_PAGE = 50


@login_required
@require_http_methods(["GET", "POST"])
def personnel_report(request: HttpRequest, code: str) -> HttpResponse:
    """The personnel section of today's report: required (from the registry) vs ready."""
    region = readiness_access.region_for_officer_or_404(request.user, code)
    day = readiness_selectors.local_today(region.code)
    report = readiness_selectors.report_for_day(region=region, day=day)
    section = selectors.personnel_section(region_code=region.code, report=report)
    form = PersonnelForm(request.POST or None, section=section)
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            readiness_services.daily_report_section_save(
                officer=request.user,
                region=region,
                day=day,
                save=lambda draft: services.personnel_lines_save(
                    officer=request.user, report=draft, lines=form.lines()
                ),
            )
        except readiness_services.ReportLocked as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            report = readiness_selectors.report_for_day(region=region, day=day)
            if not request.htmx:
                messages.success(request, _("Data personel hari ini tersimpan."))
                return redirect("personnel_report", code=region.code)
            saved = True
            section = selectors.personnel_section(region_code=region.code, report=report)
            form = PersonnelForm(section=section)

    context = {
        "region": region,
        "day": day,
        "report": report,
        "form": form,
        "section": section,
        "saved": saved,
    }
    if request.htmx:
        response = render(request, "security/personnel_report.html#personnel-form", context)
        return trigger_client_event(response, sections.REPORT_SAVED_EVENT) if saved else response
    status = 400 if request.method == "POST" else 200
    return render(request, "security/personnel_report.html", context, status=status)


@login_required
@require_GET
def incident_list(request: HttpRequest, code: str) -> HttpResponse:
    region = readiness_access.region_for_viewer_or_404(request.user, code)
    filters = IncidentFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    if filters.is_bound and not filters.is_valid():
        # Keep the filters that are fine; the form shows what was wrong with the others.
        chosen = {name: value for name, value in filters.cleaned_data.items() if value}
    incidents = selectors.incident_list(
        region_code=region.code,
        status=chosen.get("status") or "",
        severity=chosen.get("severity") or "",
        category=chosen.get("category"),
        day=chosen.get("tanggal"),
    )
    page = Paginator(incidents, INCIDENTS_PER_PAGE).get_page(request.GET.get("halaman"))
    query = request.GET.copy()
    query.pop("halaman", None)
    context = {
        "region": region,
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "zone": readiness_selectors.province_zone(region.code),
        "can_file": access.may_file_within(request.user, region),
    }
    template = "security/incident_list.html"
    if request.htmx:
        template += "#incident-list"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def incident_create(request: HttpRequest, code: str) -> HttpResponse:
    region = readiness_access.region_for_viewer_or_404(request.user, code)
    if not access.may_file_within(request.user, region):
        raise PermissionDenied
    zone = readiness_selectors.province_zone(region.code)
    places = access.filing_places(request.user, region)
    initial = {"occurred_at": timezone.localtime(timezone=zone).replace(second=0, microsecond=0)}
    if region.level in access.FILING_LEVELS:
        initial["place"] = region.code
    with timezone.override(zone):  # typed times are the province's local time
        form = IncidentForm(request.POST or None, places=places, initial=initial)
        valid = request.method == "POST" and form.is_valid()
    if valid:
        data = form.cleaned_data
        try:
            incident = services.incident_report(
                officer=request.user,
                region=data["place"],
                tps=data["tps"],
                category=data["category"],
                severity=data["severity"],
                occurred_at=data["occurred_at"],
                description=data["description"],
                actions_taken=data["actions_taken"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            url = reverse("incident_detail", args=[incident.pk])
            if request.htmx:
                return trigger_client_event(HttpResponseClientRedirect(url), INCIDENT_CHANGED_EVENT)
            messages.success(request, _("Insiden tercatat."))
            return redirect(url)

    context = {"region": region, "form": form, "zone": zone}
    if request.htmx:
        return render(request, "security/incident_form.html#incident-form", context)
    status = 400 if request.method == "POST" else 200
    return render(request, "security/incident_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The incident with its timeline; its desks move it along with the status form."""
    if request.method == "POST":
        incident = access.incident_for_updater_or_404(request.user, pk)
    else:
        incident = access.incident_for_viewer_or_404(request.user, pk)
    can_update = access.can_file_incident_at(request.user, incident.region_id)
    form = IncidentStatusForm(request.POST or None, current=incident.status) if can_update else None
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_update_status(
                user=request.user,
                incident=incident,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not request.htmx:
                messages.success(request, _("Status insiden diperbarui."))
                return redirect("incident_detail", pk=incident.pk)
            saved = True
            form = IncidentStatusForm(current=incident.status)

    context = {
        "incident": incident,
        "timeline": selectors.incident_timeline(incident),
        "form": form,
        "saved": saved,
        "zone": readiness_selectors.province_zone(incident.region_id),
        "back_code": _list_code_for(request.user, incident.region_id),
    }
    if request.htmx:
        response = render(request, "security/incident_detail.html#incident-status", context)
        return trigger_client_event(response, INCIDENT_CHANGED_EVENT) if saved else response
    status = 400 if request.method == "POST" else 200
    return render(request, "security/incident_detail.html", context, status=status)


def _list_code_for(user, place_code: str) -> str:
    """Where "back to the list" goes: the kecamatan's list when the user sees it, else theirs."""
    kecamatan = place_code[:8]
    return kecamatan if readiness_access.can_see(user, kecamatan) else user.region_id or place_code
