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
from readiness.forms import add_service_errors
from readiness.services import ReportLocked, daily_report_section_save

from . import selectors, services
from .forms import IndicatorsForm
from .models import LEVEL_FIELDS


@login_required
@require_http_methods(["GET", "POST"])
def indicators_report(request: HttpRequest, code: str) -> HttpResponse:
    """Today's other indicators of the officer's own kecamatan, kab/kota or province."""
    region = access.region_for_officer_or_404(request.user, code)
    if region.level not in LEVEL_FIELDS:
        raise Http404  # desa/kelurahan report to their camat
    day = readiness_selectors.local_today(region.code)
    indicators = selectors.indicators_for_level(region.level)
    starting = selectors.indicator_values_latest(region=region, day=day)
    carried = starting.carried_over(day)
    report = readiness_selectors.report_for_day(region=region, day=day)
    locked = report is not None and report.is_locked
    form = IndicatorsForm(
        request.POST or None,
        indicators=indicators,
        values=starting.values,
        carried=carried,
        disabled=locked,
    )

    saved = False
    if locked and request.method == "POST":
        form.add_error(None, _("Laporan hari ini sudah diverifikasi dan tidak dapat diubah."))
    elif request.method == "POST" and form.is_valid():
        try:
            values = daily_report_section_save(
                officer=request.user,
                region=region,
                day=day,
                save=lambda report: services.indicator_values_save(
                    officer=request.user, report=report, values=form.values(), notes=form.notes()
                ),
            )
        except ReportLocked:
            # A PermissionDenied: caught here so the officer sees why instead of a bare 403.
            form.add_error(None, _("Laporan hari ini sudah diverifikasi dan tidak dapat diubah."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, _("Indikator tersimpan."))
                return redirect("indicators_report", code=region.code)
            saved = True
            # Show what was saved, formatted the Indonesian way, not the raw typed text.
            form = IndicatorsForm(indicators=indicators, values=values)
            carried = False

    context = {
        "region": region,
        "day": day,
        "form": form,
        "rows": form.rows(),
        "carried_over_from": starting.day if carried else None,
        "saved": saved,
        "locked": locked,
    }
    if request.htmx:
        response = render(request, "indicators/report.html#indicators-form", context)
        return trigger_client_event(response, sections.REPORT_SAVED_EVENT) if saved else response
    status = 400 if request.method == "POST" else 200
    return render(request, "indicators/report.html", context, status=status)
