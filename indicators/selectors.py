"""Reads of the indicators app: the catalogue a desk reports and the values it has saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Max

from readiness.models import DailyReport, Region

from .models import Indicator, IndicatorRollup, IndicatorValue


def indicators_for_level(level: int | None) -> list[Indicator]:
    """The active indicators desks of `level` report, in catalogue order: one query."""
    return list(Indicator.objects.for_level(level))


def indicator_values_for(*, report: DailyReport) -> dict[str, IndicatorValue]:
    """The report's saved values by indicator code: one query."""
    values = IndicatorValue.objects.filter(report=report).select_related("indicator")
    return {value.indicator.code: value for value in values}


@dataclass(frozen=True)
class StartingValues:
    """The values a form starts from: today's, else what carries over from an earlier day."""

    values: dict[str, IndicatorValue]
    day: dt.date | None

    def carried_over(self, today: dt.date) -> bool:
        return bool(self.values) and self.day is not None and self.day != today


def indicator_values_latest(*, region: Region, day: dt.date) -> StartingValues:
    """The region's values of `day`, or those of its latest earlier day that carry over.

    Only stocks and peaks carry over (Indicator.carries_over): "Rp 23 miliar disbursed so far"
    is still true tomorrow, "3 sosialisasi events today" is not, and saving it again unchanged
    would count the events twice. Two queries whatever the size of the catalogue.
    """
    latest = IndicatorValue.objects.filter(report__region=region, report__day__lte=day).aggregate(
        day=Max("report__day")
    )["day"]
    if latest is None:
        return StartingValues(values={}, day=None)
    values = {
        value.indicator.code: value
        for value in IndicatorValue.objects.filter(
            report__region=region, report__day=latest
        ).select_related("indicator")
    }
    if latest != day:
        values = {code: value for code, value in values.items() if value.indicator.carries_over}
    return StartingValues(values=values, day=latest)


def indicator_rollup_rows(
    *, region_codes: Collection[str], day: dt.date
) -> dict[str, list[IndicatorRollup]]:
    """Each region's rolled-up indicators of `day` (indicator loaded, catalogue order), for
    dashboards; regions without figures map to []. One query however many regions.

    Rows of an indicator retired since the last rollup are left out: the next rollup of that
    day deletes them.
    """
    rows: dict[str, list[IndicatorRollup]] = {code: [] for code in region_codes}
    for row in (
        IndicatorRollup.objects.filter(
            region_id__in=list(region_codes), day=day, indicator__is_active=True
        )
        .select_related("indicator")
        .order_by("region_id", "indicator__sort_order", "indicator__code")
    ):
        rows[row.region_id].append(row)
    return rows
