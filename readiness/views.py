from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import trigger_client_event
from kombu import Connection

from . import access, selectors, services
from .forms import DailyReportForm
from .models import Region, RegionLevel, Role

REPORT_SAVED_EVENT = "report-saved"


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Everyone starts on the page of their own region; a national admin on the province list."""
    if request.user.region_id:
        return redirect("region_dashboard", code=request.user.region_id)
    if request.user.role == Role.ADMIN:
        return redirect("national")
    return render(request, "readiness/no_region.html", status=403)


@login_required
@require_GET
def national(request: HttpRequest) -> HttpResponse:
    if not access.can_see(request.user, ""):
        # Only the national admin sees the whole country; everyone else has a region.
        return redirect("home")
    provinces = Region.objects.filter(level=RegionLevel.PROVINSI, is_active=True)
    return render(request, "readiness/national.html", {"provinces": provinces})


@login_required
@require_GET
def region_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    region = access.region_for_viewer_or_404(request.user, code)
    overview = selectors.region_overview(region=region, day=selectors.local_today(region.code))
    context = {
        "overview": overview,
        "is_region_officer": request.user.role == Role.OFFICER
        and request.user.region_id == region.code,
    }
    template = "readiness/region.html"
    if request.htmx:
        template += "#overview"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def daily_report(request: HttpRequest, code: str) -> HttpResponse:
    region = access.region_for_officer_or_404(request.user, code)
    day = selectors.local_today(region.code)
    existing = selectors.report_for_day(region=region, day=day)
    tps_total = selectors.region_tps_total(region)
    initial = {"tps_ready": existing.tps_ready, "note": existing.note} if existing else None
    form = DailyReportForm(
        request.POST or None, initial=initial, region=region, tps_total=tps_total
    )
    saved = False
    if request.method == "POST" and form.is_valid():
        services.daily_report_submit(
            officer=request.user,
            region=region,
            day=day,
            tps_ready=form.cleaned_data.get("tps_ready"),
            note=form.cleaned_data["note"],
        )
        if not request.htmx:
            messages.success(request, _("Laporan hari ini tersimpan."))
            return redirect("region_dashboard", code=region.code)
        saved = True

    context = {"region": region, "day": day, "form": form, "existing": existing, "saved": saved}
    if request.htmx:
        response = render(request, "readiness/daily_report.html#report-form", context)
        return trigger_client_event(response, REPORT_SAVED_EVENT) if saved else response
    status = 400 if request.method == "POST" else 200
    return render(request, "readiness/daily_report.html", context, status=status)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and compose: the database, and the broker when configured."""
    checks = {"database": _check_database()}
    if settings.DESK.broker_url:
        checks["broker"] = _check_broker(settings.DESK.broker_url)
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any failure means unhealthy; the message helps the operator
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _check_broker(url: str) -> str:
    try:
        with Connection(url, connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # kombu raises different errors per transport
        return f"error: {exc.__class__.__name__}"
    return "ok"
