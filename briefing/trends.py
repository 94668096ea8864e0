"""Trend series for the briefing charts: one region, every day of the reporting period so far.

Read from the rollups only (readiness DailyRollup, logistics LogisticsRollup, security
IncidentRollup), never from source rows, and in a fixed number of queries however long the
period is: the period's contests, then one query per series.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from logistics.models import LogisticsRollup
from readiness.models import DailyRollup
from readiness.selectors import contests_covering
from security.selectors import IncidentTrendSeries, incident_counts_by_day

# Without a contest running on the day there is no reporting period; the charts then show the
# last two weeks, which is what a desk looks back on at a weekly rakor.
FALLBACK_DAYS = 14
# A re-run contest can share a region with an old one; the charts never reach further back
# than this, so that a period stays readable on a phone.
MAX_DAYS = 60


@dataclass(frozen=True)
class Trends:
    region_code: str
    days: tuple[dt.date, ...]
    # The voting day of the earliest contest in the period, if it falls inside it (a marker).
    voting_day: dt.date | None
    # One value per day, None where the region has no rollup (or nothing to count) that day.
    tps_ready_percent: tuple[float | None, ...]
    logistics_percent: tuple[float | None, ...]
    incidents: tuple[IncidentTrendSeries, ...]

    @property
    def first_day(self) -> dt.date:
        return self.days[0]

    @property
    def last_day(self) -> dt.date:
        return self.days[-1]


def trend_days(*, region_code: str, day: dt.date) -> tuple[tuple[dt.date, ...], dt.date | None]:
    """The days the charts cover: from the start of the reporting period of the contests held
    in the region on `day` up to `day` itself, and the nearest voting day. One query."""
    contests = list(contests_covering(region_code=region_code, day=day))
    if contests:
        start = min(contest.reporting_start for contest in contests)
        voting_day = min(contest.voting_day for contest in contests)
    else:
        start, voting_day = day - dt.timedelta(days=FALLBACK_DAYS - 1), None
    start = max(start, day - dt.timedelta(days=MAX_DAYS - 1))
    days = tuple(start + dt.timedelta(days=offset) for offset in range((day - start).days + 1))
    return days, voting_day


def region_trends(*, region_code: str, day: dt.date) -> Trends:
    """The three trend series of the region up to `day`: four queries whatever the period.

    - TPS siap %: tps_ready ÷ tps_total of the region's DailyRollup of each day.
    - Logistik %: per day, the mean over the active items needed there of received_kpps ÷
      required (each capped at 100). Not the sum over items: ballots are counted in thousands of
      sheets and boxes in ones, so a summed percentage would let the ballots hide a missing box.
    - Insiden: incidents that occurred each local day, per category (security's trend selector).
    """
    days, voting_day = trend_days(region_code=region_code, day=day)
    first, last = days[0], days[-1]

    ready: dict[dt.date, float | None] = {}
    for rollup_day, total, tps_ready in DailyRollup.objects.filter(
        region_id=region_code, day__gte=first, day__lte=last
    ).values_list("day", "tps_total", "tps_ready"):
        ready[rollup_day] = 100 * tps_ready / total if total else None

    item_percents: dict[dt.date, list[float]] = defaultdict(list)
    for rollup_day, required, received in LogisticsRollup.objects.filter(
        region_id=region_code, day__gte=first, day__lte=last, item__is_active=True, required__gt=0
    ).values_list("day", "required", "received_kpps"):
        item_percents[rollup_day].append(min(100.0, 100 * received / required))

    return Trends(
        region_code=region_code,
        days=days,
        voting_day=voting_day if voting_day and first <= voting_day <= last else None,
        tps_ready_percent=tuple(ready.get(d) for d in days),
        logistics_percent=tuple(
            sum(item_percents[d]) / len(item_percents[d]) if item_percents.get(d) else None
            for d in days
        ),
        incidents=tuple(incident_counts_by_day(region_code=region_code, days=days)),
    )
