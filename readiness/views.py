from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event
from kombu import Connection

from . import access, sections, selectors, services, tps
from .forms import (
    DailyReportForm,
    ReportDayForm,
    ReviewForm,
    TPSFilterForm,
    TPSStatusForm,
    add_service_errors,
)
from .models import Region, RegionLevel, Role, TPSReadiness

REPORT_SAVED_EVENT = sections.REPORT_SAVED_EVENT
TPS_CHANGED_EVENT = "tps-changed"


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
@require_http_methods(["GET", "POST"])
def daily_report(request: HttpRequest, code: str) -> HttpResponse:
    """The officer's form for a day's report (today unless ?tanggal= names a missed day):
    autosaved as a draft, then submitted."""
    region = access.region_for_officer_or_404(request.user, code)
    day_form = ReportDayForm(request.GET, today=selectors.local_today(region.code))
    if not day_form.is_valid():
        return render(
            request,
            "readiness/report_day_refused.html",
            {"region": region, "errors": day_form.errors["tanggal"]},
            status=400,
        )
    day = day_form.cleaned_data["tanggal"]
    report = selectors.report_for_day(region=region, day=day)

    if request.method == "GET":
        initial = {"submission_key": uuid.uuid4(), "version": report.version if report else None}
        if report:
            initial |= {field: getattr(report, field) for field in services.REPORT_FIELDS}
        form = DailyReportForm(initial=initial)
        return _render_report_form(request, region, day, report, form)

    form = DailyReportForm(request.POST)
    action = request.POST.get("action", "save")
    submitting = action == "submit"
    valid = form.is_valid()
    if not valid and submitting:
        return _render_report_form(request, region, day, report, form, status=400)

    try:
        if submitting:
            report = services.daily_report_submit(
                officer=request.user,
                region=region,
                day=day,
                data=form.report_data(),
                submission_key=form.cleaned_data.get("submission_key"),
                expected_version=form.cleaned_data.get("version"),
            )
        else:
            # A draft keeps every valid field even when another one is wrong: a weak
            # connection or a typo must not cost what was already typed.
            report = services.daily_report_save(
                officer=request.user,
                region=region,
                day=day,
                data={
                    name: form.cleaned_data[name]
                    for name in form.cleaned_data
                    if name in services.REPORT_FIELDS
                },
                expected_version=form.cleaned_data.get("version"),
            )
    except services.ReportConflict as conflict:
        form.add_error(None, str(conflict))
        return _render_report_form(request, region, day, report, form, status=409, action=action)
    except ValidationError as refused:
        for message in refused.messages:
            form.add_error(None, message)
        return _render_report_form(request, region, day, report, form, status=400, action=action)

    if submitting and not request.htmx:
        messages.success(request, _("Laporan hari ini terkirim."))
        return redirect("region_dashboard", code=region.code)
    # Re-bind so that the page carries the new version for the next save, and a fresh key:
    # a later correction is a new submission, not a replay of this one.
    data = request.POST.copy()
    data["version"] = report.version
    if submitting:
        data["submission_key"] = str(uuid.uuid4())
    form = DailyReportForm(data)
    form.is_valid()
    response = _render_report_form(
        request,
        region,
        day,
        report,
        form,
        saved="submitted" if submitting else "draft",
        action=action,
    )
    return trigger_client_event(response, REPORT_SAVED_EVENT)


def _render_report_form(
    request, region, day, report, form, *, status=200, saved=None, action="save"
):
    deadline = selectors.report_deadline(region_code=region.code, day=day)
    context = {
        "region": region,
        "day": day,
        "report": report,
        "form": form,
        "saved": saved,
        "action": action,
        "history": selectors.report_history(report) if report else [],
        "deadline": deadline,
        "zone_label": selectors.zone_label(deadline.tzinfo),
        "sections": sections.linked_for_level(region.level),
        "is_today": day == selectors.local_today(region.code),
        "form_action": reverse("daily_report", args=[region.code])
        + ("" if day == selectors.local_today(region.code) else f"?tanggal={day.isoformat()}"),
        "tps_counts": tps.tps_counts(region_code=region.code)
        if region.level == RegionLevel.KECAMATAN
        else None,
    }
    if request.htmx and action == "autosave":
        # The autosave answers with the status line only (and the new version, out of band):
        # replacing the form under the officer's fingers would eat what they are typing.
        return render(request, "readiness/daily_report.html#report-state", context)
    if request.htmx:
        # htmx swaps only 2xx answers: errors come back as 200 with the messages in the form.
        return render(request, "readiness/daily_report.html#report-form", context)
    return render(request, "readiness/daily_report.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def report_review(request: HttpRequest, code: str) -> HttpResponse:
    """The parent desk reads a child region's report of the day and verifies, returns or reopens it."""
    region = access.region_for_viewer_or_404(request.user, code)
    day = selectors.local_today(region.code)
    report = selectors.report_for_day(region=region, day=day)
    can_review = services.is_parent_desk_of(request.user, region)
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if not can_review:
            raise PermissionDenied
        if report is None:
            raise Http404
        if form.is_valid():
            action = form.cleaned_data["action"]
            reason = form.cleaned_data["reason"]
            try:
                if action == "verify":
                    services.daily_report_verify(reviewer=request.user, report=report)
                elif action == "return":
                    services.daily_report_return(
                        reviewer=request.user, report=report, reason=reason
                    )
                else:
                    services.daily_report_reopen(
                        reviewer=request.user, report=report, reason=reason
                    )
            except ValidationError as refused:
                add_service_errors(form, refused)
            else:
                messages.success(request, _("Status laporan diperbarui."))
                return redirect("report_review", code=region.code)
    context = {
        "region": region,
        "day": day,
        "report": report,
        "form": form,
        "can_review": can_review,
        "history": selectors.report_history(report) if report else [],
    }
    return render(
        request, "readiness/report_review.html", context, status=400 if form.errors else 200
    )


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


def _kecamatan_for_viewer_or_404(user, code: str) -> Region:
    region = access.region_for_viewer_or_404(user, code)
    if region.level != RegionLevel.KECAMATAN:
        raise Http404
    return region


@login_required
@require_GET
def tps_table(request: HttpRequest, code: str) -> HttpResponse:
    """The kecamatan's TPS with their status, filterable; its desk edits them inline."""
    region = _kecamatan_for_viewer_or_404(request.user, code)
    if request.htmx and request.GET.get("bagian") == "jumlah":
        # An inline edit changed one row: only the counts above the table need refreshing.
        return render(
            request,
            "readiness/tps_table.html#tps-counts",
            {"region": region, "counts": tps.tps_counts(region_code=region.code)},
        )
    return _render_tps_table(request, region, filter_data=request.GET)


def _render_tps_table(request: HttpRequest, region: Region, *, filter_data) -> HttpResponse:
    desa_choices = list(
        Region.objects.filter(parent=region, is_active=True).values_list("code", "name")
    )
    filters = TPSFilterForm(filter_data or None, desa_choices=desa_choices)
    wanted = filters.cleaned_data if filters.is_valid() else {}
    rows = tps.tps_rows(
        region=region,
        desa_code=wanted.get("desa", ""),
        readiness=wanted.get("status", ""),
        vulnerability=wanted.get("kerawanan", ""),
    )
    context = {
        "region": region,
        "rows": list(rows),
        "filters": filters,
        "filter_query": filters.data.urlencode() if filters.is_bound else "",
        "counts": tps.tps_counts(region_code=region.code),
        "can_edit": access.is_officer_of(request.user, region),
        "status_form": TPSStatusForm(),
    }
    template = "readiness/tps_table.html#tps-table" if request.htmx else "readiness/tps_table.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def tps_row(request: HttpRequest, code: str, tps_id: int) -> HttpResponse:
    """Click-to-edit for one TPS: GET gives its edit form, POST saves and gives the row back."""
    region = access.region_for_officer_or_404(request.user, code)
    station = get_object_or_404(tps.tps_rows(region=region), pk=tps_id)
    context = {"region": region, "row": station, "can_edit": True}
    if request.method == "GET":
        if request.GET.get("batal"):
            return render(request, "readiness/tps_table.html#tps-row", context)
        context["form"] = TPSStatusForm(initial=_status_initial(station), auto_id=_row_ids(station))
        return render(request, "readiness/tps_table.html#tps-row-edit", context)

    form = TPSStatusForm(request.POST, auto_id=_row_ids(station))
    if form.is_valid():
        try:
            tps.tps_status_set(
                officer=request.user,
                region=region,
                tps_ids=[station.pk],
                readiness=form.cleaned_data["readiness"],
                problems=form.cleaned_data["problems"],
                other_problem=form.cleaned_data["other_problem"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as refused:
            add_service_errors(form, refused)
        else:
            context["row"] = tps.tps_rows(region=region).get(pk=station.pk)
            response = render(request, "readiness/tps_table.html#tps-row", context)
            return trigger_client_event(response, TPS_CHANGED_EVENT)
    context["form"] = form
    status = 200 if request.htmx else 400
    return render(request, "readiness/tps_table.html#tps-row-edit", context, status=status)


@login_required
@require_POST
def tps_bulk(request: HttpRequest, code: str) -> HttpResponse:
    """Apply one status to the ticked TPS ("mark these 12 TPS siap")."""
    region = access.region_for_officer_or_404(request.user, code)
    form = TPSStatusForm(
        request.POST, tps_choices=tps.tps_rows(region=region).values_list("pk", flat=True)
    )
    if form.is_valid() and not form.cleaned_data["tps"]:
        form.add_error("tps", _("Centang dulu TPS yang akan diubah."))
    if form.is_valid():
        try:
            changed = tps.tps_status_set(
                officer=request.user,
                region=region,
                tps_ids=form.cleaned_data["tps"],
                readiness=form.cleaned_data["readiness"],
                problems=form.cleaned_data["problems"],
                other_problem=form.cleaned_data["other_problem"],
                note=None,
            )
        except ValidationError as refused:
            add_service_errors(form, refused)
        else:
            messages.success(
                request,
                _("%(count)s TPS diubah menjadi %(status)s.")
                % {"count": changed, "status": TPSReadiness(form.cleaned_data["readiness"]).label},
            )
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    # The bulk form carries the table's filters, so the refreshed table keeps them.
    filter_data = QueryDict(mutable=True)
    for name in TPSFilterForm.base_fields:
        if request.POST.get(name):
            filter_data[name] = request.POST[name]
    if request.htmx:
        # The refreshed table carries the new counts: no event, no second request.
        return _render_tps_table(request, region, filter_data=filter_data)
    query = f"?{filter_data.urlencode()}" if filter_data else ""
    return redirect(reverse("tps_table", args=[region.code]) + query)


@login_required
@require_GET
def tps_history(request: HttpRequest, code: str, tps_id: int) -> HttpResponse:
    region = _kecamatan_for_viewer_or_404(request.user, code)
    station = get_object_or_404(tps.tps_rows(region=region), pk=tps_id)
    return render(
        request,
        "readiness/tps_history.html",
        {"region": region, "row": station, "history": tps.tps_status_history(station)},
    )


def _row_ids(station) -> str:
    """Ids of a row's edit form: its labels must not point at the bulk form above the table."""
    return f"tps{station.pk}_%s"


def _status_initial(station) -> dict:
    status = getattr(station, "status", None)
    if status is None:
        return {"readiness": TPSReadiness.NOT_READY}
    return {
        "readiness": status.readiness,
        "problems": status.problems,
        "other_problem": status.other_problem,
        "note": status.note,
    }
