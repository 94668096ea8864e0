"""Reads of the readiness app: what a page shows, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from . import codes, rollups
from .models import (
    Contest,
    DailyReport,
    DailyReportVersion,
    DailyRollup,
    Region,
    RegionLevel,
)

_PROVINCE_ZONES_CACHE_KEY = "readiness:province-zones"


def province_zone(code: str) -> zoneinfo.ZoneInfo:
    """The local zone (WIB/WITA/WIT) of the province that `code` lies in.

    Province zones change about never, and almost every request needs one: they are cached for
    a few minutes rather than read on every page.
    """
    zones = cache.get_or_set(
        _PROVINCE_ZONES_CACHE_KEY,
        lambda: dict(
            Region.objects.filter(level=RegionLevel.PROVINSI).values_list("code", "timezone")
        ),
        timeout=300,
    )
    return zoneinfo.ZoneInfo(zones.get(codes.province_code(code)) or codes.WIB)


def zone_label(zone: zoneinfo.ZoneInfo) -> str:
    return codes.ZONE_LABELS.get(zone.key, zone.key)


def local_today(region_code: str) -> dt.date:
    """Today in the region's province: a report's day is a local day."""
    return timezone.localdate(timezone=province_zone(region_code))


@dataclass(frozen=True)
class Countdown:
    contest: Contest
    days_left: int

    @property
    def label(self) -> str:
        """Desks count in H-minus days: H-4, H, H+2."""
        if self.days_left == 0:
            return "H"
        return f"H-{self.days_left}" if self.days_left > 0 else f"H+{-self.days_left}"


def contests_covering(*, region_code: str, day: dt.date) -> QuerySet[Contest]:
    """Contests held in the region (by it or an ancestor) whose reporting period includes `day`."""
    return Contest.objects.filter(
        region_id__in=[*codes.ancestor_codes(region_code), region_code],
        reporting_start__lte=day,
        reporting_end__gte=day,
    )


def contest_countdowns(*, region_code: str, day: dt.date) -> list[Countdown]:
    """The contests held in the region (by it or by an ancestor) whose period includes `day`."""
    contests = contests_covering(region_code=region_code, day=day).select_related("region")
    return [Countdown(contest, (contest.voting_day - day).days) for contest in contests]


@dataclass(frozen=True)
class Figures:
    """What a dashboard shows of one region for one day."""

    tps_total: int = 0
    tps_ready: int = 0
    tps_problem: int = 0
    # Desks expected that day (under a contest in its reporting period), and how many of them
    # reported, late or not.
    kecamatan_expected: int = 0
    kecamatan_reported: int = 0
    kecamatan_late: int = 0
    kabkota_expected: int = 0
    kabkota_reported: int = 0
    kabkota_late: int = 0
    # Kecamatan whose figures are from an earlier day (stock), and the oldest such day.
    kecamatan_stale: int = 0
    oldest_figure_day: dt.date | None = None
    has_own_report: bool = False
    own_report_late: bool = False

    @property
    def tps_ready_percent(self) -> float | None:
        return 100 * self.tps_ready / self.tps_total if self.tps_total else None

    @property
    def kecamatan_missing(self) -> int:
        return self.kecamatan_expected - self.kecamatan_reported

    @property
    def kabkota_missing(self) -> int:
        return self.kabkota_expected - self.kabkota_reported


@dataclass(frozen=True)
class ChildRow:
    region: Region
    figures: Figures

    @property
    def desk_expected(self) -> bool:
        """Whether the child's own desk owes a report that day (a contest is in its period)."""
        if self.region.level == RegionLevel.KECAMATAN:
            return self.figures.kecamatan_expected > 0
        # A kab/kota's own desk counts in its kabkota_expected; a province is expected when
        # any of its kab/kota is.
        return self.figures.kabkota_expected > 0


@dataclass(frozen=True)
class RegionOverview:
    region: Region
    day: dt.date
    breadcrumbs: list[Region]
    totals: Figures
    own_report: DailyReport | None
    children: list[ChildRow]
    countdowns: list[Countdown]
    zone: zoneinfo.ZoneInfo
    as_of: dt.datetime | None

    @property
    def zone_label(self) -> str:
        return zone_label(self.zone)

    @property
    def children_reported(self) -> int:
        return sum(1 for row in self.children if row.figures.has_own_report)

    @property
    def children_expected(self) -> list[ChildRow]:
        """Children whose own desk owes a report that day."""
        return [row for row in self.children if row.desk_expected]

    @property
    def children_missing(self) -> list[ChildRow]:
        """Expected children that have not reported (their names go into the coverage line)."""
        return [row for row in self.children_expected if not row.figures.has_own_report]

    @property
    def children_late(self) -> list[ChildRow]:
        return [row for row in self.children_expected if row.figures.own_report_late]


def region_overview(*, region: Region, day: dt.date) -> RegionOverview:
    """Everything a region page shows for `day`, in a fixed number of queries.

    Registry totals (TPS, kecamatan) are counted live, so a region nobody has reported for yet
    still shows what it has to get ready; reported figures come from the children's rollups. The
    region's totals are the sums of its rows, so the header always agrees with the table.
    """
    children = list(Region.objects.filter(parent=region, is_active=True).order_by("code"))
    child_codes = [child.code for child in children]
    registry = rollups.registry_totals(region_codes=child_codes, day=day)
    own_report = report_for_day(region=region, day=day)
    child_rollups = {
        rollup.region_id: rollup
        for rollup in DailyRollup.objects.filter(day=day, region_id__in=child_codes)
    }
    rows = []
    for child in children:
        counted = registry.get(child.code, rollups.RegistryTotals())
        rollup = child_rollups.get(child.code)
        rows.append(
            ChildRow(
                child,
                Figures(
                    tps_total=counted.tps,
                    kecamatan_expected=counted.kecamatan_expected,
                    kabkota_expected=counted.kabkota_expected,
                    tps_ready=rollup.tps_ready if rollup else 0,
                    tps_problem=rollup.tps_problem if rollup else 0,
                    kecamatan_reported=rollup.kecamatan_reported if rollup else 0,
                    kecamatan_late=rollup.kecamatan_late if rollup else 0,
                    kabkota_reported=rollup.kabkota_reported if rollup else 0,
                    kabkota_late=rollup.kabkota_late if rollup else 0,
                    kecamatan_stale=rollup.kecamatan_stale if rollup else 0,
                    oldest_figure_day=rollup.oldest_figure_day if rollup else None,
                    has_own_report=rollup.has_own_report if rollup else False,
                    own_report_late=rollup.own_report_late if rollup else False,
                ),
            )
        )

    own_counts = own_report is not None and own_report.counts
    own_late = own_counts and own_report.is_late
    countdowns = contest_countdowns(region_code=region.code, day=day)
    # The region's own desk is expected when a contest held there is in its reporting period.
    own_expected = int(region.is_active and bool(countdowns))
    desk_figures = {
        "kecamatan_expected": sum(row.figures.kecamatan_expected for row in rows),
        "kecamatan_reported": sum(row.figures.kecamatan_reported for row in rows),
        "kecamatan_late": sum(row.figures.kecamatan_late for row in rows),
        "kabkota_expected": sum(row.figures.kabkota_expected for row in rows),
        "kabkota_reported": sum(row.figures.kabkota_reported for row in rows),
        "kabkota_late": sum(row.figures.kabkota_late for row in rows),
    }
    if region.level in (RegionLevel.KECAMATAN, RegionLevel.KABKOTA):
        desk = "kecamatan" if region.level == RegionLevel.KECAMATAN else "kabkota"
        desk_figures[f"{desk}_expected"] = own_expected
        desk_figures[f"{desk}_reported"] = own_expected * int(own_counts)
        desk_figures[f"{desk}_late"] = own_expected * int(own_late)
    if region.level == RegionLevel.KECAMATAN:
        # The kecamatan's own rollup: its latest figures, as the kab/kota page shows them.
        own = DailyRollup.objects.filter(region=region, day=day).first()
        tps_ready, tps_problem = (own.tps_ready, own.tps_problem) if own else (0, 0)
        kecamatan_stale = own.kecamatan_stale if own else 0
        oldest_figure_day = own.oldest_figure_day if own else None
        as_of = own.computed_at if own else None
    else:
        tps_ready = sum(row.figures.tps_ready for row in rows)
        tps_problem = sum(row.figures.tps_problem for row in rows)
        kecamatan_stale = sum(row.figures.kecamatan_stale for row in rows)
        oldest_figure_day = min(
            (row.figures.oldest_figure_day for row in rows if row.figures.oldest_figure_day),
            default=None,
        )
        as_of = max((rollup.computed_at for rollup in child_rollups.values()), default=None)

    return RegionOverview(
        region=region,
        day=day,
        breadcrumbs=list(Region.objects.filter(code__in=region.ancestor_codes).order_by("code")),
        totals=Figures(
            tps_total=sum(row.figures.tps_total for row in rows),
            tps_ready=tps_ready,
            tps_problem=tps_problem,
            **desk_figures,
            kecamatan_stale=kecamatan_stale,
            oldest_figure_day=oldest_figure_day,
            has_own_report=own_counts,
            own_report_late=own_late,
        ),
        own_report=own_report,
        children=rows,
        countdowns=countdowns,
        zone=province_zone(region.code),
        as_of=as_of,
    )


def report_for_day(*, region: Region, day: dt.date) -> DailyReport | None:
    return DailyReport.objects.filter(region=region, day=day).first()


DEFAULT_DEADLINE = dt.time(16, 0)


def reporting_contests_or_error(*, region_code: str, day: dt.date) -> list[Contest]:
    """The contests whose reporting period includes `day` for this region, or a refusal."""
    contests = list(contests_covering(region_code=region_code, day=day))
    if not contests:
        raise ValidationError(
            _("Tanggal %(day)s berada di luar periode laporan pemilihan mana pun di wilayah ini.")
            % {"day": f"{day:%d-%m-%Y}"}
        )
    return contests


def report_deadline(*, region_code: str, day: dt.date) -> dt.datetime:
    """The moment a report for `day` becomes late: the earliest daily deadline of the contests
    held there (default 16:00), in the province's local time."""
    deadlines = contests_covering(region_code=region_code, day=day).values_list(
        "daily_deadline", flat=True
    )
    deadline = min(deadlines, default=DEFAULT_DEADLINE)
    return dt.datetime.combine(day, deadline, tzinfo=province_zone(region_code))


def report_history(report: DailyReport) -> list[DailyReportVersion]:
    return list(report.versions.select_related("changed_by").order_by("-version"))
