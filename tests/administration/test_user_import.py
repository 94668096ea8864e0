import re

import pytest
from django.core import mail

from administration.models import ImportStatus
from readiness.models import DailyReport, Role, User
from tests.factories import DailyReportFactory

from .conftest import apply, last_job, upload

USERS = (
    "username,nama_lengkap,email,telepon,peran,kode_wilayah\n"
    "desk.balikpapan-utara,Siti Aminah,siti@example.org,0812000111,officer,64.71.01\n"
    "sekda.balikpapan,Budi Santoso,,0812000222,viewer,64.71\n"
)


def imported(client, content=USERS, capture=None):
    upload(client, "pengguna", content)
    job = last_job()
    assert job.status == ImportStatus.PREVIEWED, job.errors
    with capture(execute=True):
        apply(client, job)
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_imported_users_have_no_password_and_are_invited(
    client, province_admin, django_capture_on_commit_callbacks
):
    client.force_login(province_admin)
    job = imported(client, capture=django_capture_on_commit_callbacks)

    assert job.status == ImportStatus.APPLIED and job.created_count == 2
    siti = User.objects.get(username="desk.balikpapan-utara")
    assert (siti.first_name, siti.role, siti.region_id, siti.phone) == (
        "Siti Aminah",
        Role.OFFICER,
        "64.71.01",
        "0812000111",
    )
    assert not siti.has_usable_password()
    # One email, for the user who has an address; both links are on the result page.
    assert [message.to for message in mail.outbox] == [["siti@example.org"]]
    page = client.get(f"/kelola/impor/{job.pk}/").content.decode()
    # A link is /kelola/undangan/<user>/<token>/; the token carries the second it was made,
    # so the page's link and the email's may differ in it: compare whose link it is.
    invited_on_page = re.findall(r"http://testserver/kelola/undangan/([^/\"]+)/[^/\"]+/", page)
    assert len(invited_on_page) == 2
    emailed = re.search(r"/kelola/undangan/([^/\s]+)/[^/\s]+/", mail.outbox[0].body)
    assert emailed[1] in invited_on_page


@pytest.mark.django_db
def test_invitation_link_sets_a_password_once(
    client, province_admin, django_capture_on_commit_callbacks
):
    client.force_login(province_admin)
    imported(client, capture=django_capture_on_commit_callbacks)
    link = re.search(r"http://testserver(/kelola/undangan/\S+/)", mail.outbox[0].body)[1]
    client.logout()

    assert client.get(link).status_code == 200
    response = client.post(
        link, {"new_password1": "Mawar-Merah-7391", "new_password2": "Mawar-Merah-7391"}
    )
    assert response.status_code == 302
    assert User.objects.get(username="desk.balikpapan-utara").check_password("Mawar-Merah-7391")

    again = client.post(
        link, {"new_password1": "Lain-lagi-2024!", "new_password2": "Lain-lagi-2024!"}
    )
    assert again.status_code == 400
    assert "Tautan tidak berlaku" in again.content.decode()
    assert User.objects.get(username="desk.balikpapan-utara").check_password("Mawar-Merah-7391")


@pytest.mark.django_db
def test_reimporting_users_changes_nothing_and_invites_nobody_again(
    client, province_admin, django_capture_on_commit_callbacks
):
    client.force_login(province_admin)
    imported(client, capture=django_capture_on_commit_callbacks)
    mail.outbox.clear()
    second = imported(client, capture=django_capture_on_commit_callbacks)

    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 0, 2)
    assert mail.outbox == []


@pytest.mark.django_db
def test_user_outside_the_admins_province_is_refused(client, province_admin, other_province):
    client.force_login(province_admin)
    upload(client, "pengguna", USERS + "desk.sawahlunto,Rina,,,officer,13.73.01\n")
    job = last_job()

    assert job.status == ImportStatus.REFUSED
    assert job.errors[0][:2] == [4, "kode_wilayah"]
    assert "di luar wilayah Anda" in job.errors[0][2]
    assert not User.objects.filter(username__startswith="desk.balikpapan-utara").exists()


@pytest.mark.django_db
def test_duplicate_username_names_both_lines(client, province_admin):
    client.force_login(province_admin)
    upload(client, "pengguna", USERS + "sekda.balikpapan,Budi Lagi,,,viewer,64.71\n")
    job = last_job()
    assert job.errors[0][0] == 4
    assert "baris 3" in job.errors[0][2] and "baris 4" in job.errors[0][2]


@pytest.mark.django_db
def test_export_of_users_round_trips(client, province_admin, django_capture_on_commit_callbacks):
    User.objects.exclude(pk=province_admin.pk).delete()
    client.force_login(province_admin)
    imported(client, capture=django_capture_on_commit_callbacks)
    exported = client.get("/kelola/ekspor/pengguna/").content.decode().replace("\r\n", "\n")
    lines = [line for line in exported.splitlines() if not line.startswith("admin.kaltim")]
    assert sorted(lines[1:]) == sorted(USERS.splitlines()[1:])
    assert lines[0] == USERS.splitlines()[0]


@pytest.mark.django_db
def test_deactivating_a_user_keeps_their_reports(client, province_admin, officer):
    report = DailyReportFactory(region=officer.region, day="2024-11-20", submitted_by=officer)
    client.force_login(province_admin)

    response = client.post(f"/kelola/pengguna/{officer.pk}/nonaktifkan/")

    officer.refresh_from_db()
    assert response.status_code == 302
    assert officer.is_active is False
    assert DailyReport.objects.filter(pk=report.pk, submitted_by=officer).exists()
    assert not client.login(username=officer.username, password="rahasia-desk-2024")


@pytest.mark.django_db
def test_province_admin_cannot_deactivate_someone_elsewhere(client, province_admin, other_province):
    from tests.factories import UserFactory

    elsewhere = UserFactory(username="desk.sawahlunto", role=Role.OFFICER, region_id="13.73.01")
    client.force_login(province_admin)
    assert client.post(f"/kelola/pengguna/{elsewhere.pk}/nonaktifkan/").status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.is_active
