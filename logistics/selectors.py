"""Reads of the logistics app: required quantities and what a desk has counted so far."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from django.db.models import Count, ExpressionWrapper, F, IntegerField, Max, Sum, Value
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from readiness import codes
from readiness.models import TPS, Contest, DailyReport, Region, RegionLevel

from .models import FIELD_LABELS, LogisticsItem, LogisticsLine, QuantityRule, stages_for_level

_KABKOTA_PREFIX = codes.code_length_at_level(RegionLevel.KABKOTA)


def logistics_items() -> list[LogisticsItem]:
    return list(LogisticsItem.objects.filter(is_active=True).order_by("sort_order", "code"))


def logistics_required(
    *, region_code: str, day: dt.date, items: list[LogisticsItem] | None = None
) -> dict[str, int]:
    """How much of each active item the TPS under `region_code` need on `day`: {code: qty}.

    The contests held at a TPS are those of its province and of its kab/kota whose reporting
    period includes `day`; a TPS with no such contest needs nothing. All TPS of one kab/kota share
    their contests, so the registry is summed per kab/kota in SQL and multiplied by that group's
    contest count: three queries (catalogue, TPS, contests) whatever the number of TPS, two when
    `items` is given.

    "DPT + p%" is rounded up *per TPS* (ceil), because each TPS receives whole ballots and must
    not be short: two TPS of 401 voters need 412 + 412 = 824 ballots per contest, not
    ceil(802 × 1.025) = 823.
    """
    if items is None:
        items = logistics_items()
    percents = sorted(
        {item.parameter for item in items if item.rule == QuantityRule.DPT_PLUS_PERCENT_PER_CONTEST}
    )
    ballots = {f"dpt_{index}": Sum(_dpt_with_reserve(p)) for index, p in enumerate(percents)}
    groups = {
        row.pop("group_code"): row
        for row in TPS.objects.filter(is_active=True)
        .within(region_code)
        .annotate(group_code=Substr("desa_id", 1, _KABKOTA_PREFIX))
        .values("group_code")
        .annotate(tps=Count("id"), **ballots)
        .order_by()
    }
    contests = _contest_counts(kabkota_codes=groups, day=day) if groups else {}

    required = dict.fromkeys((item.code for item in items), 0)
    for kabkota, row in groups.items():
        held = contests.get(codes.province_code(kabkota), 0) + contests.get(kabkota, 0)
        if not held:
            continue
        for item in items:
            if item.rule == QuantityRule.PER_TPS:
                required[item.code] += int(item.parameter) * row["tps"]
            elif item.rule == QuantityRule.PER_TPS_PER_CONTEST:
                required[item.code] += int(item.parameter) * row["tps"] * held
            else:
                dpt_key = f"dpt_{percents.index(item.parameter)}"
                required[item.code] += (row[dpt_key] or 0) * held
    return required


def _dpt_with_reserve(percent: Decimal) -> ExpressionWrapper:
    """ceil(DPT × (1 + percent/100)) of one TPS, in integer arithmetic (no float rounding).

    With percent/100 = n/d in lowest terms: ceil(dpt × (d + n) / d) = (dpt × (d + n) + d − 1) div d.
    Both SQLite and PostgreSQL divide integers by truncation, which is floor for these
    non-negative values.
    """
    numerator, denominator = (percent / 100).as_integer_ratio()
    return ExpressionWrapper(
        (
            (F("dpt_male") + F("dpt_female")) * Value(denominator + numerator)
            + Value(denominator - 1)
        )
        / Value(denominator),
        output_field=IntegerField(),
    )


def _contest_counts(*, kabkota_codes, day: dt.date) -> dict[str, int]:
    """Contests running on `day` held by each of these kab/kota or by their provinces."""
    holders = {*kabkota_codes, *(codes.province_code(code) for code in kabkota_codes)}
    return dict(
        Contest.objects.filter(
            region_id__in=holders, reporting_start__lte=day, reporting_end__gte=day
        )
        .values("region_id")
        .annotate(count=Count("id"))
        .values_list("region_id", "count")
        .order_by()
    )


@dataclass(frozen=True)
class CountedLines:
    """The lines a form starts from: today's, else the desk's latest earlier day's."""

    lines: dict[str, LogisticsLine]
    day: dt.date | None

    def carried_over(self, today: dt.date) -> bool:
        return self.day is not None and self.day != today


def logistics_lines_latest(*, region: Region, day: dt.date) -> CountedLines:
    """The region's lines of `day`, or of its latest earlier day with lines: two queries.

    Quantities along the chain are cumulative, so yesterday's counts are the right starting
    point for today's form; the officer checks and saves them for today.
    """
    latest = LogisticsLine.objects.filter(report__region=region, report__day__lte=day).aggregate(
        day=Max("report__day")
    )["day"]
    if latest is None:
        return CountedLines(lines={}, day=None)
    lines = LogisticsLine.objects.filter(report__region=region, report__day=latest).select_related(
        "item"
    )
    return CountedLines(lines={line.item.code: line for line in lines}, day=latest)


def stage_order_problems(*, stages: tuple[str, ...], values: dict[str, int | None]) -> dict:
    """{field: message} for each stage above the stage before it (a blank stage counts as 0)."""
    problems = {}
    for earlier, later in pairwise(stages):
        previous, current = values.get(earlier), values.get(later)
        if isinstance(current, int) and current > (previous or 0):
            problems[later] = _("Melebihi tahap sebelumnya (%(stage)s: %(previous)s).") % {
                "stage": FIELD_LABELS[earlier],
                "previous": previous if previous is not None else _("belum diisi"),
            }
    return problems


def logistics_submit_problems(report: DailyReport) -> list[str]:
    """Section check before a report is submitted: stage-order violations in its lines.

    The service and the check constraints refuse them already; this guards rows written any
    other way. Missing logistics do not block a report: the desk reports what it has.
    """
    stages = stages_for_level(codes.level_of(report.region_id))
    problems = []
    for line in report.logistics_lines.select_related("item").order_by(
        "item__sort_order", "item__code"
    ):
        values = {stage: getattr(line, stage) for stage in stages}
        problems += [
            _("Logistik %(item)s, %(stage)s: %(problem)s")
            % {"item": line.item.name, "stage": FIELD_LABELS[field], "problem": message}
            for field, message in stage_order_problems(stages=stages, values=values).items()
        ]
    return problems
