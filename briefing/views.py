"""The dashboards: province, kab/kota and kecamatan pages, and the TPS-at-risk list.

Thin function views: access, a form for the GET parameters, one selector, render. Every page
works as plain HTML; with htmx, the same URL answers with only the fragment asked for.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from readiness import access, tps
from readiness import selectors as readiness_selectors
from readiness.models import RegionLevel, Role

from . import selectors, trends
from .forms import DashboardForm, TPSAtRiskForm

EXPORT_KINDS = ("pdf", "xlsx", "csv")
TPS_AT_RISK_PAGE_SIZE = 50
# The htmx target ids of the fragments a dashboard can answer with.
TABLE_TARGET = "dashboard-table"


@login_required
@require_GET
def region_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """A region's dashboard for a day (?tanggal=, today by default), sorted (?urut=), in
    meeting mode (?rapat=1). htmx gets the live fragment, or the table alone when it targets it.
    """
    region = access.region_for_viewer_or_404(request.user, code)
    today = readiness_selectors.local_today(region.code)
    period = selectors.reporting_period(region_code=region.code)
    form = DashboardForm(request.GET, today=today, period=period)
    valid = form.is_valid()
    wanted = form.cleaned_data if valid else {}
    day = wanted.get("tanggal") or today
    sort = wanted.get("urut") or selectors.DEFAULT_SORT
    dashboard = selectors.region_dashboard(region=region, day=day, period=period)
    query = _query(day=day, today=today, sort=sort, meeting=bool(wanted.get("rapat")))
    context = {
        "dashboard": dashboard,
        "rows": selectors.dashboard_rows_sorted(dashboard.rows, sort),
        "sort": sort,
        "refresh_seconds": settings.DESK_DASHBOARD_REFRESH_SECONDS,
        "form": form,
        "today": today,
        "picker_max": min(today, period[1]) if period[1] else today,
        "meeting": bool(wanted.get("rapat")),
        "query": query,
        "self_url": _with_query(reverse("region_dashboard", args=[region.code]), query),
        "sort_links": _sort_links(region.code, query, sort),
        "exports": _export_links(region.code, day=day, today=today),
        "is_region_officer": access.is_officer_of(request.user, region),
        # The desk of this region reviews the reports of the regions listed on its page.
        "is_parent_desk": access.is_officer_of(request.user, region)
        and region.level < RegionLevel.KECAMATAN,
        "is_viewer": request.user.role == Role.VIEWER,
    }
    if region.level == RegionLevel.KECAMATAN:
        context["stations"] = list(tps.tps_rows(region=region))
        context["history"] = (
            readiness_selectors.report_history(dashboard.own_report) if dashboard.own_report else []
        )
    template = "briefing/dashboard.html"
    # A history restore (back button after a pushed sort) needs the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        template += "#table" if request.htmx.target == TABLE_TARGET else "#overview"
    else:
        # The charts are on the whole page only, not in the fragments polled every minute.
        # Read here, not by the charts' template tag: templates never run queries.
        context["trends"] = trends.region_trends(region_code=region.code, day=day)
    return render(request, template, context, status=200 if valid else 400)


@login_required
@require_GET
def tps_at_risk(request: HttpRequest, code: str) -> HttpResponse:
    """Every TPS bermasalah or sangat rawan under the region, filtered, a page at a time."""
    region = access.region_for_viewer_or_404(request.user, code)
    form = TPSAtRiskForm(request.GET)
    valid = form.is_valid()
    wanted = form.cleaned_data if valid else {}
    rows = selectors.tps_at_risk(
        region=region, reason=wanted.get("alasan", ""), vulnerability=wanted.get("kelas", "")
    )
    page = Paginator(rows, TPS_AT_RISK_PAGE_SIZE).get_page(wanted.get("halaman") or 1)
    filters = QueryDict(mutable=True)
    for name in ("alasan", "kelas"):
        if wanted.get(name):
            filters[name] = wanted[name]
    context = {
        "region": region,
        "breadcrumbs": list(
            access.regions_visible_to(request.user)
            .filter(code__in=region.ancestor_codes)
            .order_by("code")
        ),
        "form": form,
        "page": page,
        "filter_query": filters.urlencode(),
    }
    template = "briefing/tps_at_risk.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    return render(request, template, context, status=200 if valid else 400)


def _query(*, day, today, sort: str, meeting: bool) -> QueryDict:
    """The page's state as GET parameters, defaults left out so plain URLs stay plain."""
    query = QueryDict(mutable=True)
    if sort != selectors.DEFAULT_SORT:
        query["urut"] = sort
    if day != today:
        query["tanggal"] = day.isoformat()
    if meeting:
        query["rapat"] = "1"
    return query


def _with_query(url: str, query: QueryDict) -> str:
    return f"{url}?{query.urlencode()}" if query else url


def _sort_links(code: str, query: QueryDict, current: str) -> dict[str, str]:
    """{column key: URL sorting by it}; the current column's link flips the direction."""
    base = reverse("region_dashboard", args=[code])
    links = {}
    for key in selectors.SORT_KEYS:
        wanted = f"-{key}" if current == key else key
        sorted_query = query.copy()
        if wanted == selectors.DEFAULT_SORT:
            sorted_query.pop("urut", None)
        else:
            sorted_query["urut"] = wanted
        links[key] = _with_query(base, sorted_query)
    return links


def _export_links(code: str, *, day, today) -> list[tuple[str, str]]:
    """(kind, URL) of each export the exports module offers; none until its URLs exist."""
    links = []
    suffix = "" if day == today else f"?tanggal={day.isoformat()}"
    for kind in EXPORT_KINDS:
        for args, kwargs in (((), {"code": code, "kind": kind}), ((code, kind), {})):
            try:
                links.append((kind, reverse("briefing_export", args=args, kwargs=kwargs) + suffix))
            except NoReverseMatch:
                continue
            break
    return links
