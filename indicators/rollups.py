"""Rollups of the other indicators: each indicator's figure per region and day.

Semantics (declared here and nowhere else):

- Each desk (provinsi, kab/kota, kecamatan) reports the figure of its own level: what the desk
  itself did or holds, never a retyped total of the desks under it. A region's figure is
  therefore the sum, over its own desk and every desk under it, of each desk's figure: a
  kab/kota = its own desk + its kecamatan desks; a provinsi = its own desk + its kab/kota desks
  + their kecamatan desks. Nothing is counted twice.
- Only values in counted reports (readiness.models.COUNTED_STATUSES: submitted or verified)
  count: a draft has not been said yet, a returned report is disputed until it is submitted
  again. Only active indicators are rolled up, and a desk's values count only for indicators
  that the catalogue says its level reports (models.LEVEL_FIELDS, as it stands now), so taking
  a level off an indicator also takes that level's old figures out of the rollups.
- A desk's figure on day D follows the indicator's aggregation (models.Aggregation):
  - SUM (a flow: events held, sessions, APK points cleared): the sum of the desk's values from
    the start of the contest period up to and including D, "jumlah s.d. hari ini". The period
    starts on the earliest reporting_start of the contests covering the desk on D (held by its
    province, its kab/kota or itself, with D inside their reporting period, as for reports
    themselves); on a day outside every period a flow has no figure. `day_value` keeps what the
    reports dated D alone added.
  - LATEST (a stock: rupiah disbursed to date, voters registered as moved): the value in the
    desk's latest counted report on or before D that gives the indicator a value. A report that
    leaves the indicator out says nothing about it, so the earlier position stands (and is
    stale).
  - MAX (a peak): the highest value of the desk's counted reports on or before D.
  Stocks and peaks are not cut at the period start, like the TPS stock figures of
  readiness.rollups: a position stays true until the desk reports another.
- `units_reporting`: the desks with a figure. `stale_units`: those of them whose last value in
  the figure is dated before D: for a stock its position is an older one ("angka lama"), for a
  flow or a peak the figure does not include D yet.
- A region gets a row per indicator that at least one desk in or under it has a figure for;
  a row whose last figure goes (a report returned, a value removed) is deleted.

Every figure of a call is computed by one set-based statement (after a read of the contests),
however many regions are given and whether they are of one level (a rebuild) or of several (one
submission's chain): each desk's figure is grouped by code prefix and each group is added into
every region holding it (readiness.rollups.Targets). The rows are written with an upsert on
(region, day, indicator): running it twice, or twice at once, leaves the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from decimal import Context, Decimal

from django.db import connection, transaction
from django.utils import timezone

from readiness import codes
from readiness.models import COUNTED_STATUSES, Contest
from readiness.rollups import MANY_REGIONS, Targets, prefix_filter

from .models import LEVEL_FIELDS, Aggregation, IndicatorRollup

# The statement that computes every figure of a call, per group of desks and indicator.
#
# `counted`: every value that counts on the day (a counted report on or before it, an active
# indicator, a desk of a level that reports it) of the desks read; a flow's only within its
# desk's contest period (_in_period). `per_desk`: each desk's figure per indicator, and the
# day of its last value in the figure (`last_day`: the desk is fresh when that is the day):
# - a flow: the sum of its values (and of those dated the day);
# - a peak: its highest value (equal highs are one value: a tie cannot count twice);
# - a stock: its latest value (one report per desk and day, so one latest).
# Then the desks' figures add up per group of desks (_group_code), for Targets.fold.
_FIGURES_SQL = """
WITH counted AS (
    SELECT r.region_id AS desk, v.indicator_id AS indicator, i.aggregation AS aggregation,
           r.day AS day, v.value AS value
    FROM indicators_indicatorvalue v
    JOIN readiness_dailyreport r ON r.id = v.report_id
    JOIN readiness_region g ON g.code = r.region_id
    JOIN indicators_indicator i ON i.id = v.indicator_id
    WHERE r.status IN ({statuses}) AND r.day <= %(day)s AND ({under})
      AND i.is_active AND ({reported_by_its_level})
      AND (i.aggregation <> %(sum)s OR {in_period})
),
per_desk AS (
    SELECT desk, indicator, aggregation,
           CASE WHEN aggregation = %(max)s THEN max(value) ELSE sum(value) END AS value,
           sum(CASE WHEN day = %(day)s THEN value END) AS day_value,
           max(day) AS last_day
    FROM counted
    WHERE aggregation IN (%(sum)s, %(max)s)
    GROUP BY desk, indicator, aggregation
    UNION ALL
    SELECT desk, indicator, aggregation, value, NULL, day
    FROM (
        SELECT desk, indicator, aggregation, value, day,
               row_number() OVER (PARTITION BY desk, indicator ORDER BY day DESC) AS rank
        FROM counted
        WHERE aggregation = %(latest)s
    ) stocks
    WHERE rank = 1
)
SELECT {group_code} AS group_code, indicator, aggregation,
       sum(value), sum(day_value), count(*), count(CASE WHEN last_day = %(day)s THEN 1 END)
FROM per_desk
GROUP BY group_code, indicator, aggregation
"""
_REPORTED_BY_ITS_LEVEL = " OR ".join(
    f"(g.level = {int(level)} AND i.{field})" for level, field in LEVEL_FIELDS.items()
)
# SQLite hands sums of decimals back as floats: read them as Django does (15 digits).
_FROM_FLOAT = Context(prec=15).create_decimal_from_float


def indicator_rollup(
    *,
    region_codes: Collection[str],
    day: dt.date,
    borrowed: Mapping[str, Collection[str]] | None = None,
) -> None:
    """Recompute every indicator's rollup rows of `region_codes` for `day` from reported values,
    and upsert them; delete those rows of these region-days that no longer have a figure.
    Idempotent, atomic.

    The readiness engine calls it through the section registry (ReportSection.rollup) after
    its own figures, with the regions of one level (a rebuild: every kecamatan, then every
    kab/kota, then every provinsi) or of several (one submission's chain: its kecamatan,
    kab/kota and provinsi in one call). Each region gets the same rows either way: values are
    grouped by desk prefix and each group is added into every region holding it
    (readiness.rollups.Targets). Four statements however many regions (the contests, the
    figures, the rows there, the upsert), and a delete when a figure goes; one more for
    `borrowed` (a chain's upper regions added up from their children's stored rows,
    Targets.stored_children).
    """
    targets = Targets(region_codes, borrowed=borrowed)
    if not targets:
        return
    from_children = targets.stored_children(
        IndicatorRollup,
        day=day,
        keys=("indicator_id",),
        figures=("value", "day_value", "units_reporting", "stale_units"),
    )
    params: dict[str, object] = {
        "day": connection.ops.adapt_datefield_value(day),
        **{aggregation.name.lower(): aggregation.value for aggregation in Aggregation},
    }
    read = _read(targets)
    sql = _FIGURES_SQL.format(
        statuses=_in_list("status", [status.value for status in COUNTED_STATUSES], params),
        under=_under(read, params, own_only=sorted(targets.borrowed)),
        reported_by_its_level=_REPORTED_BY_ITS_LEVEL,
        in_period=_in_period([*read, *targets.borrowed], day, params),
        group_code=_group_code(targets, params),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()

    flows: set[int] = set()
    grouped: dict[tuple[str, int], dict] = {}
    for group, indicator, aggregation, value, day_value, units, fresh in rows:
        if aggregation == Aggregation.SUM:
            flows.add(indicator)
        grouped[group, indicator] = {
            "value": _decimal(value),
            "day": _decimal(day_value),
            "units": units,
            "fresh": fresh,
        }
    folded = targets.fold(grouped)
    # A borrowed child's rows add in like one more group of desks (flows have a day_value).
    for (code, indicator), stored in from_children.items():
        if stored["day_value"] is not None:
            flows.add(indicator)
        units, stale = stored["units_reporting"], stored["stale_units"]
        into = folded.setdefault(
            (code, indicator), {"value": Decimal(0), "day": None, "units": 0, "fresh": 0}
        )
        into["value"] += _decimal(stored["value"])
        if stored["day_value"] is not None:
            into["day"] = (into["day"] or Decimal(0)) + _decimal(stored["day_value"])
        into["units"] += units
        into["fresh"] += units - stale
    # Groups hold disjoint desks: each figure is a sum over the groups a region holds.
    figures: dict[tuple[str, int], tuple[Decimal, Decimal | None, int, int]] = {}
    for (code, indicator), columns in folded.items():
        units = columns["units"]
        if units:
            figures[code, indicator] = (
                columns["value"],
                (columns["day"] or Decimal(0)) if indicator in flows else None,
                units,
                units - columns["fresh"],
            )
    _store(targets=targets, day=day, figures=figures)


def indicator_rollup_figures(
    *, region_codes: Sequence[str], day: dt.date
) -> dict[str, dict[str, int | str]]:
    """{region code: {"<indicator code>": value, "<indicator code>.day": day value}} from the
    stored rollups of `day` (".day" for flows only), values as int when whole, else as a
    string ("12.5"): JSON-safe and exact. Regions without figures are left out. One query."""
    figures: dict[str, dict[str, int | str]] = defaultdict(dict)
    rows = IndicatorRollup.objects.filter(region_id__in=region_codes, day=day).values_list(
        "region_id", "indicator__code", "value", "day_value"
    )
    for code, indicator, value, day_value in rows.order_by("region_id", "indicator_id"):
        figures[code][indicator] = _json_number(value)
        if day_value is not None:
            figures[code][f"{indicator}.day"] = _json_number(day_value)
    return dict(figures)


def _read(targets: Targets) -> list[str]:
    """The regions whose subtrees are read: the outermost targets (a chain's kab/kota and
    kecamatan lie in its province), or their whole provinces when there are many. A borrowed
    target's subtree is not read (only its own desk, see _under): the outermost target that
    is not borrowed is the highest read whole."""
    outermost = [
        code
        for code in targets
        if code not in targets.borrowed
        and all(holder in targets.borrowed for holder in targets.containing(code)[:-1])
    ]
    if len(outermost) > MANY_REGIONS:  # as prefix_filter
        return sorted({codes.province_code(code) for code in outermost})
    return outermost


def _under(read: list[str], params: dict, *, own_only: Sequence[str] = ()) -> str:
    """SQL: the desk (r.region_id) is one of `read` or lies under one, or is one of
    `own_only`."""
    conditions = [f"r.region_id IN ({_in_list('own', own_only, params)})"] if own_only else []
    for index, code in enumerate(read):
        params[f"under_{index}"], params[f"under_{index}_below"] = code, f"{code}.%"
        conditions.append(
            f"r.region_id = %(under_{index})s OR r.region_id LIKE %(under_{index}_below)s"
        )
    return " OR ".join(conditions)


def _in_period(read: list[str], day: dt.date, params: dict) -> str:
    """SQL: the value (r.day) is dated within its desk's contest period; one query.

    A desk's period starts on the earliest start of the contests covering it on `day` (held by
    its province, its kab/kota or itself, with `day` in their reporting period), so a value
    counts when one of those contests had started by the value's day. A code begins with its
    ancestors' codes, so "covering the desk" is a match on the first characters of the desk's
    code. Only the contests in the provinces read can cover a desk read.
    """
    provinces = sorted({codes.province_code(code) for code in read})
    starts: dict[dt.date, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for region, start in (
        Contest.objects.filter(reporting_start__lte=day, reporting_end__gte=day)
        .filter(prefix_filter(provinces)("region__code"))
        .values_list("region_id", "reporting_start")
    ):
        starts[start][len(region)].append(region)
    if not starts:
        return "1 = 0"  # no contest's reporting period includes the day: flows have no figure
    periods = []
    for index, (start, by_length) in enumerate(sorted(starts.items())):
        params[f"start_{index}"] = connection.ops.adapt_datefield_value(start)
        covering = " OR ".join(
            f"substr(r.region_id, 1, {length}) IN "
            f"({_in_list(f'contest_{index}_{length}', sorted(regions), params)})"
            for length, regions in sorted(by_length.items())
        )
        periods.append(f"(r.day >= %(start_{index})s AND ({covering}))")
    return "(" + " OR ".join(periods) + ")"


def _group_code(targets: Targets, params: dict) -> str:
    """SQL for the group of a desk (`desk`), whose figures Targets.fold adds into every target
    holding the group.

    Targets of one level: the desk's prefix of their length (Targets.group_length). Targets of
    several (a chain): the finest target holding the desk (its kecamatan, else its kab/kota,
    else its province), so that the province's other desks make one group rather than one per
    kecamatan: the targets holding that target are exactly the targets holding the desk, so the
    fold is the same.
    """
    lengths = sorted({len(code) for code in targets.codes}, reverse=True)
    if len(lengths) == 1:
        return f"substr(desk, 1, {targets.group_length})"
    whens = " ".join(
        f"WHEN substr(desk, 1, {length}) IN "
        f"({_in_list(f'group_{length}', sorted(c for c in targets.codes if len(c) == length), params)}) "
        f"THEN substr(desk, 1, {length})"
        for length in lengths[:-1]
    )
    return f"CASE {whens} ELSE substr(desk, 1, {lengths[-1]}) END"


def _in_list(name: str, values: Sequence[object], params: dict) -> str:
    """Named placeholders for `values` (added to `params`), comma-separated."""
    for index, value in enumerate(values):
        params[f"{name}_{index}"] = value
    return ", ".join(f"%({name}_{index})s" for index in range(len(values)))


def _decimal(value: Decimal | float | int | None) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    return _FROM_FLOAT(value)


def _store(
    *,
    targets: Targets,
    day: dt.date,
    figures: dict[tuple[str, int], tuple[Decimal, Decimal | None, int, int]],
) -> None:
    """Make the stored rows of `targets` on `day` say `figures`: delete the rows without a
    figure, upsert the new and changed ones, leave the right ones alone (computed_at included:
    it says when the figures last changed, and a catch-up rebuild over rows that the
    submissions of the day already rolled up writes next to nothing)."""
    now = timezone.now()
    # No savepoint: inside the engine's transaction nothing catches a failure half-way, it
    # rolls the whole run back (and a savepoint costs two statements per section and chain).
    with transaction.atomic(savepoint=False):
        rows = IndicatorRollup.objects.filter(day=day, region_id__in=list(targets))
        stored = {
            (code, indicator): (pk, figure)
            for pk, code, indicator, *figure in rows.values_list(
                "pk",
                "region_id",
                "indicator_id",
                "value",
                "day_value",
                "units_reporting",
                "stale_units",
            )
        }
        gone = [pk for key, (pk, _figure) in stored.items() if key not in figures]
        if gone:
            IndicatorRollup.objects.filter(pk__in=gone).delete()
        IndicatorRollup.objects.bulk_create(
            [
                IndicatorRollup(
                    region_id=code,
                    day=day,
                    indicator_id=indicator,
                    value=value,
                    day_value=day_value,
                    units_reporting=units,
                    stale_units=stale,
                    computed_at=now,
                )
                # In key order, so that two runs at once lock rows in the same order.
                for (code, indicator), (value, day_value, units, stale) in sorted(figures.items())
                if stored.get((code, indicator), (None, None))[1]
                != [value, day_value, units, stale]
            ],
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["region", "day", "indicator"],
            update_fields=["value", "day_value", "units_reporting", "stale_units", "computed_at"],
        )


def _json_number(value: Decimal) -> int | str:
    if value == value.to_integral_value():
        return int(value)
    return f"{value.normalize():f}"
