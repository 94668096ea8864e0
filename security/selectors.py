"""Reads of the security app: required personnel, the personnel section, incidents."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils.translation import gettext, gettext_lazy

from readiness.models import (
    TPS,
    DailyReport,
    Region,
    RegionLevel,
    Vulnerability,
    in_subtree,
)
from readiness.selectors import province_zone

from .models import (
    Incident,
    IncidentCategory,
    IncidentRollup,
    IncidentUpdate,
    NormKind,
    PersonnelCategory,
    PersonnelLine,
    PersonnelRollup,
    Severity,
)

# Above this, a figure is a typing error rather than a deployment: three times what the norm
# requires, and never less than a floor that leaves room for categories without a norm
# (Satpol PP, BPBD) and for reinforcements (Brimob, BKO from the Polda).
PLAUSIBLE_FACTOR = 3
PLAUSIBLE_PER_TPS = 5
PLAUSIBLE_FLOOR = 50


@dataclass(frozen=True)
class RegistryCounts:
    """What the norms are multiplied by, under one region."""

    tps_by_class: dict[str, int]
    desa: int
    kecamatan: int

    @property
    def tps(self) -> int:
        return sum(self.tps_by_class.values())


def registry_counts(*, region_code: str) -> RegistryCounts:
    """Active TPS per vulnerability class, desa and kecamatan in or under the region: 2 queries."""
    tps_by_class = dict.fromkeys(Vulnerability.values, 0)
    for row in (
        TPS.objects.filter(is_active=True)
        .within(region_code)
        .values("vulnerability")
        .annotate(total=Count("id"))
        .order_by()
    ):
        tps_by_class[row["vulnerability"]] = row["total"]
    regions = dict(
        Region.objects.within(region_code)
        .filter(is_active=True, level__in=[RegionLevel.KECAMATAN, RegionLevel.DESA])
        .values("level")
        .annotate(total=Count("code"))
        .order_by()
        .values_list("level", "total")
    )
    return RegistryCounts(
        tps_by_class=tps_by_class,
        desa=regions.get(RegionLevel.DESA, 0),
        kecamatan=regions.get(RegionLevel.KECAMATAN, 0),
    )


def required_for(category: PersonnelCategory, counts: RegistryCounts) -> int:
    """The norm of one category applied to the registry counts (pure, no queries)."""
    match category.norm_kind:
        case NormKind.PER_TPS:
            return category.per_unit * counts.tps
        case NormKind.PER_DESA:
            return category.per_unit * counts.desa
        case NormKind.PER_KECAMATAN:
            return category.per_unit * counts.kecamatan
        case NormKind.PER_TPS_BY_CLASS:
            return (
                category.per_tps_low * counts.tps_by_class[Vulnerability.LOW]
                + category.per_tps_vulnerable * counts.tps_by_class[Vulnerability.VULNERABLE]
                + category.per_tps_highly_vulnerable
                * counts.tps_by_class[Vulnerability.HIGHLY_VULNERABLE]
            )
    return 0


def active_categories() -> list[PersonnelCategory]:
    return list(PersonnelCategory.objects.filter(is_active=True).order_by("sort", "code"))


def personnel_required(*, region_code: str) -> dict[str, int]:
    """Required personnel per active category code for the region's whole subtree: 3 queries.

    A kecamatan requires PPK for itself, PPS for each of its desa, KPPS/Linmas/Pengawas for each
    TPS; a kab/kota or province the sums of everything below.
    """
    counts = registry_counts(region_code=region_code)
    return {category.code: required_for(category, counts) for category in active_categories()}


def plausible_maximum(*, required: int, tps_total: int) -> int:
    return max(PLAUSIBLE_FACTOR * required, PLAUSIBLE_PER_TPS * tps_total, PLAUSIBLE_FLOOR)


@dataclass(frozen=True)
class PersonnelRow:
    category: PersonnelCategory
    required: int
    maximum: int
    line: PersonnelLine | None

    @property
    def coverage_percent(self) -> float | None:
        if self.line is None or not self.required:
            return None
        return 100 * self.line.ready / self.required


@dataclass(frozen=True)
class PersonnelSection:
    rows: list[PersonnelRow]
    counts: RegistryCounts

    @property
    def required_total(self) -> int:
        return sum(row.required for row in self.rows)

    @property
    def ready_total(self) -> int:
        return sum(row.line.ready for row in self.rows if row.line)


def personnel_section(*, region_code: str, report: DailyReport | None) -> PersonnelSection:
    """Every active category with what is required, the plausible maximum and the saved line.

    A fixed number of queries (registry counts, categories, lines) whatever the region's size.
    """
    counts = registry_counts(region_code=region_code)
    lines = (
        {line.category_id: line for line in PersonnelLine.objects.filter(report=report)}
        if report is not None and report.pk
        else {}
    )
    rows = []
    for category in active_categories():
        required = required_for(category, counts)
        rows.append(
            PersonnelRow(
                category=category,
                required=required,
                maximum=plausible_maximum(required=required, tps_total=counts.tps),
                line=lines.get(category.pk),
            )
        )
    return PersonnelSection(rows=rows, counts=counts)


def local_day_bounds(*, region_code: str, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of `day` in the local time of the region's province."""
    zone = province_zone(region_code)
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def incidents_within(region_code: str) -> QuerySet[Incident]:
    """Incidents placed in the region or anywhere below it (a prefix match, no joins)."""
    return Incident.objects.filter(in_subtree("region__code", region_code))


def incidents_on_day(*, region_code: str, day: dt.date) -> QuerySet[Incident]:
    start, end = local_day_bounds(region_code=region_code, day=day)
    return incidents_within(region_code).filter(occurred_at__gte=start, occurred_at__lt=end)


def incident_list(
    *,
    region_code: str,
    status: str = "",
    severity: str = "",
    category: IncidentCategory | None = None,
    day: dt.date | None = None,
) -> QuerySet[Incident]:
    """The incidents a list page shows, newest first, with what each row displays joined in."""
    incidents = (
        incidents_on_day(region_code=region_code, day=day) if day else incidents_within(region_code)
    )
    if status:
        incidents = incidents.filter(status=status)
    if severity:
        incidents = incidents.filter(severity=severity)
    if category is not None:
        incidents = incidents.filter(category=category)
    return incidents.select_related("region", "tps", "category", "reported_by").order_by(
        "-occurred_at", "-id"
    )


def incident_timeline(incident: Incident) -> list[IncidentUpdate]:
    return list(incident.updates.select_related("by").order_by("at", "id"))


NIHIL_MISSING = gettext_lazy(
    "Belum ada insiden hari ini: centang 'nihil' bila memang tidak ada insiden."
)


def incidents_submit_problems(report: DailyReport) -> list[str]:
    """The report's incidents section: 'no incidents' must be said, and must be true.

    Incidents count when they occurred on the report's local day in its region or below; two
    queries at most whatever the number of incidents.
    """
    said_nihil = bool(getattr(report, "no_incidents", False))
    found = incidents_on_day(region_code=report.region_id, day=report.day).count()
    if not found and not said_nihil:
        return [str(NIHIL_MISSING)]
    if found and said_nihil:
        return [
            gettext(
                "Laporan menyatakan nihil, tetapi tercatat %(found)s insiden hari ini di wilayah "
                "ini: hapus centang 'nihil'."
            )
            % {"found": found}
        ]
    return []


# Rollups (written by security.rollups) -----------------------------------------------------


@dataclass(frozen=True)
class PersonnelRollupRow:
    category: PersonnelCategory
    required: int
    ready: int
    unavailable_sick: int
    unavailable_absent: int
    units_reporting: int
    stale_units: int

    @property
    def coverage_percent(self) -> float | None:
        """Ready as a share of the requirement; None for a category without a norm."""
        return 100 * self.ready / self.required if self.required else None


def personnel_rollup_rows(
    *, region_codes: Collection[str], day: dt.date
) -> dict[str, list[PersonnelRollupRow]]:
    """Each region's personnel rollup of the day, one row per category in catalogue order
    ([] for a region not rolled up yet): one query however many regions."""
    rows: dict[str, list[PersonnelRollupRow]] = {code: [] for code in region_codes}
    for rollup in (
        PersonnelRollup.objects.filter(region_id__in=list(region_codes), day=day)
        .select_related("category")
        .order_by("region_id", "category__sort", "category__code")
    ):
        rows[rollup.region_id].append(
            PersonnelRollupRow(
                category=rollup.category,
                required=rollup.required,
                ready=rollup.ready,
                unavailable_sick=rollup.unavailable_sick,
                unavailable_absent=rollup.unavailable_absent,
                units_reporting=rollup.units_reporting,
                stale_units=rollup.stale_units,
            )
        )
    return rows


@dataclass(frozen=True)
class IncidentRollupSummary:
    # Every severity, in the order of Severity (0 when none).
    open_by_severity: dict[str, int]
    # Categories with incidents that day, in taxonomy order.
    occurred_by_category: list[tuple[IncidentCategory, int]]

    @property
    def open_total(self) -> int:
        return sum(self.open_by_severity.values())

    @property
    def occurred_total(self) -> int:
        return sum(count for _category, count in self.occurred_by_category)


def incident_rollup_rows(
    *, region_codes: Collection[str], day: dt.date
) -> dict[str, IncidentRollupSummary]:
    """Each region's incidents of the local day: open at its end by severity, occurred by
    category. One query however many regions."""
    open_by_severity = {code: dict.fromkeys(Severity.values, 0) for code in region_codes}
    occurred: dict[str, dict[int, int]] = {code: defaultdict(int) for code in region_codes}
    categories: dict[int, IncidentCategory] = {}
    for rollup in IncidentRollup.objects.filter(
        region_id__in=list(region_codes), day=day
    ).select_related("category"):
        open_by_severity[rollup.region_id][rollup.severity] += rollup.open_at_end
        if rollup.occurred:
            occurred[rollup.region_id][rollup.category_id] += rollup.occurred
            categories[rollup.category_id] = rollup.category
    in_order = sorted(categories.values(), key=lambda category: (category.sort, category.code))
    return {
        code: IncidentRollupSummary(
            open_by_severity=open_by_severity[code],
            occurred_by_category=[
                (category, occurred[code][category.pk])
                for category in in_order
                if occurred[code].get(category.pk)
            ],
        )
        for code in region_codes
    }


@dataclass(frozen=True)
class IncidentTrendSeries:
    category: IncidentCategory
    counts: list[int]  # one per day asked for, in the same order


def incident_counts_by_day(
    *, region_code: str, days: Sequence[dt.date]
) -> list[IncidentTrendSeries]:
    """Incidents that occurred under the region on each of `days` (local days), one series per
    category that had any, in taxonomy order: the trend chart. One query."""
    position = {day: index for index, day in enumerate(days)}
    series: dict[int, IncidentTrendSeries] = {}
    for rollup in IncidentRollup.objects.filter(
        region_id=region_code, day__in=list(days), occurred__gt=0
    ).select_related("category"):
        if rollup.category_id not in series:
            series[rollup.category_id] = IncidentTrendSeries(rollup.category, [0] * len(days))
        series[rollup.category_id].counts[position[rollup.day]] += rollup.occurred
    return sorted(series.values(), key=lambda line: (line.category.sort, line.category.code))
