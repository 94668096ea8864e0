"""A province admin manages their province only: the changelists, the choices, the audit log
and every page of another province's objects are closed to them (404), and the catalogues are
national (read-only for them)."""

import pytest
from django.urls import reverse

from indicators.models import Indicator
from logistics.models import LogisticsItem
from readiness.models import TPS, Contest, ContestKind, Region, Role, User
from security.models import IncidentCategory, PersonnelCategory

from ..factories import UserFactory
from .test_pages import admin_url

CATALOGUES = [LogisticsItem, PersonnelCategory, IncidentCategory, Indicator]


def outsiders(other_province):
    return {
        Region: other_province["65.01"],
        TPS: other_province["tps"],
        User: other_province["officer"],
        Contest: other_province["contest"],
    }


@pytest.mark.parametrize("model", [Region, TPS, User, Contest], ids=lambda m: m.__name__)
def test_province_admin_lists_only_their_province(client, province_admin, other_province, model):
    client.force_login(province_admin)
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    listed = set(response.context["cl"].result_list)
    assert outsiders(other_province)[model] not in listed
    assert listed  # their own province's rows are there


@pytest.mark.parametrize("model", [Region, TPS, User, Contest], ids=lambda m: m.__name__)
def test_province_admin_gets_404_on_another_province(client, province_admin, other_province, model):
    outsider = outsiders(other_province)[model]
    client.force_login(province_admin)
    for view in ("change", "delete", "history"):
        assert client.get(admin_url(model, view, outsider.pk)).status_code == 404, view
    assert client.post(admin_url(model, "change", outsider.pk), {}).status_code == 404
    assert client.post(admin_url(model, "delete", outsider.pk), {"post": "yes"}).status_code == 404
    assert model.objects.filter(pk=outsider.pk).exists()


def test_province_admin_does_not_see_national_admins_or_superusers(
    client, province_admin, national_admin
):
    client.force_login(province_admin)
    listed = set(client.get(admin_url(User, "changelist")).context["cl"].result_list)
    assert national_admin not in listed and province_admin in listed
    assert client.get(admin_url(User, "change", national_admin.pk)).status_code == 404
    url = reverse("admin:auth_user_password_change", args=[national_admin.pk])
    assert client.get(url).status_code == 404


def test_province_admin_edits_a_tps_of_their_province(client, province_admin, tree):
    tps = TPS.objects.get(desa_id="64.72.01.1001", number=1)
    client.force_login(province_admin)
    data = {
        "desa": tps.desa_id,
        "number": 1,
        "dpt_male": 250,
        "dpt_female": 240,
        "kind": tps.kind,
        "vulnerability": tps.vulnerability,
        "is_active": "on",
    }
    assert client.post(admin_url(TPS, "change", tps.pk), data).status_code == 302
    tps.refresh_from_db()
    assert tps.dpt == 490

    # …but cannot move it into another province: that desa is not a valid choice.
    foreign = {**data, "desa": "65.01.01.2001"}
    response = client.post(admin_url(TPS, "change", tps.pk), foreign)
    assert response.status_code == 200 and "desa" in response.context["adminform"].form.errors
    tps.refresh_from_db()
    assert tps.desa_id == "64.72.01.1001"


def _new_user(**assignment):
    return {
        "username": "admin.baru",
        "usable_password": "true",
        "password1": "Rahasia-Desk-2024!x",
        "password2": "Rahasia-Desk-2024!x",
        **assignment,
    }


def test_province_admin_cannot_create_a_national_admin(client, province_admin, tree):
    client.force_login(province_admin)
    response = client.post(admin_url(User, "add"), _new_user(role=Role.ADMIN, region=""))
    assert response.status_code == 200
    assert "admin nasional dibuat oleh admin nasional" in response.content.decode()
    assert not User.objects.filter(username="admin.baru").exists()


def test_province_admin_cannot_make_an_admin_of_another_province(
    client, province_admin, other_province
):
    client.force_login(province_admin)
    response = client.post(admin_url(User, "add"), _new_user(role=Role.ADMIN, region="65"))
    assert response.status_code == 200
    assert "region" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="admin.baru").exists()


def test_province_admin_assigns_an_admin_in_their_province(client, province_admin, tree):
    client.force_login(province_admin)
    response = client.post(admin_url(User, "add"), _new_user(role=Role.ADMIN, region="64.71"))
    assert response.status_code == 302
    created = User.objects.get(username="admin.baru")
    assert (created.role, created.region_id, created.is_superuser) == (Role.ADMIN, "64.71", False)


def test_province_admin_cannot_grant_superuser(client, province_admin, officer):
    client.force_login(province_admin)
    page = client.get(admin_url(User, "change", officer.pk))
    assert 'name="is_superuser"' not in page.content.decode()
    data = {
        "username": officer.username,
        "role": Role.ADMIN,
        "region": "64",
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",  # ignored: not a field of their form
        "date_joined_0": "2024-11-01",
        "date_joined_1": "08:00:00",
    }
    assert client.post(admin_url(User, "change", officer.pk), data).status_code == 302
    officer.refresh_from_db()
    assert (officer.role, officer.region_id, officer.is_superuser) == (Role.ADMIN, "64", False)
    data["region"] = "65"
    response = client.post(admin_url(User, "change", officer.pk), data)
    assert response.status_code == 200
    officer.refresh_from_db()
    assert officer.region_id == "64"


def test_national_admin_creates_a_national_admin_but_not_a_regionless_officer(
    client, national_admin
):
    client.force_login(national_admin)
    response = client.post(admin_url(User, "add"), _new_user(role=Role.OFFICER, region=""))
    assert response.status_code == 200
    assert "harus punya wilayah tugas" in response.content.decode()
    response = client.post(admin_url(User, "add"), _new_user(role=Role.ADMIN, region=""))
    assert response.status_code == 302
    assert User.objects.get(username="admin.baru").region_id is None


def test_province_admin_adds_a_region_below_their_province_only(client, province_admin, tree):
    client.force_login(province_admin)
    data = {"code": "64.71.06.1003", "name": "Prapatan", "is_active": "on"}
    assert client.post(admin_url(Region, "add"), data).status_code == 302
    added = Region.objects.get(code="64.71.06.1003")
    assert (added.level, added.parent_id, added.timezone) == (4, "64.71.06", "")

    response = client.post(admin_url(Region, "add"), {**data, "code": "65.02"})
    assert "di bawah 64" in response.content.decode()
    response = client.post(admin_url(Region, "add"), {**data, "code": "64.7"})
    assert "Kode Kemendagri tidak dikenal" in response.content.decode()
    assert not Region.objects.filter(code__in=["65.02", "64.7"]).exists()


def test_contest_choices_stop_at_the_province(client, province_admin, other_province):
    client.force_login(province_admin)
    data = {
        "region": "65",
        "kind": ContestKind.GOVERNOR,
        "voting_day": "2029-11-28",
        "daily_deadline": "16:00",
    }
    response = client.post(admin_url(Contest, "add"), data)
    assert "region" in response.context["adminform"].form.errors
    rerun = {**data, "region": "64", "rerun_of": other_province["contest"].pk}
    response = client.post(admin_url(Contest, "add"), rerun)
    assert "rerun_of" in response.context["adminform"].form.errors


def test_region_autocomplete_offers_only_their_province(client, province_admin, other_province):
    client.force_login(province_admin)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "readiness", "model_name": "tps", "field_name": "desa", "term": "0"},
    )
    codes = {row["id"] for row in response.json()["results"]}
    assert "64.71.06.1001" in codes and "65.01.01.2001" not in codes
    assert "64.71.06" not in codes  # a TPS stands in a desa/kelurahan


@pytest.mark.parametrize("model", CATALOGUES, ids=lambda m: m.__name__)
def test_province_admin_reads_but_cannot_edit_the_catalogues(client, province_admin, model):
    obj = model.objects.order_by("pk").first()
    client.force_login(province_admin)
    assert client.get(admin_url(model, "changelist")).status_code == 200
    page = client.get(admin_url(model, "change", obj.pk))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.post(admin_url(model, "change", obj.pk), {"name": "x"}).status_code == 403
    assert client.get(admin_url(model, "add")).status_code == 403
    assert client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_province_admin_sees_their_apps_without_permission_grants(client, province_admin):
    client.force_login(province_admin)
    body = client.get(reverse("admin:index")).content.decode()
    for app in ["Kesiapan Pilkada", "Logistik", "Keamanan dan personel", "Indikator lain"]:
        assert app in body, app


def test_staff_without_the_admin_role_gets_nothing(client, tree):
    viewer = UserFactory(username="staf", role=Role.VIEWER, region=tree["64"], is_staff=True)
    client.force_login(viewer)
    assert client.get(admin_url(Region, "changelist")).status_code == 403
