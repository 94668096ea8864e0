"""Pages: the personnel section, the incident list, filing and following an incident."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from readiness.models import DailyReport, ReportStatus
from security.models import Incident, IncidentCategory, IncidentStatus, PersonnelLine

from ..factories import RegionFactory, TPSFactory
from .conftest import file_incident, local, make_incident

HTMX = {"HX-Request": "true"}


def personnel_url(code="64.71.06"):
    return reverse("personnel_report", args=[code])


def personnel_data(**overrides):
    data = {"kpps-ready": "40", "kpps-sick": "1", "kpps-absent": "1", "ppk-ready": "5"}
    data.update(overrides)
    return data


# Personnel ---------------------------------------------------------------------------------


def test_personnel_page_shows_what_is_required(client, officer):
    client.force_login(officer)
    response = client.get(personnel_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "6 TPS aktif, 2 desa/kelurahan, 1 kecamatan" in body
    assert '<tr data-category="kpps">' in body and ">42</td>" in body
    assert not DailyReport.objects.exists()  # reading creates nothing


def test_officer_saves_personnel_into_todays_draft(client, officer, day):
    client.force_login(officer)
    response = client.post(personnel_url(), personnel_data())
    assert response.status_code == 302
    report = DailyReport.objects.get()
    assert (report.region_id, report.day, report.status) == ("64.71.06", day, ReportStatus.DRAFT)
    lines = {line.category.code: line for line in PersonnelLine.objects.select_related("category")}
    assert set(lines) == {"kpps", "ppk"}
    assert (lines["kpps"].ready, lines["kpps"].unavailable) == (40, 2)
    page = client.get(personnel_url()).content.decode()
    assert 'value="40"' in page and "95,2%" in page  # 40 of 42


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kpps-ready", "-3", "Tidak boleh negatif."),
        ("kpps-ready", "dua", "Harus berupa bilangan bulat."),
        ("kpps-ready", "4.5", "Harus berupa bilangan bulat."),
        ("kpps-sick", "100000", "paling banyak 126"),
        ("ppk-sick", "2", None),  # fine on its own; see the next test for a missing ready
    ],
)
def test_bad_personnel_figures_are_refused_and_kept(client, officer, field, value, message):
    client.force_login(officer)
    response = client.post(personnel_url(), personnel_data(**{field: value, "linmas-ready": "11"}))
    if message is None:
        assert response.status_code == 302
        return
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert f'value="{value}"' in body and 'value="11"' in body  # typed values survive
    assert not DailyReport.objects.exists() and not PersonnelLine.objects.exists()


def test_unavailable_without_ready_is_refused(client, officer):
    client.force_login(officer)
    response = client.post(personnel_url(), {"tni-sick": "1"})
    assert response.status_code == 400
    assert "Isi jumlah yang siap" in response.content.decode()


def test_a_verified_report_cannot_take_personnel(client, officer, draft):
    draft.status = ReportStatus.VERIFIED
    draft.submitted_by, draft.submitted_at = officer, timezone.now()
    draft.save()
    client.force_login(officer)
    response = client.post(personnel_url(), personnel_data())
    assert response.status_code == 400
    assert "sudah diverifikasi" in response.content.decode()
    assert not PersonnelLine.objects.exists()


def test_personnel_page_is_404_outside_and_403_for_readers(
    client, neighbour_officer, province_viewer, city_officer
):
    client.force_login(neighbour_officer)
    assert client.get(personnel_url()).status_code == 404
    client.force_login(province_viewer)
    assert client.get(personnel_url()).status_code == 403
    client.force_login(city_officer)  # the kab/kota desk files its own, not its kecamatan's
    assert client.post(personnel_url(), personnel_data()).status_code == 403
    assert not PersonnelLine.objects.exists()


def test_htmx_personnel_post_gets_the_fragment_and_an_event(client, officer):
    client.force_login(officer)
    response = client.post(personnel_url(), personnel_data(), headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<form id="personnel-form"')
    assert "<html" not in body and "Data personel hari ini tersimpan." in body
    assert response.headers["HX-Trigger"] == '{"report-saved": {}}'

    response = client.post(personnel_url(), personnel_data(**{"kpps-ready": "-1"}), headers=HTMX)
    assert response.status_code == 200 and "HX-Trigger" not in response.headers
    assert "Tidak boleh negatif." in response.content.decode()


def test_personnel_page_queries_do_not_grow_with_tps(client, officer, tree):
    client.force_login(officer)
    client.post(personnel_url(), personnel_data())

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(personnel_url()).status_code == 200
        return len(captured)

    before = queries()
    assert before <= 10
    for number in range(10, 60):
        TPSFactory(desa=tree["64.71.06.1001"], number=number)
    assert queries() == before


# Incident list -----------------------------------------------------------------------------


def list_url(code="64.71.06"):
    return reverse("incident_list", args=[code])


def test_viewer_reads_the_incidents_below_and_filters_them(client, officer, province_viewer, tree):
    first = file_incident(officer, tree["64.71.06"], description="Satu")
    second = file_incident(officer, tree["64.71.06.1001"], severity="kritis")
    client.force_login(province_viewer)
    body = client.get(list_url("64")).content.decode()
    assert f'data-incident="{first.pk}"' in body and f'data-incident="{second.pk}"' in body
    assert "Laporkan insiden" not in body  # a reader files nothing

    body = client.get(list_url("64"), {"severity": "kritis"}).content.decode()
    assert f'data-incident="{first.pk}"' not in body and f'data-incident="{second.pk}"' in body
    body = client.get(list_url("64.72")).content.decode()
    assert "Tidak ada insiden yang cocok." in body


def test_list_filters_by_day_and_shows_bad_filters(client, officer, tree, day):
    # Noon of the local yesterday: "now minus a day" is two local days back just after midnight.
    yesterday = make_incident(officer, "64.71.06", local(day - dt.timedelta(days=1), 12))
    client.force_login(officer)
    body = client.get(
        list_url(), {"tanggal": (day - dt.timedelta(days=1)).isoformat()}
    ).content.decode()
    assert f'data-incident="{yesterday.pk}"' in body
    response = client.get(list_url(), {"tanggal": "kemarin", "status": "tidak-ada"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tanggal tidak dikenali." in body
    assert f'data-incident="{yesterday.pk}"' in body  # a bad filter filters nothing


def test_list_is_404_outside_the_users_region(client, neighbour_officer):
    client.force_login(neighbour_officer)
    assert client.get(list_url("64.71.06")).status_code == 404
    assert client.get(list_url("64.71")).status_code == 404


def test_htmx_list_request_gets_only_the_list(client, officer):
    client.force_login(officer)
    response = client.get(list_url(), {"status": "dilaporkan"}, headers=HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="incident-list"')
    assert "<html" not in body


def test_list_queries_do_not_grow_with_incidents_or_tps(client, officer, province_viewer, tree):
    client.force_login(province_viewer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(list_url("64")).status_code == 200
        return len(captured)

    file_incident(officer, tree["64.71.06"])
    queries()  # warm the session and zone caches
    before = queries()
    assert before <= 8
    for number in range(30):
        make_incident(officer, "64.71.06.1001", timezone.now() - dt.timedelta(minutes=number))
        TPSFactory(desa=tree["64.71.06.1002"], number=number + 10)
    desa = RegionFactory(code="64.71.06.1003")
    tps = TPSFactory(desa=desa, number=1)
    make_incident(officer, desa.code, timezone.now(), tps=tps)
    assert queries() == before


# Filing ------------------------------------------------------------------------------------


def create_url(code="64.71.06"):
    return reverse("incident_create", args=[code])


def incident_data(**overrides):
    data = {
        "place": "64.71.06.1001",
        "tps_number": "2",
        "category": str(IncidentCategory.objects.get(code="politik-uang").pk),
        "severity": "",
        "occurred_at": timezone.localtime(timezone.now() - dt.timedelta(hours=2)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "description": "Pembagian amplop di dekat TPS 002.",
        "actions_taken": "Dilaporkan ke Panwascam.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_officer_files_an_incident_at_a_tps(client, officer, tree):
    client.force_login(officer)
    form = client.get(create_url()).content.decode()
    assert "— Wilayah 64.71.06.1001 (64.71.06.1001)" in form
    assert "64.71.01" not in form  # nothing outside the assignment is offered

    response = client.post(create_url(), incident_data())
    incident = Incident.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "incident_detail", args=[incident.pk]
    )
    assert (incident.region_id, incident.tps.number, incident.status) == (
        "64.71.06.1001",
        2,
        IncidentStatus.REPORTED,
    )
    assert incident.severity == "tinggi"  # the category's default
    # Typed in WITA: stored as the same moment.
    expected = timezone.now() - dt.timedelta(hours=2)
    assert abs(incident.occurred_at - expected) < dt.timedelta(minutes=2)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"place": "64.71.01.1001"}, "Pilih tempat di dalam wilayah tugas Anda."),
        ({"place": "64.71.06", "tps_number": "1"}, "pilih desa/kelurahannya"),
        ({"tps_number": "9"}, "TPS 009 tidak ada di Wilayah 64.71.06.1001."),
        ({"tps_number": "-2"}, "Nomor TPS mulai dari 1."),
        ({"occurred_at": "2099-01-01T10:00"}, "tidak boleh di masa depan"),
        ({"occurred_at": "besok pagi"}, "Waktu kejadian tidak dikenali"),
        ({"description": "x" * 4001}, "Uraian paling banyak 4000 karakter (sekarang 4001)."),
        ({"description": ""}, "Uraikan apa yang terjadi."),
        ({"severity": "darurat"}, "Pilih tingkat yang tersedia."),
    ],
)
def test_bad_incidents_are_refused_in_indonesian_and_kept(client, officer, overrides, message):
    client.force_login(officer)
    response = client.post(create_url(), incident_data(**overrides))
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert "Dilaporkan ke Panwascam." in body  # the rest of what was typed is kept
    assert not Incident.objects.exists()


def test_filing_is_404_outside_and_403_for_readers(client, neighbour_officer, province_viewer):
    client.force_login(neighbour_officer)
    assert client.get(create_url()).status_code == 404
    assert client.post(create_url(), incident_data()).status_code == 404
    client.force_login(province_viewer)
    assert client.get(create_url()).status_code == 403
    assert client.post(create_url(), incident_data()).status_code == 403
    assert not Incident.objects.exists()


def test_city_desk_files_from_its_own_page(client, city_officer):
    client.force_login(city_officer)
    response = client.post(
        create_url("64.71"), incident_data(place="64.71.01.1002", tps_number=None)
    )
    assert response.status_code == 302
    assert Incident.objects.get().region_id == "64.71.01.1002"


def test_htmx_filing_redirects_or_returns_the_form(client, officer):
    client.force_login(officer)
    response = client.post(create_url(), incident_data(description=""), headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<form id="incident-form"') and "<html" not in body

    response = client.post(create_url(), incident_data(), headers=HTMX)
    assert response.headers["HX-Redirect"] == reverse(
        "incident_detail", args=[Incident.objects.get().pk]
    )


# Detail and status -------------------------------------------------------------------------


def detail_url(incident):
    return reverse("incident_detail", args=[incident.pk])


def test_detail_shows_the_timeline_and_moves_the_incident_on(client, officer, tree):
    incident = file_incident(officer, tree["64.71.06"])
    client.force_login(officer)
    page = client.get(detail_url(incident)).content.decode()
    assert "Pesan berantai soal TPS pindah lokasi." in page
    assert '<option value="terverifikasi">' in page
    assert '<option value="ditangani">' not in page  # not allowed from "dilaporkan"

    response = client.post(
        detail_url(incident), {"status": "terverifikasi", "note": "Dicek Babinsa"}
    )
    assert response.status_code == 302
    page = client.get(detail_url(incident)).content.decode()
    assert "Dilaporkan → <strong>Terverifikasi</strong>" in page and "Dicek Babinsa" in page


def test_disallowed_status_is_refused_with_the_note_kept(client, officer, tree):
    incident = file_incident(officer, tree["64.71.06"])
    client.force_login(officer)
    response = client.post(detail_url(incident), {"status": "selesai", "note": ""})
    body = response.content.decode()
    assert response.status_code == 400
    assert "alasan insiden ditutup" in body
    response = client.post(detail_url(incident), {"status": "ditangani", "note": "catatan saya"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "tidak dapat dipilih dari status sekarang" in body and "catatan saya" in body
    assert incident.updates.count() == 1


def test_detail_is_404_outside_and_403_for_readers_updating(
    client, officer, neighbour_officer, province_viewer, tree
):
    incident = file_incident(officer, tree["64.71.06"])
    client.force_login(neighbour_officer)
    assert client.get(detail_url(incident)).status_code == 404
    assert client.post(detail_url(incident), {"status": "terverifikasi"}).status_code == 404
    client.force_login(province_viewer)
    page = client.get(detail_url(incident))
    assert page.status_code == 200 and "Perbarui status" not in page.content.decode()
    assert client.post(detail_url(incident), {"status": "terverifikasi"}).status_code == 403
    assert client.get(reverse("incident_detail", args=[incident.pk + 99])).status_code == 404


def test_htmx_status_update_gets_the_status_fragment(client, officer, tree):
    incident = file_incident(officer, tree["64.71.06"])
    client.force_login(officer)
    response = client.post(
        detail_url(incident), {"status": "terverifikasi", "note": ""}, headers=HTMX
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="incident-status"') and "<html" not in body
    assert response.headers["HX-Trigger"] == '{"incident-changed": {}}'
    assert 'data-testid="incident-status">Terverifikasi<' in body


def test_detail_queries_do_not_grow_with_the_timeline(client, officer, tree):
    incident = file_incident(officer, tree["64.71.06"])
    client.force_login(officer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(detail_url(incident)).status_code == 200
        return len(captured)

    queries()
    before = queries()
    assert before <= 6
    for number in range(10):
        client.post(detail_url(incident), {"status": "dilaporkan", "note": f"Catatan {number}"})
    assert queries() == before
