"""The briefing exports (briefing.exports, briefing.views_exports): PDF, XLSX, CSV, and the job
that builds a big region's file in a worker.

The data is test_charts.filed_period's (Kota Balikpapan over three days), plus one TPS
bermasalah with a note and one sangat rawan TPS in Balikpapan Kota.
"""

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from briefing.exports import wilayah_table
from briefing.models import ExportJob, ExportStatus
from briefing.selectors import region_dashboard
from readiness.models import TPSReadiness, TPSStatus, Vulnerability
from readiness.rollups import rollup_rebuild_day
from readiness.selectors import local_today

from ..factories import RegionFactory, TPSFactory, UserFactory
from .test_charts import filed_period


@pytest.fixture
def today(tree, officer, neighbour_officer):
    day = filed_period(tree, officer, neighbour_officer)
    stations = {t.number: t for t in tree["64.71.06.1001"].tps_set.all()}
    TPSStatus.objects.create(
        tps=stations[1],
        readiness=TPSReadiness.PROBLEM,
        problems=["akses"],
        note="Jembatan putus, logistik lewat jalur sungai.",
        updated_by=officer,
        updated_at=timezone.now(),
    )
    stations[2].vulnerability = Vulnerability.HIGHLY_VULNERABLE
    stations[2].save()
    return day


@pytest.fixture
def viewer_client(client, province_viewer):
    client.force_login(province_viewer)
    return client


def export_url(code, kind, **query):
    url = reverse("briefing_export", args=[code, kind])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def squeezed(text: str) -> str:
    """Text without any whitespace: PDF extraction breaks lines wherever the layout did."""
    return re.sub(r"\s+", "", text)


def test_pdf_brief_holds_the_table_the_narrative_and_the_lists(viewer_client, tree, today):
    response = viewer_client.get(export_url("64.71", "pdf", tanggal=today.isoformat()))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"ringkasan-64.71-{today.isoformat()}.pdf" in response["Content-Disposition"]

    reader = PdfReader(io.BytesIO(response.content))
    assert reader.pages[0].mediabox.width == pytest.approx(595, abs=1)  # A4
    text = squeezed(" ".join(page.extract_text() for page in reader.pages))
    assert squeezed("Laporan harian Desk Pilkada") in text
    assert "H-4" in text
    for name in ("Wilayah64.71.01", "Wilayah64.71.06", "JumlahWilayah64.71"):
        assert name in text or name.removeprefix("Jumlah") in text
    translation.activate("id")
    dashboard = region_dashboard(region=tree["64.71"], day=today)
    assert dashboard.narrative and squeezed(dashboard.narrative[0]) in text
    assert "50,0%" in text  # TPS siap of the city, as the dashboard prints it
    assert "100,0%" in text  # Balikpapan Kota's row
    assert squeezed("Pembagian amplop di dekat TPS 002.") in text  # the kritis incident
    assert squeezed("Jembatan putus, logistik lewat jalur sungai.") in text  # TPS at risk
    assert squeezed("TPS siap per hari") in text  # the charts are drawn in
    assert "Pesanberantai" not in text  # low incidents stay out of the brief


def test_xlsx_has_a_sheet_per_section_and_its_wilayah_sheet_is_the_table(
    viewer_client, tree, today
):
    response = viewer_client.get(export_url("64.71", "xlsx", tanggal=today.isoformat()))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "Ringkasan",
        "Wilayah",
        "Logistik",
        "Personel",
        "Insiden",
        "TPS rawan",
    ]

    translation.activate("id")
    table = wilayah_table(region_dashboard(region=tree["64.71"], day=today))
    sheet = workbook["Wilayah"]
    rows = [tuple(cell for cell in row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == table.headers
    assert rows[1:] == [tuple(row) for row in table.rows]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width == 28
    city = rows[-1]
    assert city[2:6] == (12, 6, 50.0, 0)  # numbers stay numbers

    logistics = list(workbook["Logistik"].iter_rows(values_only=True))
    assert [row[0] for row in logistics[1:]] == ["kotak-suara", "tinta"]
    assert logistics[1][3] == 24  # required boxes
    tps = list(workbook["TPS rawan"].iter_rows(values_only=True))
    assert len(tps) == 3 and "Jembatan putus" in tps[1][8]
    incidents = list(workbook["Insiden"].iter_rows(values_only=True))
    assert len(incidents) == 4  # header + the three open incidents
    summary = [row for row in workbook["Ringkasan"].iter_rows(values_only=True)]
    assert any(
        row[1] == dashboard_sentence
        for row in summary
        for dashboard_sentence in [region_dashboard(region=tree["64.71"], day=today).narrative[0]]
    )


@pytest.mark.parametrize(
    ("table", "rows"),
    [("wilayah", 3), ("logistik", 2), ("personel", 9), ("insiden", 3), ("tps-rawan", 2)],
)
def test_csv_tables_stream_with_a_bom_and_parse_back(viewer_client, today, table, rows):
    response = viewer_client.get(export_url("64.71", "csv", tanggal=today.isoformat(), tabel=table))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    parsed = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(parsed) == rows + 1
    assert all(len(line) == len(parsed[0]) for line in parsed)


def test_csv_wilayah_figures_are_plain_numbers(viewer_client, today):
    response = viewer_client.get(export_url("64.71", "csv", tabel="wilayah"))
    parsed = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert parsed[0][:5] == ["Kode", "Wilayah", "TPS aktif", "TPS siap", "TPS siap (%)"]
    assert parsed[-1][2:5] == ["12", "6", "50.0"]


def test_bad_input_is_refused(viewer_client, today):
    assert viewer_client.get(export_url("64.71", "csv", tabel="rahasia")).status_code == 400
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert viewer_client.get(export_url("64.71", "pdf", tanggal=tomorrow)).status_code == 400
    assert viewer_client.get(export_url("64.71", "docx")).status_code == 404


def test_exports_outside_the_users_region_are_404(client, neighbour_officer, tree, today):
    client.force_login(neighbour_officer)
    for kind in ("pdf", "xlsx", "csv"):
        assert client.get(export_url("64.71.06", kind)).status_code == 404
        assert client.get(export_url("64.71", kind)).status_code == 404
    assert client.get(export_url("64.71.01", "csv")).status_code == 200


def test_anonymous_users_are_sent_to_log_in(client, today):
    response = client.get(export_url("64.71", "pdf"))
    assert response.status_code == 302 and "/masuk/" in response["Location"]


def test_a_big_region_builds_its_file_in_a_job(
    viewer_client, province_viewer, tree, today, settings, django_capture_on_commit_callbacks
):
    settings.DESK_EXPORT_ASYNC_KECAMATAN = 2  # the province has 3 kecamatan
    url = export_url("64", "xlsx", tanggal=today.isoformat())
    start = viewer_client.get(url)
    assert start.status_code == 200 and b"Siapkan berkas" in start.content
    assert not ExportJob.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = viewer_client.post(url)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("briefing_export_job", args=[job.pk])
    assert (job.requested_by, job.region_id, job.day, job.kind) == (
        province_viewer,
        "64",
        today,
        "xlsx",
    )
    assert job.status == ExportStatus.QUEUED

    page = viewer_client.get(response["Location"])
    assert b'hx-trigger="every 2s"' in page.content and b"<progress" in page.content
    fragment = viewer_client.get(response["Location"], headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content and b'id="export-job"' in fragment.content
    assert viewer_client.get(reverse("briefing_export_download", args=[job.pk])).status_code == 404

    for callback in callbacks:  # the worker (tasks run eagerly in tests)
        callback()
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.progress_done == job.progress_total

    done = viewer_client.get(response["Location"], headers={"HX-Request": "true"})
    assert b"every 2s" not in done.content  # polling stops
    download = reverse("briefing_export_download", args=[job.pk])
    assert download.encode() in done.content
    file = viewer_client.get(download)
    assert file.status_code == 200
    assert f"ringkasan-64-{today.isoformat()}.xlsx" in file["Content-Disposition"]
    assert "Wilayah" in load_workbook(io.BytesIO(file.content)).sheetnames

    # Running the task again (a redelivery) leaves the finished job as it is.
    from briefing.tasks import export_job_run_task

    export_job_run_task(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE


def test_a_big_region_pdf_job_runs_through_the_worker(
    viewer_client, today, settings, django_capture_on_commit_callbacks
):
    settings.DESK_EXPORT_ASYNC_KECAMATAN = 2
    with django_capture_on_commit_callbacks(execute=True):
        response = viewer_client.post(export_url("64", "pdf", tanggal=today.isoformat()))
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.DONE
    file = viewer_client.get(reverse("briefing_export_download", args=[job.pk]))
    assert file["Content-Type"] == "application/pdf"
    assert "Wilayah64.71" in squeezed(PdfReader(io.BytesIO(file.content)).pages[0].extract_text())
    assert response.status_code == 302


def test_csv_of_a_big_region_still_streams_at_once(viewer_client, today, settings):
    settings.DESK_EXPORT_ASYNC_KECAMATAN = 0
    response = viewer_client.get(export_url("64", "csv", tabel="tps-rawan"))
    assert isinstance(response, StreamingHttpResponse)
    assert not ExportJob.objects.exists()


def test_only_the_requester_sees_a_job(
    client, viewer_client, tree, today, settings, django_capture_on_commit_callbacks
):
    settings.DESK_EXPORT_ASYNC_KECAMATAN = 2
    with django_capture_on_commit_callbacks(execute=True):
        viewer_client.post(export_url("64", "xlsx"))
    job = ExportJob.objects.get()
    other = UserFactory(username="sekda.lain", region=tree["64"])
    client.force_login(other)
    assert client.get(reverse("briefing_export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("briefing_export_download", args=[job.pk])).status_code == 404


def _kabupaten_with(first: int, last: int) -> None:
    """Kecamatan `first`…`last` of kabupaten 64.08, each with a desa and a TPS."""
    RegionFactory(code="64.08")
    for number in range(first, last + 1):
        kecamatan = RegionFactory(code=f"64.08.{number:02d}")
        desa = RegionFactory(code=f"{kecamatan.code}.1001")
        TPSFactory(desa=desa, number=1)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if isinstance(response, StreamingHttpResponse):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


def test_export_queries_do_not_grow_with_children(viewer_client, tree, settings):
    settings.DESK_EXPORT_ASYNC_KECAMATAN = 1000
    day = local_today("64")
    urls = [export_url("64.08", kind) for kind in ("xlsx", "csv")]
    _kabupaten_with(1, 10)
    rollup_rebuild_day(day=day)
    few = [_queries(viewer_client, url) for url in urls]
    # More kecamatan than two digits allow are not valid codes; 99 is enough to show the trend.
    _kabupaten_with(11, 99)
    rollup_rebuild_day(day=day)
    many = [_queries(viewer_client, url) for url in urls]
    assert many == few
