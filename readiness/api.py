"""Read API: the same selector as the dashboards, as JSON, with the same scoping."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from . import access, selectors
from .selectors import Figures


class FiguresSerializer(serializers.Serializer):
    tps_total = serializers.IntegerField()
    tps_ready = serializers.IntegerField()
    tps_problem = serializers.IntegerField()
    tps_ready_percent = serializers.FloatField(allow_null=True)
    kecamatan_total = serializers.IntegerField()
    kecamatan_reported = serializers.IntegerField()
    kecamatan_late = serializers.IntegerField()
    kecamatan_stale = serializers.IntegerField()
    oldest_figure_day = serializers.DateField(allow_null=True)
    has_own_report = serializers.BooleanField()
    own_report_late = serializers.BooleanField()


class DaySerializer(serializers.Serializer):
    date = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])


@api_view(["GET"])
def rollup_detail(request: Request, code: str) -> Response:
    """GET /api/v1/rollups/<code>/?date=YYYY-MM-DD — a region's figures for a day, its
    reporting coverage, when the figures were computed, and one row per child region."""
    region = access.region_for_viewer_or_404(request.user, code)
    today = selectors.local_today(region.code)
    wanted = DaySerializer(data=request.query_params)
    wanted.is_valid(raise_exception=True)
    day: dt.date = wanted.validated_data.get("date", today)
    if day > today:
        raise ValidationError({"date": [_("Tanggal belum tiba: rekap belum ada.")]})

    overview = selectors.region_overview(region=region, day=day)
    missing = [row.region for row in overview.children if not row.figures.has_own_report]
    return Response(
        {
            "code": region.code,
            "name": region.name,
            "level": region.get_level_display(),
            "date": day.isoformat(),
            "as_of": overview.as_of.isoformat() if overview.as_of else None,
            "time_zone": overview.zone.key,
            "figures": _figures(overview.totals),
            "coverage": {
                "children_expected": len(overview.children),
                "children_reported": overview.children_reported,
                "children_late": sum(1 for row in overview.children if row.figures.own_report_late),
                "children_missing": [{"code": r.code, "name": r.name} for r in missing],
            },
            "children": [
                {"code": row.region.code, "name": row.region.name, "figures": _figures(row.figures)}
                for row in overview.children
            ],
        }
    )


def _figures(figures: Figures) -> dict:
    return FiguresSerializer(figures).data
