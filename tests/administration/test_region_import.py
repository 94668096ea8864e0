import pytest

from administration.models import ImportStatus
from readiness.models import Region

from .conftest import apply, last_job, upload

REGIONS = (
    "kode,nama\n64.71.07,Balikpapan Baru\n64.71.07.1001,Sepinggan Baru\n64.71.01,Balikpapan Timur\n"
)


@pytest.mark.django_db
def test_regions_preview_and_apply_reuse_the_kemendagri_import(client, province_admin):
    Region.objects.filter(code="64.71.01").update(name="Lama")
    client.force_login(province_admin)
    upload(client, "wilayah", REGIONS)
    job = last_job()

    assert job.status == ImportStatus.PREVIEWED, job.errors
    assert (job.created_count, job.updated_count, job.unchanged_count) == (2, 1, 0)
    assert not Region.objects.filter(code="64.71.07").exists(), "a preview writes nothing"
    assert job.samples["updated"][0]["detail"] == "Lama → Balikpapan Timur"

    apply(client, job)
    assert Region.objects.get(code="64.71.07.1001").parent_id == "64.71.07"

    upload(client, "wilayah", REGIONS)
    again = last_job()
    apply(client, again)
    again.refresh_from_db()
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)


@pytest.mark.django_db
def test_region_errors_name_line_and_column(client, province_admin):
    client.force_login(province_admin)
    upload(
        client,
        "wilayah",
        "kode,nama\n64.71.07,Baru\n64.7X,Salah\n64.71.07,Lagi\n13,SUMATERA BARAT\n",
    )
    job = last_job()
    errors = {line: (column, message) for line, column, message in job.errors}

    assert job.status == ImportStatus.REFUSED
    assert errors[3][0] == "kode" and "64.7X" in errors[3][1]
    assert "sudah ada di baris 2" in errors[4][1]
    assert "di luar wilayah Anda" in errors[5][1]
    assert not Region.objects.filter(code="64.71.07").exists()


@pytest.mark.django_db
def test_region_export_round_trips(client, national_admin):
    client.force_login(national_admin)
    upload(client, "wilayah", "kode,nama\n64,KALIMANTAN TIMUR\n64.71,KOTA BALIKPAPAN\n")
    apply(client, last_job())
    exported = client.get("/kelola/ekspor/wilayah/").content.decode().replace("\r\n", "\n")
    assert exported == "kode,nama\n64,KALIMANTAN TIMUR\n64.71,KOTA BALIKPAPAN\n"
