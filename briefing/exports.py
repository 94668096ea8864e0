"""The briefing exports: the daily brief as PDF (WeasyPrint), XLSX (openpyxl) and CSV.

Every export reads the same figures as the dashboard (briefing.selectors.region_dashboard) plus
a few tables of the region itself, in a fixed number of queries whatever the number of child
regions, TPS or incidents; tables are plain rows of numbers and text (`Table`), written once
per format. Numbers stay numbers: percentages are floats rounded to one decimal (as the page
shows them), counts are ints; only the PDF formats them, the Indonesian way.

Big scopes (more than DESK_EXPORT_ASYNC_KECAMATAN kecamatan under the region) build their PDF
or XLSX in a Celery worker: an ExportJob row carries the request, the progress and, when done,
the file's bytes (web and worker share only the database). CSV tables are always streamed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from logistics.models import FIELD_LABELS, Stage
from logistics.selectors import RegionLogistics, logistics_rollup_rows
from readiness.models import TPS, Region, RegionLevel, TPSReadiness, User
from security.models import Incident, IncidentStatus, Severity
from security.selectors import PersonnelRollupRow, incidents_within, personnel_rollup_rows

from . import selectors
from .models import ExportJob, ExportKind, ExportStatus
from .selectors import SEVERITY_ORDER, Dashboard
from .trends import Trends, region_trends

logger = logging.getLogger(__name__)

CSV_TABLES = ("wilayah", "logistik", "personel", "insiden", "tps-rawan")
# The PDF is read at a meeting table: beyond this many TPS at risk it lists the first ones and
# points to the XLSX, which has them all.
PDF_TPS_LIMIT = 100
SERIOUS = (Severity.CRITICAL, Severity.HIGH)
CONTENT_TYPES = {
    ExportKind.PDF: "application/pdf",
    ExportKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


# --- Reads -------------------------------------------------------------------------------------


def open_incidents(*, region: Region, day: dt.date, zone) -> Iterator[Incident]:
    """Incidents under the region that had occurred by the end of `day` and are not closed,
    the most serious first, then newest: one query, streamed."""
    end_of_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return (
        incidents_within(region.code)
        .filter(occurred_at__lt=end_of_day)
        .exclude(status=IncidentStatus.CLOSED)
        .select_related("region", "category", "tps")
        .order_by("-occurred_at", "-id")
        .iterator(chunk_size=2000)
    )


@dataclass(frozen=True)
class Brief:
    """What the PDF and the XLSX show of a region on a day, read in a fixed number of queries."""

    dashboard: Dashboard
    trends: Trends
    logistics: RegionLogistics | None
    personnel: tuple[PersonnelRollupRow, ...]
    incidents: tuple[Incident, ...]
    tps_at_risk: tuple[TPS, ...]

    @property
    def as_of_local(self) -> dt.datetime | None:
        as_of = self.dashboard.as_of
        return as_of.astimezone(self.dashboard.zone) if as_of else None

    @property
    def serious_incidents(self) -> tuple[Incident, ...]:
        ranked = sorted(
            (incident for incident in self.incidents if incident.severity in SERIOUS),
            key=lambda incident: SEVERITY_ORDER.index(incident.severity),
        )
        return tuple(ranked)


def brief_build(*, region: Region, day: dt.date) -> Brief:
    """Every figure of the brief. Read-only; the caller has checked access."""
    dashboard = selectors.region_dashboard(region=region, day=day)
    return Brief(
        dashboard=dashboard,
        trends=region_trends(region_code=region.code, day=day),
        logistics=logistics_rollup_rows(region_codes=[region.code], day=day).get(region.code),
        personnel=tuple(personnel_rollup_rows(region_codes=[region.code], day=day)[region.code]),
        incidents=tuple(open_incidents(region=region, day=day, zone=dashboard.zone)),
        tps_at_risk=tuple(selectors.tps_at_risk(region=region)),
    )


# --- Tables ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    key: str  # ?tabel= of the CSV
    title: str  # the XLSX sheet's name (at most 31 characters)
    headers: tuple[str, ...]
    rows: Iterable[tuple]
    # Column widths in characters for the XLSX; the CSV ignores them.
    widths: tuple[int, ...]


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _yes_no(value: bool) -> str:
    return _("Ya") if value else _("Tidak")


def _local(moment: dt.datetime | None, zone) -> dt.datetime | None:
    """A naive local time: spreadsheets have no time zones, so the zone goes in the header."""
    return timezone.localtime(moment, zone).replace(tzinfo=None) if moment else None


def wilayah_table(dashboard: Dashboard) -> Table:
    """The dashboard's table: one row per child region, then the region's total ("Jumlah")."""
    stages = [figure.stage for figure in dashboard.totals.logistics]
    # A province's rows are kab/kota: how many of their kecamatan desks reported is a column.
    desks = dashboard.region.level == RegionLevel.PROVINSI
    headers = [
        _("Kode"),
        _("Wilayah"),
        _("TPS aktif"),
        _("TPS siap"),
        _("TPS siap (%)"),
        _("TPS bermasalah"),
        *(
            _("Logistik %(stage)s (%%)") % {"stage": FIELD_LABELS[stage].lower()}
            for stage in stages
        ),
        _("Logistik lengkap"),
        _("Personel kebutuhan"),
        _("Personel siap"),
        _("Personel siap (%)"),
        *(
            _("Insiden terbuka: %(severity)s") % {"severity": label}
            for _code, label in dashboard.severity_columns
        ),
        _("Laporan hari ini"),
    ]
    if desks:
        headers += [_("Kecamatan wajib lapor"), _("Kecamatan melapor")]

    def row(line, name: str) -> tuple:
        by_stage = {figure.stage: figure for figure in line.logistics}
        cells = [
            line.code,
            name,
            line.tps_total,
            line.tps_ready,
            _percent(line.tps_ready, line.tps_total),
            line.tps_problem,
            *(
                # Whole percent rounded down, as the dashboard shows it: 100 only when complete.
                by_stage[stage].percent if stage in by_stage else None
                for stage in stages
            ),
            _yes_no(line.logistics_complete),
            line.personnel_required,
            line.personnel_ready,
            _percent(line.personnel_ready, line.personnel_required),
            *(line.incidents_open.get(code, 0) for code in SEVERITY_ORDER),
            line.report_label,
        ]
        if desks:
            cells += [line.desks_expected, line.desks_reported]
        return tuple(cells)

    rows = [row(line, line.name) for line in dashboard.rows]
    rows.append(row(dashboard.totals, _("Jumlah %(region)s") % {"region": dashboard.region.name}))
    widths = (14, 28, 10, 10, 12, 14, *([16] * len(stages)), 14, 14, 12, 14, 12, 12, 12, 12, 16)
    return Table(
        key="wilayah",
        title=_("Wilayah"),
        headers=tuple(headers),
        rows=rows,
        widths=widths + ((16, 16) if desks else ()),
    )


def logistik_table(logistics: RegionLogistics | None) -> Table:
    """The region's own logistics per item: requirement, each stage, damaged and short."""
    stages = logistics.stages if logistics else tuple(Stage.values)
    headers = (
        _("Kode"),
        _("Barang"),
        _("Satuan"),
        _("Kebutuhan"),
        *(str(FIELD_LABELS[stage]) for stage in stages),
        _("Diterima KPPS (%)"),
        _("Rusak"),
        _("Kurang"),
        _("Kecamatan lengkap"),
        _("Kecamatan membutuhkan"),
        _("Lengkap"),
    )
    rows = (
        (
            item.item.code,
            item.item.name,
            item.item.unit,
            item.required,
            *(getattr(item, stage) for stage in stages),
            _percent(item.received_kpps, item.required),
            item.damaged,
            item.short,
            item.units_complete,
            item.units_expected,
            _yes_no(item.is_complete),
        )
        for item in (logistics.items if logistics else ())
    )
    return Table(
        key="logistik",
        title=_("Logistik"),
        headers=headers,
        rows=rows,
        widths=(16, 28, 10, 12, *([16] * len(stages)), 14, 10, 10, 14, 16, 10),
    )


def personel_table(rows: Iterable[PersonnelRollupRow]) -> Table:
    return Table(
        key="personel",
        title=_("Personel"),
        headers=(
            _("Kode"),
            _("Kategori"),
            _("Kebutuhan"),
            _("Siap"),
            _("Siap (%)"),
            _("Berhalangan: sakit"),
            _("Berhalangan: tidak hadir"),
            _("Desk melapor"),
            _("Desk dengan angka lama"),
        ),
        rows=(
            (
                row.category.code,
                row.category.name,
                row.required,
                row.ready,
                None if row.coverage_percent is None else round(row.coverage_percent, 1),
                row.unavailable_sick,
                row.unavailable_absent,
                row.units_reporting,
                row.stale_units,
            )
            for row in rows
        ),
        widths=(16, 28, 12, 10, 10, 18, 22, 14, 22),
    )


def insiden_table(incidents: Iterable[Incident], *, zone_label: str, zone) -> Table:
    """Open incidents (not closed by the end of the day) under the region."""
    return Table(
        key="insiden",
        title=_("Insiden"),
        headers=(
            _("No."),
            _("Waktu (%(zone)s)") % {"zone": zone_label},
            _("Kode wilayah"),
            _("Wilayah"),
            _("TPS"),
            _("Kategori"),
            _("Tingkat"),
            _("Status"),
            _("Uraian"),
            _("Tindakan"),
        ),
        rows=(
            (
                incident.pk,
                _local(incident.occurred_at, zone),
                incident.region_id,
                incident.region.name,
                incident.tps.number if incident.tps else None,
                incident.category.name,
                incident.get_severity_display(),
                incident.get_status_display(),
                incident.description,
                incident.actions_taken,
            )
            for incident in incidents
        ),
        widths=(8, 18, 16, 24, 6, 24, 10, 14, 60, 40),
    )


def tps_rawan_table(stations: Iterable[TPS], *, zone) -> Table:
    """TPS bermasalah or sangat rawan, with their problems and the latest note."""

    def cells(station: TPS) -> tuple:
        status = getattr(station, "status", None)
        return (
            station.desa.parent.name if station.desa.parent_id else "",
            station.desa_id,
            station.desa.name,
            station.number,
            station.dpt,
            station.get_vulnerability_display(),
            status.get_readiness_display() if status else str(TPSReadiness.NOT_READY.label),
            ", ".join(map(str, status.problem_labels())) if status else "",
            status.note if status else "",
            _local(status.updated_at, zone) if status else None,
        )

    return Table(
        key="tps-rawan",
        title=_("TPS rawan"),
        headers=(
            _("Kecamatan"),
            _("Kode desa/kelurahan"),
            _("Desa/kelurahan"),
            _("Nomor TPS"),
            _("DPT"),
            _("Kerawanan"),
            _("Status"),
            _("Masalah"),
            _("Catatan terakhir"),
            _("Diubah pada"),
        ),
        rows=(cells(station) for station in stations),
        widths=(22, 16, 24, 10, 8, 14, 14, 30, 50, 18),
    )


def ringkasan_rows(brief: Brief) -> list[tuple[str, object]]:
    """The summary sheet: what the brief's first page says, as label–value pairs."""
    dashboard = brief.dashboard
    totals = dashboard.totals
    coverage = dashboard.coverage
    as_of = brief.as_of_local
    rows: list[tuple[str, object]] = [
        (_("Wilayah"), f"{dashboard.region.code} {dashboard.region.name}"),
        (_("Tanggal"), dashboard.day),
        (
            _("Data per"),
            f"{as_of:%H.%M} {dashboard.zone_label}" if as_of else _("belum ada rekap"),
        ),
        *((str(countdown.contest), countdown.label) for countdown in dashboard.countdowns),
        ("", ""),
        (_("Ringkasan"), ""),
        *(("", sentence) for sentence in dashboard.narrative),
        ("", ""),
        (_("TPS aktif"), totals.tps_total),
        (_("TPS siap"), totals.tps_ready),
        (_("TPS siap (%)"), _percent(totals.tps_ready, totals.tps_total)),
        (_("TPS bermasalah"), totals.tps_problem),
        (_("Logistik lengkap"), _yes_no(totals.logistics_complete)),
        (_("Personel siap (%)"), _percent(totals.personnel_ready, totals.personnel_required)),
        (_("Insiden terbuka"), totals.incidents_open_total),
        ("", ""),
        (_("Kelengkapan laporan"), ""),
        (_("Wajib lapor"), len(coverage.expected)),
        (_("Sudah melapor"), len(coverage.reported)),
        (_("Tepat waktu"), len(coverage.on_time)),
        (_("Terlambat"), ", ".join(coverage.late) or "–"),
        (_("Belum melapor"), ", ".join(coverage.missing) or "–"),
    ]
    return rows


# --- CSV -----------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write returns the line: csv.writer feeds a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_table(*, region: Region, day: dt.date, table: str) -> Table:
    """One table for the CSV, reading only what that table needs (streamed where it is big)."""
    if table == "wilayah":
        return wilayah_table(selectors.region_dashboard(region=region, day=day))
    if table == "logistik":
        return logistik_table(
            logistics_rollup_rows(region_codes=[region.code], day=day).get(region.code)
        )
    if table == "personel":
        return personel_table(
            personnel_rollup_rows(region_codes=[region.code], day=day)[region.code]
        )
    from readiness.selectors import province_zone, zone_label

    zone = province_zone(region.code)
    if table == "insiden":
        return insiden_table(
            open_incidents(region=region, day=day, zone=zone),
            zone_label=zone_label(zone),
            zone=zone,
        )
    if table == "tps-rawan":
        return tps_rawan_table(
            selectors.tps_at_risk(region=region).iterator(chunk_size=2000), zone=zone
        )
    raise ValueError(table)


def csv_lines(table: Table) -> Iterator[str]:
    """The table as CSV lines, UTF-8 with a byte-order mark first: without it Excel reads the
    file as the Windows code page and garbles every non-ASCII name."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(table.headers)
    for row in table.rows:
        yield writer.writerow(
            [value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value for value in row]
        )


# --- XLSX ----------------------------------------------------------------------------------


def brief_xlsx(brief: Brief) -> bytes:
    """One sheet per section; numbers as numbers, header row frozen, columns sized."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    dashboard = brief.dashboard
    workbook = Workbook()
    summary = workbook.active
    summary.title = _("Ringkasan")
    summary.append([_("Laporan harian Desk Pilkada"), dashboard.region.name])
    summary["A1"].font = Font(bold=True, size=13)
    for label, value in ringkasan_rows(brief):
        summary.append([label, value])
    summary.column_dimensions["A"].width = 36
    summary.column_dimensions["B"].width = 110
    for cell in summary["B"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if isinstance(cell.value, dt.date):
            cell.number_format = "DD-MM-YYYY"
        elif isinstance(cell.value, float):
            cell.number_format = "0.0"
    summary.freeze_panes = "A2"

    zone = dashboard.zone
    tables = (
        wilayah_table(dashboard),
        logistik_table(brief.logistics),
        personel_table(brief.personnel),
        insiden_table(brief.incidents, zone_label=dashboard.zone_label, zone=zone),
        tps_rawan_table(brief.tps_at_risk, zone=zone),
    )
    for table in tables:
        _xlsx_sheet(workbook, table, Font)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_sheet(workbook, table: Table, font_class) -> None:
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(table.title[:31])
    sheet.append(list(table.headers))
    for cell in sheet[1]:
        cell.font = font_class(bold=True)
    for row in table.rows:
        sheet.append(list(row))
    for index, width in enumerate(table.widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, float):
                cell.number_format = "0.0"
            elif isinstance(cell.value, dt.datetime):
                cell.number_format = "DD-MM-YYYY HH:MM"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


# --- PDF -----------------------------------------------------------------------------------


def brief_pdf(brief: Brief, *, generated_at: dt.datetime | None = None) -> bytes:
    """The A4 daily brief for the Monday rakor, rendered by WeasyPrint from
    briefing/pdf/brief.html. Charts are inline SVG, fonts are the system's (DejaVu in the
    image): nothing is fetched while rendering."""
    from weasyprint import HTML

    dashboard = brief.dashboard
    stations = brief.tps_at_risk
    html = render_to_string(
        "briefing/pdf/brief.html",
        {
            "brief": brief,
            "dashboard": dashboard,
            "trends": brief.trends,
            "as_of": brief.as_of_local,
            "generated_at": timezone.localtime(generated_at or timezone.now(), dashboard.zone),
            "serious_incidents": brief.serious_incidents,
            "stations": stations[:PDF_TPS_LIMIT],
            "stations_more": max(len(stations) - PDF_TPS_LIMIT, 0),
            "lang": translation.get_language() or settings.LANGUAGE_CODE,
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


# --- Files ---------------------------------------------------------------------------------


def export_file_name(*, region: Region, day: dt.date, kind: str, table: str = "") -> str:
    """ringkasan-64.71-2024-11-25.pdf: ASCII only, so every browser keeps it as it is."""
    stem = f"tabel-{table}" if table else "ringkasan"
    return f"{stem}-{region.code}-{day.isoformat()}.{kind}"


def export_render(
    *, region: Region, day: dt.date, kind: str, progress: Callable[[int], None] = lambda _d: None
) -> bytes:
    """The PDF or XLSX bytes of the brief; `progress(done)` is called after each of its steps."""
    brief = brief_build(region=region, day=day)
    progress(1)
    content = brief_pdf(brief) if kind == ExportKind.PDF else brief_xlsx(brief)
    progress(2)
    return content


def kecamatan_under(region: Region) -> int:
    if region.level >= RegionLevel.KECAMATAN:
        return 0
    return (
        Region.objects.below(region.code)
        .filter(level=RegionLevel.KECAMATAN, is_active=True)
        .count()
    )


def export_runs_async(*, region: Region, kind: str) -> bool:
    """A PDF or XLSX of more than DESK_EXPORT_ASYNC_KECAMATAN kecamatan goes to a worker: a
    province's brief reads and renders for longer than a web request should wait. CSV tables
    stream row by row, so they never need one. One query."""
    if kind == "csv":
        return False
    return kecamatan_under(region) > settings.DESK_EXPORT_ASYNC_KECAMATAN


# --- Jobs ----------------------------------------------------------------------------------

EXPORT_STEPS = 3  # read the figures, render the file, store it


def export_job_start(*, user: User, region: Region, day: dt.date, kind: str) -> ExportJob:
    """Record the request and hand it to a worker once the row is committed.

    Who may call it: a view that has checked the user may see the region.
    """
    job = ExportJob.objects.create(
        requested_by=user,
        region=region,
        day=day,
        kind=kind,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        progress_total=EXPORT_STEPS,
    )
    from .tasks import export_job_run_task

    transaction.on_commit(lambda: export_job_run_task.delay(job.pk))
    return job


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Build the job's file and store it on the row.

    Idempotent: a finished job is left as it is; a job whose worker died (acks_late delivers it
    again) is rebuilt from the figures, which only read. Two runs at once both write the same
    kind of file, and the last one stays. A failure is recorded on the job, not retried: the
    user asks again.
    """
    job = ExportJob.objects.defer("content").select_related("region").filter(pk=job_id).first()
    if job is None or job.status == ExportStatus.DONE:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress_done=0)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(progress_done=done)

    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            content = export_render(
                region=job.region, day=job.day, kind=job.kind, progress=progress
            )
    except Exception:
        logger.exception("Export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, finished_at=timezone.now()
        )
        return job
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE,
        content=content,
        file_size=len(content),
        file_name=export_file_name(region=job.region, day=job.day, kind=job.kind),
        progress_done=EXPORT_STEPS,
        finished_at=timezone.now(),
    )
    job.refresh_from_db(fields=["status", "file_size", "file_name", "progress_done", "finished_at"])
    return job


def export_job_percent(job: ExportJob) -> int:
    return min(100, job.progress_done * 100 // max(job.progress_total, 1))


def day_label(day: dt.date) -> str:
    return formats.date_format(day, "l, j F Y")
