"""Reads of the briefing app: one region's dashboard for one day, as plain frozen data.

`region_dashboard` composes readiness (the overview, snapshots) with the rollups of logistics,
security and indicators. It returns a `Dashboard` that the pages render to HTML and the exports
(briefing.exports) render to PDF/XLSX/CSV, so every figure is computed here once and nothing
downstream runs a query. The number of queries does not depend on the number of child regions
(tests/briefing/test_dashboard_queries.py holds it to that).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, IntegerField, Max, Min, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from indicators.selectors import indicator_rollup_rows
from logistics.models import FIELD_LABELS, Stage
from logistics.selectors import logistics_rollup_rows
from readiness import codes, snapshots
from readiness.models import (
    TPS,
    Contest,
    DailyReport,
    Region,
    RegionLevel,
    TPSReadiness,
    Vulnerability,
)
from readiness.selectors import Countdown, local_today, region_overview
from security.models import Incident, IncidentStatus, Severity
from security.selectors import incident_rollup_rows, incidents_within, personnel_rollup_rows

# --- Report status of a row ------------------------------------------------------------------

REPORT_DONE = "sudah"
REPORT_LATE = "terlambat"
REPORT_MISSING = "belum"
REPORT_NOT_DUE = "tidak_wajib"

# Severities from the most to the least serious: the feed and the table columns follow it.
SEVERITY_ORDER: tuple[str, ...] = (Severity.CRITICAL, Severity.HIGH, Severity.LOW, Severity.INFO)

INCIDENT_FEED_LIMIT = 20


def report_status_label(status: str) -> str:
    return {
        REPORT_DONE: _("Sudah"),
        REPORT_LATE: _("Terlambat"),
        REPORT_MISSING: _("Belum"),
        REPORT_NOT_DUE: _("Tidak wajib"),
    }[status]


# --- The data ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageFigure:
    """Logistics at one stage of the chain, summed over every active item."""

    #: Stage value (logistics.models.Stage): "warehouse", "received_ppk", "distributed_pps",
    #: "received_kpps".
    stage: str
    #: The stage's label in the active language ("Diterima KPPS/TPS").
    label: str
    #: Units received (or held, for the warehouse) at this stage, all items together.
    received: int
    #: Units required, all items together.
    required: int

    @property
    def percent(self) -> int | None:
        """received ÷ required in whole percent, rounded down (100 only when nothing is
        missing), None when nothing is required; as logistics.selectors does per item."""
        return self.received * 100 // self.required if self.required else None


@dataclass(frozen=True)
class ItemFigure:
    """One logistics item of the dashboard's own region (per-item detail under the table)."""

    #: Catalogue code ("surat_suara").
    code: str
    #: Catalogue name.
    name: str
    #: Units required in the region.
    required: int
    #: The item at each stage the region's rollup has, in chain order.
    stages: tuple[StageFigure, ...]
    #: Damaged and short units reported by the desks under the region.
    damaged: int
    short: int
    #: Every kecamatan needing the item has received all of it at the TPS stage.
    is_complete: bool


@dataclass(frozen=True)
class DashboardRow:
    """One child region in the dashboard table (or, as `Dashboard.totals`, their sum).

    Figures absent for the region (no rollup yet, or a desa that has none) are zero, and the
    `has_*` flags say whether there was anything to show.
    """

    #: Kemendagri code of the region.
    code: str
    #: Name of the region.
    name: str
    #: RegionLevel of the region (2 kab/kota, 3 kecamatan, 4 desa; 1 for a province's totals).
    level: int
    #: Active TPS under the region (registry), those siap and those bermasalah (reported).
    tps_total: int = 0
    tps_ready: int = 0
    tps_problem: int = 0
    #: When the TPS figures come from a report of an earlier day: the oldest such day.
    stale_since: dt.date | None = None
    #: Logistics per stage, all items summed, in chain order; () when not rolled up.
    logistics: tuple[StageFigure, ...] = ()
    #: "Logistik lengkap": every item at or above requirement at the TPS stage in every
    #: kecamatan (logistics.rollups). For totals: every row is lengkap.
    logistics_complete: bool = False
    #: Personnel required by the norms and ready, over every category.
    personnel_required: int = 0
    personnel_ready: int = 0
    #: Incidents open at the end of the day, by severity code (Severity values, most serious
    #: first: "kritis", "tinggi", "rendah", "info").
    incidents_open: dict[str, int] = field(default_factory=dict)
    #: The row's own desk report of the day: REPORT_DONE, REPORT_LATE, REPORT_MISSING or
    #: REPORT_NOT_DUE.
    report_status: str = REPORT_NOT_DUE
    #: Kecamatan desks under the region expected to report that day, and those that did
    #: (0/0 for a kecamatan or desa row).
    desks_expected: int = 0
    desks_reported: int = 0

    @property
    def tps_ready_percent(self) -> float | None:
        return 100 * self.tps_ready / self.tps_total if self.tps_total else None

    @property
    def personnel_percent(self) -> float | None:
        """ready ÷ required in percent (may exceed 100), None when nothing is required."""
        if not self.personnel_required:
            return None
        return 100 * self.personnel_ready / self.personnel_required

    @property
    def incidents_open_total(self) -> int:
        return sum(self.incidents_open.values())

    @property
    def logistics_final(self) -> StageFigure | None:
        """The TPS stage (received by KPPS), the one "lengkap" is about."""
        return next((s for s in self.logistics if s.stage == Stage.RECEIVED_KPPS), None)

    @property
    def report_label(self) -> str:
        return report_status_label(self.report_status)


@dataclass(frozen=True)
class Coverage:
    """Which child desks owed a report that day and what came of it (names in code order)."""

    #: Names of the children whose desk owed a report.
    expected: tuple[str, ...]
    #: Names of those that reported (on time or late).
    reported: tuple[str, ...]
    #: Names of those that reported on time.
    on_time: tuple[str, ...]
    #: Names of those that reported after the deadline.
    late: tuple[str, ...]
    #: Names of those that have not reported.
    missing: tuple[str, ...]


@dataclass(frozen=True)
class IncidentEntry:
    """One open incident of the feed."""

    #: Primary key: the page links to `incident_detail` with it.
    pk: int
    #: Category name ("Politik uang").
    category: str
    #: Severity code and label.
    severity: str
    severity_label: str
    #: Status label ("Dilaporkan", "Ditangani" …).
    status_label: str
    #: When it happened (aware datetime; render in Dashboard.zone).
    occurred_at: dt.datetime
    #: Where: the desa or kecamatan code and name, and "TPS 003" when at a TPS.
    region_code: str
    region_name: str
    tps_label: str
    #: The start of the description (at most 160 characters).
    summary: str


@dataclass(frozen=True)
class IndicatorFigure:
    """One of the other indicators of the dashboard's own region (hibah, sosialisasi …)."""

    code: str
    name: str
    #: The rolled-up figure (Decimal or int), as indicators.rollups defines it.
    value: Any
    unit: str
    #: Desks whose figure is from an earlier day.
    stale_units: int


@dataclass(frozen=True)
class ChangeLine:
    """One figure that moved since the morning snapshot, in words."""

    region_code: str
    region_name: str
    #: Figure key as stored in the snapshot ("tps_ready", "logistics.complete" …).
    figure: str
    #: The figure's label in the active language.
    label: str
    #: Before and after, formatted for reading ("–" when absent; "ya"/"tidak" for flags).
    then: str
    now: str


@dataclass(frozen=True)
class Dashboard:
    """Everything a region's dashboard shows for one day (see region_dashboard)."""

    #: The region (a readiness.models.Region) and the day (the province's local day).
    region: Region
    day: dt.date
    #: Ancestors from the province down, excluding the region itself.
    breadcrumbs: tuple[Region, ...]
    #: Contests held in the region whose reporting period includes the day, with H-minus.
    countdowns: tuple[Countdown, ...]
    #: The province's zone (WIB/WITA/WIT) and its label; as_of: when the oldest figure shown
    #: was computed (None when nothing is rolled up for the day).
    zone: zoneinfo.ZoneInfo
    zone_label: str
    as_of: dt.datetime | None
    #: One row per active child region, in code order.
    rows: tuple[DashboardRow, ...]
    #: The sum of the rows (the header figures); its report_status is the region's own.
    totals: DashboardRow
    #: Child desks that owed, sent, sent late or did not send their report.
    coverage: Coverage
    #: The region's own logistics per item (its own rollup), catalogue order.
    items: tuple[ItemFigure, ...]
    #: The region's own other indicators (its own rollup), catalogue order.
    indicators: tuple[IndicatorFigure, ...]
    #: Open incidents under the region: kritis and tinggi first, then newest; at most 20.
    incidents: tuple[IncidentEntry, ...]
    #: Open incidents under the region in all (the feed may show fewer).
    incidents_open_count: int
    #: The province's snapshot of the day: when it was taken (None if not taken), and what
    #: moved since in the region and its rows.
    snapshot_taken_at: dt.datetime | None
    changes: tuple[ChangeLine, ...]
    #: The region's own desk report of the day (None if none).
    own_report: DailyReport | None
    #: First and last day of the reporting periods of the region's contests (the date picker's
    #: bounds); None when no contest is held there.
    period_start: dt.date | None
    period_end: dt.date | None
    #: Whether `day` is the province's local today (sentences say "hari ini" or the date).
    is_today: bool = True
    #: Sentences a Sekda would say (briefing.narrative), consistent with the figures above.
    narrative: tuple[str, ...] = ()

    @property
    def children_label(self) -> str:
        """What the rows are, in the plural form used in sentences."""
        return children_label(self.region.level)

    @property
    def logistics_complete_rows(self) -> tuple[DashboardRow, ...]:
        return tuple(row for row in self.rows if row.logistics_complete)

    @property
    def has_logistics(self) -> bool:
        return any(row.logistics for row in self.rows)

    @property
    def severity_columns(self) -> tuple[tuple[str, str], ...]:
        """(code, label) of each severity, most serious first: the table's incident columns."""
        return tuple((code, Severity(code).label) for code in SEVERITY_ORDER)


def children_label(level: int) -> str:
    return {
        RegionLevel.PROVINSI: _("kabupaten/kota"),
        RegionLevel.KABKOTA: _("kecamatan"),
        RegionLevel.KECAMATAN: _("desa/kelurahan"),
    }.get(level, _("wilayah"))


# --- The selector ------------------------------------------------------------------------------


def reporting_period(*, region_code: str) -> tuple[dt.date | None, dt.date | None]:
    """First and last day of the reporting periods of the contests held in the region (by it
    or an ancestor): the days a dashboard can show. (None, None) without contests. One query."""
    period = Contest.objects.filter(
        region_id__in=[*codes.ancestor_codes(region_code), region_code]
    ).aggregate(start=Min("reporting_start"), end=Max("reporting_end"))
    return period["start"], period["end"]


def region_dashboard(
    *,
    region: Region,
    day: dt.date,
    period: tuple[dt.date | None, dt.date | None] | None = None,
) -> Dashboard:
    """The dashboard of `region` for `day`, in a fixed number of queries whatever the number of
    children. Read-only; safe for any viewer the caller has let through (access is the view's).

    The table rows come from the children's rollups of the day; the header (`totals`) is their
    sum, so the two always agree. A kecamatan's rows are its desa, whose TPS figures are the
    live TPS status (desa have no rollups) and whose incidents are the open ones now.
    """
    from .narrative import dashboard_narrative  # narrative reads the dataclasses above

    overview = region_overview(region=region, day=day)
    child_codes = [row.region.code for row in overview.children]
    # One logistics query for the rows and the region's own per-item detail.
    logistics = logistics_rollup_rows(
        region_codes=[region.code]
        if region.level == RegionLevel.KECAMATAN
        else [*child_codes, region.code],
        day=day,
    )
    if region.level == RegionLevel.KECAMATAN:
        rows = _desa_rows(overview)
    else:
        rows = _rollup_rows(overview, day=day, logistics=logistics)
    own_logistics = logistics.get(region.code)
    items = tuple(
        ItemFigure(
            code=item.item.code,
            name=item.item.name,
            required=item.required,
            stages=tuple(
                StageFigure(stage, str(FIELD_LABELS[stage]), getattr(item, stage), item.required)
                for stage in own_logistics.stages
            ),
            damaged=item.damaged,
            short=item.short,
            is_complete=item.is_complete,
        )
        for item in (own_logistics.items if own_logistics else ())
    )
    indicators = tuple(
        IndicatorFigure(
            code=row.indicator.code,
            name=row.indicator.name,
            value=row.value,
            unit=row.indicator.unit,
            stale_units=row.stale_units,
        )
        for row in indicator_rollup_rows(region_codes=[region.code], day=day)[region.code]
    )
    incidents, open_count = _incident_feed(region=region, day=day, zone=overview.zone)
    snapshot_taken_at, changes = _snapshot_changes(
        region=region, day=day, names={region.code: region.name} | _names(overview)
    )
    if period is None:  # the view has it already when it validated the day
        period = reporting_period(region_code=region.code)

    expected = overview.children_expected
    dashboard = Dashboard(
        region=region,
        day=day,
        breadcrumbs=tuple(overview.breadcrumbs),
        countdowns=tuple(overview.countdowns),
        zone=overview.zone,
        zone_label=overview.zone_label,
        as_of=overview.as_of,
        rows=rows,
        totals=_sum_rows(region, rows, own_status=_own_status(overview)),
        coverage=Coverage(
            expected=tuple(row.region.name for row in expected),
            reported=tuple(r.region.name for r in expected if r.figures.has_own_report),
            on_time=tuple(
                r.region.name
                for r in expected
                if r.figures.has_own_report and not r.figures.own_report_late
            ),
            late=tuple(r.region.name for r in expected if r.figures.own_report_late),
            missing=tuple(r.region.name for r in overview.children_missing),
        ),
        items=items,
        indicators=indicators,
        incidents=incidents,
        incidents_open_count=open_count,
        snapshot_taken_at=snapshot_taken_at,
        changes=changes,
        own_report=overview.own_report,
        period_start=period[0],
        period_end=period[1],
        is_today=day == local_today(region.code),
    )
    return dataclasses.replace(dashboard, narrative=tuple(dashboard_narrative(dashboard)))


def _names(overview) -> dict[str, str]:
    return {row.region.code: row.region.name for row in overview.children}


def _own_status(overview) -> str:
    if not overview.countdowns:
        return REPORT_NOT_DUE
    if not overview.totals.has_own_report:
        return REPORT_MISSING
    return REPORT_LATE if overview.totals.own_report_late else REPORT_DONE


def _row_status(child) -> str:
    if not child.desk_expected:
        return REPORT_NOT_DUE
    if not child.figures.has_own_report:
        return REPORT_MISSING
    return REPORT_LATE if child.figures.own_report_late else REPORT_DONE


def _rollup_rows(overview, *, day: dt.date, logistics: dict) -> tuple[DashboardRow, ...]:
    """Rows of a province (kab/kota) or kab/kota (kecamatan) page: two queries in all."""
    child_codes = [row.region.code for row in overview.children]
    personnel = personnel_rollup_rows(region_codes=child_codes, day=day)
    incidents = incident_rollup_rows(region_codes=child_codes, day=day)
    rows = []
    for child in overview.children:
        code, figures = child.region.code, child.figures
        region_logistics = logistics.get(code)
        stage_figures: tuple[StageFigure, ...] = ()
        if region_logistics is not None and region_logistics.items:
            stage_figures = tuple(
                StageFigure(
                    stage,
                    str(FIELD_LABELS[stage]),
                    sum(getattr(item, stage) for item in region_logistics.items),
                    sum(item.required for item in region_logistics.items),
                )
                for stage in region_logistics.stages
            )
        open_by_severity = incidents[code].open_by_severity
        stale = not figures.has_own_report and figures.oldest_figure_day is not None
        rows.append(
            DashboardRow(
                code=code,
                name=child.region.name,
                level=child.region.level,
                tps_total=figures.tps_total,
                tps_ready=figures.tps_ready,
                tps_problem=figures.tps_problem,
                stale_since=figures.oldest_figure_day
                if (figures.kecamatan_stale or stale)
                else None,
                logistics=stage_figures,
                logistics_complete=bool(region_logistics and region_logistics.is_complete),
                personnel_required=sum(line.required for line in personnel[code]),
                personnel_ready=sum(line.ready for line in personnel[code]),
                incidents_open={s: open_by_severity.get(s, 0) for s in SEVERITY_ORDER},
                report_status=_row_status(child),
                desks_expected=figures.kecamatan_expected
                if child.region.level < RegionLevel.KECAMATAN
                else 0,
                desks_reported=figures.kecamatan_reported
                if child.region.level < RegionLevel.KECAMATAN
                else 0,
            )
        )
    return tuple(rows)


def _desa_rows(overview) -> tuple[DashboardRow, ...]:
    """Rows of a kecamatan page: its desa, with their TPS as they stand now. Two queries."""
    child_codes = [row.region.code for row in overview.children]
    tps = {
        row["desa_id"]: row
        for row in TPS.objects.filter(is_active=True, desa_id__in=child_codes)
        .values("desa_id")
        .annotate(
            total=Count("id"),
            ready=Count("id", filter=Q(status__readiness=TPSReadiness.READY)),
            problem=Count("id", filter=Q(status__readiness=TPSReadiness.PROBLEM)),
        )
        .order_by()
    }
    incidents: dict[str, dict[str, int]] = defaultdict(dict)
    for row in (
        Incident.objects.filter(region_id__in=child_codes)
        .exclude(status=IncidentStatus.CLOSED)
        .values("region_id", "severity")
        .annotate(total=Count("id"))
        .order_by()
    ):
        incidents[row["region_id"]][row["severity"]] = row["total"]
    return tuple(
        DashboardRow(
            code=child.region.code,
            name=child.region.name,
            level=child.region.level,
            tps_total=tps.get(child.region.code, {}).get("total", 0),
            tps_ready=tps.get(child.region.code, {}).get("ready", 0),
            tps_problem=tps.get(child.region.code, {}).get("problem", 0),
            incidents_open={
                s: incidents.get(child.region.code, {}).get(s, 0) for s in SEVERITY_ORDER
            },
        )
        for child in overview.children
    )


def _sum_rows(region: Region, rows: Sequence[DashboardRow], *, own_status: str) -> DashboardRow:
    """The header figures: the sum of the rows, never a figure of its own."""
    stages: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    for row in rows:
        for figure in row.logistics:
            received_required = stages.setdefault(figure.stage, [0, 0])
            received_required[0] += figure.received
            received_required[1] += figure.required
            labels[figure.stage] = figure.label
    ordered = [stage for stage in Stage.values if stage in stages]
    return DashboardRow(
        code=region.code,
        name=region.name,
        level=region.level,
        tps_total=sum(row.tps_total for row in rows),
        tps_ready=sum(row.tps_ready for row in rows),
        tps_problem=sum(row.tps_problem for row in rows),
        stale_since=min((row.stale_since for row in rows if row.stale_since), default=None),
        logistics=tuple(StageFigure(s, labels[s], *stages[s]) for s in ordered),
        logistics_complete=bool(rows) and all(row.logistics_complete for row in rows),
        personnel_required=sum(row.personnel_required for row in rows),
        personnel_ready=sum(row.personnel_ready for row in rows),
        incidents_open={
            s: sum(row.incidents_open.get(s, 0) for row in rows) for s in SEVERITY_ORDER
        },
        report_status=own_status,
        desks_expected=sum(row.desks_expected for row in rows),
        desks_reported=sum(row.desks_reported for row in rows),
    )


def _incident_feed(
    *, region: Region, day: dt.date, zone: zoneinfo.ZoneInfo
) -> tuple[tuple[IncidentEntry, ...], int]:
    """Open incidents under the region that had happened by the end of `day`: kritis and
    tinggi first, then newest. Two queries (the page and the count)."""
    end_of_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    open_incidents = (
        incidents_within(region.code)
        .filter(occurred_at__lt=end_of_day)
        .exclude(status=IncidentStatus.CLOSED)
    )
    rank = Case(
        *(When(severity=code, then=Value(i)) for i, code in enumerate(SEVERITY_ORDER)),
        output_field=IntegerField(),
    )
    serious = Case(
        When(severity__in=[Severity.CRITICAL, Severity.HIGH], then=rank),
        default=Value(len(SEVERITY_ORDER)),
        output_field=IntegerField(),
    )
    feed = (
        open_incidents.select_related("region", "category", "tps")
        .annotate(serious=serious)
        .order_by("serious", "-occurred_at", "-id")[:INCIDENT_FEED_LIMIT]
    )
    entries = tuple(
        IncidentEntry(
            pk=incident.pk,
            category=incident.category.name,
            severity=incident.severity,
            severity_label=incident.get_severity_display(),
            status_label=incident.get_status_display(),
            occurred_at=incident.occurred_at,
            region_code=incident.region_id,
            region_name=incident.region.name,
            tps_label=f"TPS {incident.tps.number:03d}" if incident.tps else "",
            summary=incident.description[:160],
        )
        for incident in feed
    )
    # Counted every time, not only when the feed is full: a page's query count must not
    # depend on its data.
    return entries, open_incidents.count()


# --- Snapshot changes --------------------------------------------------------------------------

_CORE_LABELS = {
    "tps_total": lambda: _("TPS aktif"),
    "tps_ready": lambda: _("TPS siap"),
    "tps_problem": lambda: _("TPS bermasalah"),
    "kecamatan_expected": lambda: _("Kecamatan wajib lapor"),
    "kecamatan_reported": lambda: _("Kecamatan melapor"),
    "kecamatan_late": lambda: _("Kecamatan terlambat"),
    "kabkota_expected": lambda: _("Desk kab/kota wajib lapor"),
    "kabkota_reported": lambda: _("Desk kab/kota melapor"),
    "kabkota_late": lambda: _("Desk kab/kota terlambat"),
    "has_own_report": lambda: _("Laporan desk sendiri"),
    "own_report_late": lambda: _("Laporan desk terlambat"),
}


def figure_label(figure: str) -> str:
    """A snapshot figure key in words: "tps_ready" → "TPS siap", "logistics.complete" →
    "Logistik lengkap", "incidents.open.tinggi" → "Insiden terbuka (Tinggi)"."""
    if figure in _CORE_LABELS:
        return _CORE_LABELS[figure]()
    section, _dot, rest = figure.partition(".")
    parts = rest.split(".")
    if section == "logistics":
        if rest == "complete":
            return _("Logistik lengkap")
        if len(parts) == 2 and parts[1] in FIELD_LABELS:
            return _("Logistik %(item)s: %(stage)s") % {
                "item": parts[0].replace("_", " "),
                "stage": FIELD_LABELS[parts[1]],
            }
    if section == "incidents":
        if parts[0] == "open" and len(parts) == 2 and parts[1] in Severity.values:
            return _("Insiden terbuka (%(severity)s)") % {"severity": Severity(parts[1]).label}
        if rest == "open":
            return _("Insiden terbuka")
        if parts[0] == "occurred":
            return _("Insiden terjadi")
    if section == "personnel" and len(parts) == 2:
        return _("Personel %(category)s: %(figure)s") % {
            "category": parts[0].replace("_", " "),
            "figure": parts[1].replace("_", " "),
        }
    return figure


def _formatted(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return _("ya") if value else _("tidak")
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return str(value)


def _snapshot_changes(
    *, region: Region, day: dt.date, names: dict[str, str]
) -> tuple[dt.datetime | None, tuple[ChangeLine, ...]]:
    """The province's snapshot time, and the changes since in the region and its rows.

    A province snapshot covers every kab/kota and kecamatan: the page lists only the region
    itself and the regions of its table, so a Sekda reads about what is on the screen.
    """
    province_code = codes.province_code(region.code)
    snapshot = snapshots.snapshot_for(province_code=province_code, day=day)
    if snapshot is None:
        return None, ()
    lines = tuple(
        ChangeLine(
            region_code=change.region_code,
            region_name=names[change.region_code],
            figure=change.field,
            label=figure_label(change.field),
            then=_formatted(change.then),
            now=_formatted(change.now),
        )
        for change in snapshots.changes_since_snapshot(province_code=province_code, day=day)
        if change.region_code in names
    )
    return snapshot.taken_at, lines


# --- Sorting -----------------------------------------------------------------------------------

_STATUS_RANK = {REPORT_MISSING: 0, REPORT_LATE: 1, REPORT_DONE: 2, REPORT_NOT_DUE: 3}


def _percent_key(value: float | None) -> float:
    return -1 if value is None else value


SORT_KEYS = {
    "wilayah": lambda row: row.code,
    "nama": lambda row: row.name.lower(),
    "tps": lambda row: _percent_key(row.tps_ready_percent),
    "bermasalah": lambda row: row.tps_problem,
    "logistik": lambda row: (
        row.logistics_complete,
        _percent_key(row.logistics_final.percent if row.logistics_final else None),
    ),
    "personel": lambda row: _percent_key(row.personnel_percent),
    "insiden": lambda row: tuple(row.incidents_open.get(s, 0) for s in SEVERITY_ORDER),
    "laporan": lambda row: _STATUS_RANK[row.report_status],
}
DEFAULT_SORT = "wilayah"


def dashboard_rows_sorted(rows: Sequence[DashboardRow], sort: str) -> tuple[DashboardRow, ...]:
    """Rows sorted by a column key; "-key" sorts descending. Unknown keys sort by code."""
    descending = sort.startswith("-")
    key = SORT_KEYS.get(sort.removeprefix("-"), SORT_KEYS[DEFAULT_SORT])
    # Ties keep code order, in both directions.
    ordered = sorted(rows, key=lambda row: row.code)
    return tuple(sorted(ordered, key=key, reverse=descending))


# --- TPS at risk ---------------------------------------------------------------------------


def tps_at_risk(*, region: Region, reason: str = "", vulnerability: str = "") -> QuerySet[TPS]:
    """Active TPS under the region that are bermasalah or sangat rawan, with their status,
    desa and kecamatan loaded (one query per page evaluated): bermasalah first, then by place.

    `reason` narrows to one problem (a TPSProblem value) or to "sangat_rawan"; `vulnerability`
    to one class.
    """
    rows = (
        TPS.objects.filter(is_active=True)
        .within(region.code)
        .filter(
            Q(status__readiness=TPSReadiness.PROBLEM)
            | Q(vulnerability=Vulnerability.HIGHLY_VULNERABLE)
        )
        .select_related("desa", "desa__parent", "status")
    )
    if reason == Vulnerability.HIGHLY_VULNERABLE:
        rows = rows.filter(vulnerability=Vulnerability.HIGHLY_VULNERABLE)
    elif reason:
        # problems is a JSON list of codes; matching the quoted code works on every backend.
        rows = rows.filter(
            status__readiness=TPSReadiness.PROBLEM, status__problems__icontains=f'"{reason}"'
        )
    if vulnerability:
        rows = rows.filter(vulnerability=vulnerability)
    problem_first = Case(
        When(status__readiness=TPSReadiness.PROBLEM, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return rows.annotate(problem_first=problem_first).order_by("problem_first", "desa_id", "number")
