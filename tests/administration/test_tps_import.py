import io
from decimal import Decimal

import openpyxl
import pytest

from administration import importers
from administration.models import ImportJob, ImportStatus
from readiness.models import TPS, DailyRollup, Region, Role
from readiness.selectors import local_today
from tests.factories import UserFactory

from .conftest import TPS_HEADER, apply, last_job, upload

# Two new TPS in 64.71.06.1001 (numbers 4, 5) and one update of TPS 1 there (tree has 1–3).
GOOD = TPS_HEADER + (
    "64.71.06.1001,1,250,260,reguler,rawan,ya,tidak,-1.265386,116.831200\n"
    "64.71.06.1001,4,150,160,lokasi_khusus,kurang_rawan,tidak,tidak,,\n"
    "64.71.06.1001,5,180,175,reguler,sangat_rawan,tidak,ya,-1.270000,116.840000\n"
)


def errors_of(job: ImportJob) -> list[list]:
    return job.errors


@pytest.mark.django_db
def test_preview_then_apply_through_the_views(
    client, province_admin, django_assert_max_num_queries
):
    client.force_login(province_admin)
    before = TPS.objects.count()

    response = upload(client, "tps", GOOD)
    job = last_job()
    assert response.status_code == 302
    assert job.status == ImportStatus.PREVIEWED
    assert (job.created_count, job.updated_count, job.unchanged_count) == (2, 1, 0)
    assert TPS.objects.count() == before, "a preview writes nothing"

    with django_assert_max_num_queries(12):
        page = client.get(f"/kelola/impor/{job.pk}/").content.decode()
    assert "Terapkan" in page
    assert "64.71.06.1001 · TPS 004" in page
    assert "dpt_laki_laki 200 → 250" in page

    response = apply(client, job)
    job.refresh_from_db()
    assert response.status_code == 302
    assert job.status == ImportStatus.APPLIED
    assert job.applied_by == province_admin
    assert TPS.objects.count() == before + 2
    first = TPS.objects.get(desa_id="64.71.06.1001", number=1)
    assert (first.dpt_male, first.dpt_female, first.vulnerability) == (250, 260, "rawan")
    assert first.flood_prone is True
    assert first.latitude == Decimal("-1.265386")
    assert TPS.objects.get(desa_id="64.71.06.1001", number=4).kind == "lokasi_khusus"


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(client, province_admin):
    client.force_login(province_admin)
    upload(client, "tps", GOOD)
    apply(client, last_job())

    upload(client, "tps", GOOD)
    second = last_job()
    apply(client, second)
    second.refresh_from_db()

    assert second.status == ImportStatus.APPLIED
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 0, 3)


@pytest.mark.django_db
def test_indonesian_header_names_are_accepted_and_optional_columns_left_alone(
    client, province_admin
):
    TPS.objects.filter(desa_id="64.71.06.1001", number=2).update(vulnerability="sangat_rawan")
    client.force_login(province_admin)
    upload(
        client,
        "tps",
        "Kode Desa,No TPS,DPT Laki-laki,DPT Perempuan\n64.71.06.1001,2,300,301\n",
    )
    job = last_job()
    assert job.status == ImportStatus.PREVIEWED, job.errors
    apply(client, job)

    tps = TPS.objects.get(desa_id="64.71.06.1001", number=2)
    assert (tps.dpt_male, tps.dpt_female) == (300, 301)
    assert tps.vulnerability == "sangat_rawan", "a column not in the file is not reset"


@pytest.mark.django_db
def test_utf8_with_bom_is_accepted(client, province_admin):
    client.force_login(province_admin)
    upload(client, "tps", "\ufeff".encode() + GOOD.encode())
    assert last_job().status == ImportStatus.PREVIEWED


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (GOOD.replace("reguler", "régulier").encode("latin-1"), "bukan UTF-8"),
        (GOOD.replace(",", ";").encode(), "titik koma"),
        (b"kode_desa,dpt_laki_laki\n64.71.06.1001,10\n", "nomor_tps, dpt_perempuan"),
        ("\ufeff".encode("utf-16"), "UTF-16"),
    ],
    ids=["latin-1", "semicolons", "missing-columns", "utf-16"],
)
@pytest.mark.django_db
def test_an_unreadable_file_is_refused_with_a_reason(client, province_admin, content, expected):
    client.force_login(province_admin)
    before = TPS.objects.count()
    upload(client, "tps", content)
    job = last_job()

    assert job.status == ImportStatus.REFUSED
    assert expected in job.errors[0][2]
    assert expected in client.get(f"/kelola/impor/{job.pk}/").content.decode()
    assert apply(client, job).status_code == 409
    assert TPS.objects.count() == before


@pytest.mark.django_db
def test_every_bad_row_is_listed_with_line_and_column(client, province_admin):
    client.force_login(province_admin)
    upload(
        client,
        "tps",
        TPS_HEADER
        + "64.71.06.1001,7,100,100,reguler,rawan,tidak,tidak,,\n"  # line 2: fine
        + "64.71.06.1001,8,-5,100,reguler,rawan,tidak,tidak,,\n"  # line 3: negative DPT
        + "64.71.06.9999,1,100,100,reguler,rawan,tidak,tidak,,\n"  # line 4: unknown desa
        + "64.71.06.1001,7,100,100,reguler,rawan,tidak,tidak,,\n"  # line 5: duplicate of 2
        + "64.71.06.1001,9,100,100,reguler,parah,tidak,tidak,,\n"  # line 6: bad choice
        + "64.71.06.1001,10,100,100,reguler,rawan,mungkin,tidak,,\n"  # line 7: bad flag
        + "64.71.06.1001,11,100,100,reguler,rawan,tidak,tidak,95,\n",  # line 8: latitude
    )
    job = last_job()
    by_line = {line: (column, message) for line, column, message in job.errors}

    assert job.status == ImportStatus.REFUSED
    assert job.error_count == 6
    assert by_line[3][0] == "dpt_laki_laki" and "negatif" in by_line[3][1]
    assert by_line[4][0] == "kode_desa" and "64.71.06.9999" in by_line[4][1]
    assert (
        by_line[5][0] == "nomor_tps" and "baris 2" in by_line[5][1] and "baris 5" in by_line[5][1]
    )
    assert by_line[6][0] == "kerawanan"
    assert by_line[7][0] == "rawan_banjir"
    assert by_line[8][0] == "lintang"
    assert not TPS.objects.filter(number__in=[7, 8, 9, 10, 11]).exists()

    download = client.get(f"/kelola/impor/{job.pk}/kesalahan.csv").content.decode("utf-8-sig")
    assert download.splitlines()[0] == "baris,kolom,keterangan"
    assert len(download.splitlines()) == 7


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused_before_it_is_read(client, province_admin, settings):
    settings.DESK_IMPORT_MAX_BYTES = 100
    client.force_login(province_admin)
    response = upload(client, "tps", GOOD)

    assert response.status_code == 400
    assert "melebihi batas" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_province_admin_cannot_import_into_another_province(client, province_admin, other_province):
    client.force_login(province_admin)
    upload(client, "tps", GOOD + f"{other_province},1,100,100,reguler,rawan,tidak,tidak,,\n")
    job = last_job()

    assert job.status == ImportStatus.REFUSED
    assert job.errors == [[5, "kode_desa", job.errors[0][2]]]
    assert "di luar wilayah Anda (64)" in job.errors[0][2]
    assert not TPS.objects.filter(desa_id=other_province).exists()
    assert not TPS.objects.filter(desa_id="64.71.06.1001", number=4).exists()


@pytest.mark.django_db
def test_national_admin_imports_anywhere(client, national_admin, tree, other_province):
    client.force_login(national_admin)
    upload(client, "tps", GOOD + f"{other_province},1,100,100,reguler,rawan,tidak,tidak,,\n")
    job = last_job()
    apply(client, job)
    assert TPS.objects.filter(desa_id=other_province).count() == 1


@pytest.mark.django_db
def test_apply_is_all_or_nothing_when_the_last_row_fails(client, province_admin, monkeypatch):
    # Write every desa's rows as soon as they are compared, so that the first rows are in the
    # database when the last one fails.
    monkeypatch.setattr(importers, "DESA_CHUNK", 1)
    monkeypatch.setattr(importers, "WRITE_BATCH", 1)
    Region.objects.create(code="64.72.01.1002", name="Terakhir", level=4, parent_id="64.72.01")
    client.force_login(province_admin)
    before = sorted(TPS.objects.values_list("desa_id", "number", "dpt_male"))
    upload(client, "tps", GOOD + "64.72.01.1002,1,100,100,reguler,rawan,tidak,tidak,,\n")
    job = last_job()
    assert job.status == ImportStatus.PREVIEWED
    # The last row's desa disappears between the preview and "Terapkan".
    Region.objects.filter(code="64.72.01.1002").delete()

    apply(client, job)
    job.refresh_from_db()

    assert job.status == ImportStatus.FAILED
    assert job.errors[0][:2] == [5, "kode_desa"]
    assert sorted(TPS.objects.values_list("desa_id", "number", "dpt_male")) == before


@pytest.mark.django_db
def test_xlsx_tps_file_imports_like_csv(client, province_admin):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in GOOD.splitlines():
        cells = line.split(",")
        sheet.append(
            [int(c) if c.isdigit() else (float(c) if c.startswith("-1.") else c) for c in cells]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(province_admin)

    upload(client, "tps", buffer.getvalue(), name="tps.xlsx")
    job = last_job()
    assert job.status == ImportStatus.PREVIEWED, job.errors
    assert (job.created_count, job.updated_count) == (2, 1)
    apply(client, job)
    assert TPS.objects.get(desa_id="64.71.06.1001", number=5).hard_to_reach is True


@pytest.mark.django_db
def test_export_gives_back_the_imported_file(client, province_admin):
    TPS.objects.all().delete()
    client.force_login(province_admin)
    upload(client, "tps", GOOD)
    apply(client, last_job())

    exported = client.get("/kelola/ekspor/tps/").content.decode()
    assert exported.replace("\r\n", "\n") == GOOD

    xlsx = client.get("/kelola/ekspor/tps/?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [cell.value for cell in sheet[1]] == TPS_HEADER.strip().split(",")
    assert sheet.max_row == 4


@pytest.mark.django_db
def test_big_import_runs_in_the_worker_with_progress(
    client, province_admin, settings, django_capture_on_commit_callbacks
):
    settings.DESK_IMPORT_ASYNC_ROWS = 2
    client.force_login(province_admin)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        upload(client, "tps", GOOD)
    job = last_job()
    assert job.run_async and len(callbacks) == 1
    assert job.status == ImportStatus.PREVIEWED
    assert job.progress_done == job.progress_total == 3

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        apply(client, job)
    job.refresh_from_db()
    assert len(callbacks) == 2  # the apply task, then the rebuild of today's rollups it asks
    assert job.status == ImportStatus.APPLIED
    assert job.progress_done == job.progress_total == 3
    # The fragment stops polling once the job is done.
    fragment = client.get(f"/kelola/impor/{job.pk}/", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' not in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


@pytest.mark.django_db
def test_fragment_polls_every_two_seconds_while_the_job_runs(client, province_admin):
    client.force_login(province_admin)
    upload(client, "tps", GOOD)
    job = last_job()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.APPLYING, progress_phase="menyimpan", progress_done=2, progress_total=3
    )
    body = client.get(f"/kelola/impor/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in body
    assert "2 / 3 (66%)" in body


@pytest.mark.django_db
def test_apply_task_is_idempotent(client, province_admin):
    from administration.tasks import import_job_apply_task

    client.force_login(province_admin)
    upload(client, "tps", GOOD)
    job = last_job()
    apply(client, job)
    count = TPS.objects.count()

    import_job_apply_task.apply(args=[job.pk])  # a redelivered message
    job.refresh_from_db()
    assert job.status == ImportStatus.APPLIED
    assert TPS.objects.count() == count
    assert import_job_apply_task.acks_late is True


@pytest.mark.django_db
def test_only_admins_may_import(client, officer, province_viewer):
    for user in (officer, province_viewer):
        client.force_login(user)
        assert client.get("/kelola/").status_code == 403
        assert upload(client, "tps", GOOD).status_code == 403
        assert client.get("/kelola/ekspor/tps/").status_code == 403
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_a_job_of_another_province_is_not_found(client, province_admin, other_province):
    other_admin = UserFactory(username="admin.sumbar", role=Role.ADMIN, region_id="13")
    client.force_login(province_admin)
    upload(client, "tps", GOOD)
    job = last_job()

    client.force_login(other_admin)
    assert client.get(f"/kelola/impor/{job.pk}/").status_code == 404
    assert apply(client, job).status_code == 404


@pytest.mark.django_db
def test_home_page_lists_jobs_in_bounded_queries(
    client, province_admin, django_assert_max_num_queries
):
    client.force_login(province_admin)
    for _ in range(3):
        upload(client, "tps", GOOD)
    with django_assert_max_num_queries(8):
        body = client.get("/kelola/").content.decode()
    assert body.count("berkas.csv") == 3


@pytest.mark.django_db
def test_an_applied_tps_import_rebuilds_todays_rollups_of_the_province(
    client, province_admin, other_province, django_capture_on_commit_callbacks
):
    """New TPS reach today's figures of every region of the province at once, not only those
    whose desk reports again (a submission adds its kab/kota and province up from stored rows)."""
    client.force_login(province_admin)
    today = local_today("64")
    upload(client, "tps", GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        apply(client, last_job())

    totals = dict(DailyRollup.objects.filter(day=today).values_list("region_id", "tps_total"))
    assert totals["64.71.06"] == TPS.objects.filter(desa__code__startswith="64.71.06.").count()
    assert totals["64"] == TPS.objects.filter(desa__code__startswith="64.").count()
    assert not any(code.startswith("13") for code in totals)  # other_province: 13.73.01.1001
