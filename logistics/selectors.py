"""Reads of the logistics app: required quantities and what a desk has counted so far."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from django.db.models import Count, ExpressionWrapper, F, IntegerField, Max, QuerySet, Sum, Value
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from readiness import codes
from readiness.models import TPS, Contest, DailyReport, Region, RegionLevel

from .models import (
    FIELD_LABELS,
    QUANTITY_FIELDS,
    LogisticsItem,
    LogisticsLine,
    LogisticsRollup,
    QuantityRule,
    Stage,
    stages_for_level,
)

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
    grouped = logistics_required_grouped(
        tps=TPS.objects.filter(is_active=True).within(region_code),
        prefix_length=_KABKOTA_PREFIX,
        day=day,
        items=items,
    )
    required = dict.fromkeys((item.code for item in items), 0)
    for group in grouped.values():
        for code, quantity in group.items():
            required[code] += quantity
    return required


def logistics_required_grouped(
    *, tps: QuerySet[TPS], prefix_length: int, day: dt.date, items: list[LogisticsItem]
) -> dict[str, dict[str, int]]:
    """The required quantities of the TPS in `tps`, per region: {region code: {item code: qty}}.

    Regions are the code prefixes of `prefix_length` characters: 5 for kab/kota, 8 for
    kecamatan. Each such region lies inside one kab/kota, whose TPS all share their contests,
    so one grouped TPS query and one contest query serve any number of regions (the rollup
    passes every kecamatan of the country). Regions without TPS are absent. The rule is
    logistics_required's, which sums this over kab/kota.
    """
    if prefix_length < _KABKOTA_PREFIX:
        raise ValueError("Regions above kab/kota mix TPS with different contests.")
    percents = sorted(
        {item.parameter for item in items if item.rule == QuantityRule.DPT_PLUS_PERCENT_PER_CONTEST}
    )
    ballots = {f"dpt_{index}": Sum(_dpt_with_reserve(p)) for index, p in enumerate(percents)}
    groups = {
        row.pop("group_code"): row
        for row in tps.annotate(group_code=Substr("desa_id", 1, prefix_length))
        .values("group_code")
        .annotate(tps=Count("id"), **ballots)
        .order_by()
    }
    kabkota_codes = {code[:_KABKOTA_PREFIX] for code in groups}
    contests = _contest_counts(kabkota_codes=kabkota_codes, day=day) if groups else {}

    required: dict[str, dict[str, int]] = {}
    for group_code, row in groups.items():
        kabkota = group_code[:_KABKOTA_PREFIX]
        held = contests.get(codes.province_code(kabkota), 0) + contests.get(kabkota, 0)
        quantities = required[group_code] = dict.fromkeys((item.code for item in items), 0)
        if not held:
            continue
        for item in items:
            if item.rule == QuantityRule.PER_TPS:
                quantities[item.code] = int(item.parameter) * row["tps"]
            elif item.rule == QuantityRule.PER_TPS_PER_CONTEST:
                quantities[item.code] = int(item.parameter) * row["tps"] * held
            else:
                dpt_key = f"dpt_{percents.index(item.parameter)}"
                quantities[item.code] = (row[dpt_key] or 0) * held
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


@dataclass(frozen=True)
class ItemLogistics:
    """One item's rolled-up logistics in a region on a day (logistics.rollups says what each
    figure means)."""

    item: LogisticsItem
    required: int
    warehouse: int
    received_ppk: int
    distributed_pps: int
    received_kpps: int
    damaged: int
    short: int
    units_reporting: int
    units_complete: int
    units_expected: int
    stale_units: int
    # Stage → received ÷ required in whole percent, rounded *down* so that 100 is shown only
    # when nothing is missing; None when nothing is required. Only the stages the region's
    # figures have: a kecamatan has no warehouse.
    percents: dict[str, int | None]

    @property
    def is_complete(self) -> bool:
        """Every kecamatan that needs the item has received all of it at the TPS stage."""
        return self.units_complete == self.units_expected


@dataclass(frozen=True)
class RegionLogistics:
    code: str
    day: dt.date
    items: tuple[ItemLogistics, ...]
    # The oldest row's computation time: "data as of" must not claim more than the oldest.
    computed_at: dt.datetime

    @property
    def stages(self) -> tuple[str, ...]:
        return _ROLLUP_STAGES[codes.level_of(self.code)]

    @property
    def is_complete(self) -> bool:
        """ "Logistik lengkap": every item complete, and something is needed at all."""
        return all(item.is_complete for item in self.items) and any(
            item.units_expected for item in self.items
        )


# The stages a region's rollup has figures for: a kecamatan follows its own chain, a kab/kota or
# province also has the warehouse of its kab/kota desks.
_ROLLUP_STAGES = {
    RegionLevel.PROVINSI: tuple(Stage.values),
    RegionLevel.KABKOTA: tuple(Stage.values),
    RegionLevel.KECAMATAN: stages_for_level(RegionLevel.KECAMATAN),
}


def logistics_rollup_rows(
    *, region_codes: Collection[str], day: dt.date
) -> dict[str, RegionLogistics]:
    """The rolled-up logistics of `region_codes` on `day`, items in catalogue order: one query.

    Regions without rollup rows for the day (not rolled up yet, inactive, or not a rolled-up
    level) are absent; rows of items no longer active are left out.
    """
    rows = (
        LogisticsRollup.objects.filter(
            region_id__in=list(region_codes), day=day, item__is_active=True
        )
        .select_related("item")
        .order_by("region_id", "item__sort_order", "item__code")
    )
    by_region: dict[str, list[LogisticsRollup]] = {}
    for row in rows:
        by_region.setdefault(row.region_id, []).append(row)
    return {
        code: RegionLogistics(
            code=code,
            day=day,
            items=tuple(_item_logistics(row, _ROLLUP_STAGES[codes.level_of(code)]) for row in rows),
            computed_at=min(row.computed_at for row in rows),
        )
        for code, rows in by_region.items()
    }


def _item_logistics(row: LogisticsRollup, stages: tuple[str, ...]) -> ItemLogistics:
    return ItemLogistics(
        item=row.item,
        required=row.required,
        **{field: getattr(row, field) for field in QUANTITY_FIELDS},
        units_reporting=row.units_reporting,
        units_complete=row.units_complete,
        units_expected=row.units_expected,
        stale_units=row.stale_units,
        percents={
            stage: getattr(row, stage) * 100 // row.required if row.required else None
            for stage in stages
        },
    )
