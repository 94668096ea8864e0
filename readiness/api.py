"""Read API: the same selector as the dashboards, as JSON, with the same scoping."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from . import access, sections, selectors
from .selectors import Figures


class FiguresSerializer(serializers.Serializer):
    tps_total = serializers.IntegerField()
    tps_ready = serializers.IntegerField()
    tps_problem = serializers.IntegerField()
    tps_ready_percent = serializers.FloatField(allow_null=True)
    kecamatan_expected = serializers.IntegerField()
    kecamatan_reported = serializers.IntegerField()
    kecamatan_late = serializers.IntegerField()
    kecamatan_missing = serializers.IntegerField()
    kabkota_expected = serializers.IntegerField()
    kabkota_reported = serializers.IntegerField()
    kabkota_late = serializers.IntegerField()
    kabkota_missing = serializers.IntegerField()
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
    child_codes = [row.region.code for row in overview.children]
    section_figures = sections.section_rollup_figures(
        region_codes=[region.code, *child_codes], day=day
    )
    expected = overview.children_expected
    late = overview.children_late
    return Response(
        {
            "code": region.code,
            "name": region.name,
            "level": region.get_level_display(),
            "date": day.isoformat(),
            "as_of": overview.as_of.isoformat() if overview.as_of else None,
            "time_zone": overview.zone.key,
            "figures": _figures(overview.totals),
            "sections": section_figures.get(region.code, {}),
            "coverage": {
                "children_expected": len(expected),
                "children_reported": len(expected) - len(overview.children_missing),
                "children_on_time": len(expected) - len(overview.children_missing) - len(late),
                "children_late": len(late),
                "children_missing": [
                    {"code": row.region.code, "name": row.region.name}
                    for row in overview.children_missing
                ],
            },
            "children": [
                {
                    "code": row.region.code,
                    "name": row.region.name,
                    "figures": _figures(row.figures),
                    "sections": section_figures.get(row.region.code, {}),
                }
                for row in overview.children
            ],
        }
    )


def _figures(figures: Figures) -> dict:
    return FiguresSerializer(figures).data
