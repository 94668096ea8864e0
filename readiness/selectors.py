"""Reads of the readiness app: what a page shows, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from . import codes
from .models import TPS, Contest, DailyReport, DailyRollup, Region, RegionLevel

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


def contest_countdowns(*, region_code: str, day: dt.date) -> list[Countdown]:
    """The contests held in the region (by it or by an ancestor) whose period includes `day`."""
    contests = Contest.objects.filter(
        region_id__in=[*codes.ancestor_codes(region_code), region_code],
        reporting_start__lte=day,
        reporting_end__gte=day,
    ).select_related("region")
    return [Countdown(contest, (contest.voting_day - day).days) for contest in contests]


@dataclass(frozen=True)
class ChildRow:
    region: Region
    rollup: DailyRollup | None
    tps_total: int


@dataclass(frozen=True)
class RegionOverview:
    region: Region
    day: dt.date
    breadcrumbs: list[Region]
    rollup: DailyRollup | None
    own_report: DailyReport | None
    children: list[ChildRow]
    countdowns: list[Countdown]
    zone: zoneinfo.ZoneInfo

    @property
    def zone_label(self) -> str:
        return zone_label(self.zone)

    @property
    def as_of(self) -> dt.datetime | None:
        stamps = [row.rollup.computed_at for row in self.children if row.rollup]
        if self.rollup:
            stamps.append(self.rollup.computed_at)
        return max(stamps) if stamps else None

    @property
    def children_reported(self) -> int:
        return sum(1 for row in self.children if row.rollup and row.rollup.has_own_report)


def region_overview(*, region: Region, day: dt.date) -> RegionOverview:
    """Everything a region page shows for `day`, in six queries whatever the number of children.

    For a province or kab/kota the children are read from their rollups; a kecamatan's children
    are its desa/kelurahan with their TPS counts from the registry.
    """
    children = list(Region.objects.filter(parent=region, is_active=True).order_by("code"))
    if region.level == RegionLevel.KECAMATAN:
        tps_per_desa = dict(
            TPS.objects.filter(is_active=True, desa__parent=region)
            .values("desa_id")
            .annotate(total=Count("id"))
            .values_list("desa_id", "total")
            .order_by()
        )
        rows = [ChildRow(child, None, tps_per_desa.get(child.code, 0)) for child in children]
    else:
        rollups = {
            rollup.region_id: rollup
            for rollup in DailyRollup.objects.filter(day=day, region__parent=region)
        }
        rows = [
            ChildRow(
                child,
                rollups.get(child.code),
                rollups[child.code].tps_total if child.code in rollups else 0,
            )
            for child in children
        ]
    return RegionOverview(
        region=region,
        day=day,
        breadcrumbs=list(Region.objects.filter(code__in=region.ancestor_codes).order_by("code")),
        rollup=DailyRollup.objects.filter(region=region, day=day).first(),
        own_report=report_for_day(region=region, day=day),
        children=rows,
        countdowns=contest_countdowns(region_code=region.code, day=day),
        zone=province_zone(region.code),
    )


def region_tps_total(region: Region) -> int:
    return TPS.objects.filter(is_active=True).within(region.code).count()


def report_for_day(*, region: Region, day: dt.date) -> DailyReport | None:
    return DailyReport.objects.filter(region=region, day=day).first()
