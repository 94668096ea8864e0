from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import trigger_client_event

from readiness import access, sections
from readiness import selectors as readiness_selectors
from readiness.services import ReportLocked, daily_report_section_save

from . import selectors, services
from .forms import LogisticsForm
from .models import stages_for_level


@login_required
@require_http_methods(["GET", "POST"])
def logistics_report(request: HttpRequest, code: str) -> HttpResponse:
    """Today's logistics of the officer's own kab/kota or kecamatan: required, counted, progress."""
    region = access.region_for_officer_or_404(request.user, code)
    stages = stages_for_level(region.level)
    if not stages:
        raise Http404  # province and desa desks count no logistics stage
    day = readiness_selectors.local_today(region.code)
    items = selectors.logistics_items()
    required = selectors.logistics_required(region_code=region.code, day=day, items=items)
    counted = selectors.logistics_lines_latest(region=region, day=day)
    report = readiness_selectors.report_for_day(region=region, day=day)
    locked = report is not None and report.is_locked
    form = LogisticsForm(
        request.POST or None, items=items, stages=stages, lines=counted.lines, disabled=locked
    )

    saved = False
    if locked and request.method == "POST":
        form.add_error(None, _("Laporan hari ini sudah diverifikasi dan tidak dapat diubah."))
    elif request.method == "POST" and form.is_valid():
        try:
            daily_report_section_save(
                officer=request.user,
                region=region,
                day=day,
                save=lambda report: services.logistics_lines_save(
                    officer=request.user, report=report, lines=form.lines()
                ),
            )
        except ReportLocked:
            # A PermissionDenied: caught here so the officer sees why instead of a bare 403.
            form.add_error(None, _("Laporan hari ini sudah diverifikasi dan tidak dapat diubah."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not request.htmx:
                messages.success(request, _("Laporan logistik tersimpan."))
                return redirect("logistics_report", code=region.code)
            saved = True

    context = {
        "region": region,
        "day": day,
        "form": form,
        "rows": form.rows(required),
        "carried_over_from": counted.day if counted.carried_over(day) and not saved else None,
        "saved": saved,
        "locked": locked,
    }
    if request.htmx:
        response = render(request, "logistics/report.html#logistics-form", context)
        return trigger_client_event(response, sections.REPORT_SAVED_EVENT) if saved else response
    status = 400 if request.method == "POST" else 200
    return render(request, "logistics/report.html", context, status=status)
