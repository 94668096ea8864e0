"""Every admin page opens for the national admin, in Indonesian, with search and filters that
find what an admin looks for, and changelists whose query count does not grow with the rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Indicator
from logistics.models import LogisticsItem
from readiness.models import TPS, Contest, ContestKind, Region, Role, User, Vulnerability
from security.models import IncidentCategory, PersonnelCategory

from ..factories import ContestFactory, RegionFactory, TPSFactory, UserFactory

EDITABLE = [
    Region,
    TPS,
    User,
    Contest,
    LogisticsItem,
    PersonnelCategory,
    IncidentCategory,
    Indicator,
]


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def changelist_text(client, model, **params):
    response = client.get(admin_url(model, "changelist"), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("model", EDITABLE, ids=lambda model: model.__name__)
def test_changelist_add_and_change_pages_open_for_the_national_admin(
    client, national_admin, tree, model
):
    client.force_login(national_admin)
    assert client.get(admin_url(model, "changelist")).status_code == 200
    assert client.get(admin_url(model, "add")).status_code == 200
    obj = model.objects.order_by("pk").first()
    page = client.get(admin_url(model, "change", obj.pk))
    assert page.status_code == 200
    assert "Lihat catatan audit" in page.content.decode()  # the link to the audit log


def test_admin_pages_speak_indonesian(client, national_admin, tree):
    client.force_login(national_admin)
    body = changelist_text(client, TPS)
    for label in ["kerawanan", "provinsi", "kecamatan", "Nonaktifkan", "Aktifkan kembali"]:
        assert label in body, label
    body = client.get(admin_url(User, "change", national_admin.pk)).content.decode()
    assert "Penugasan desk" in body and "wilayah tugas" in body.lower()
    body = client.get(admin_url(Contest, "add")).content.decode()
    assert "calon tunggal" in body.lower() and "ulangan dari" in body.lower()


def test_region_search_by_code_or_name_and_filter_by_level(client, national_admin, tree):
    Region.objects.filter(code="64.71").update(name="Kota Balikpapan")
    client.force_login(national_admin)
    body = changelist_text(client, Region, q="64.71.06")
    assert "64.71.06.1001" in body and "64.71.01.1001" not in body
    body = changelist_text(client, Region, q="balikpapan")
    assert "Kota Balikpapan" in body and "64.72" not in body
    body = changelist_text(client, Region, level=3)
    assert "64.71.06" in body and "64.71.06.1001" not in body


def test_place_filters_narrow_to_a_province_then_a_kab_kota(
    client, national_admin, tree, other_province
):
    client.force_login(national_admin)
    body = changelist_text(client, TPS)
    assert "65.01.01.2001" in body and "kabupaten/kota" not in body  # no kab/kota list yet
    body = changelist_text(client, TPS, provinsi="65")
    assert "65.01.01.2001" in body and "64.71.06.1001" not in body
    body = changelist_text(client, TPS, provinsi="64", kabkota="64.72")
    assert "64.72.01.1001" in body and "64.71.06.1001" not in body
    assert "kabupaten/kota" in body  # once a province is chosen, its kab/kota are offered
    body = changelist_text(client, User, provinsi="65")
    assert "desk.kaltara" in body and "desk.balikpapan-kota" not in body
    body = changelist_text(client, Contest, provinsi="65")
    assert "Wilayah 65" in body and "Wilayah 64.71" not in body


def test_tps_filters_by_vulnerability_and_searches_by_number(client, national_admin, tree):
    tps = TPS.objects.get(desa_id="64.71.06.1002", number=3)
    tps.vulnerability = Vulnerability.HIGHLY_VULNERABLE
    tps.save()
    client.force_login(national_admin)
    body = changelist_text(client, TPS, vulnerability=Vulnerability.HIGHLY_VULNERABLE)
    assert "TPS 003 64.71.06.1002" in body and "TPS 001" not in body
    body = changelist_text(client, TPS, q="3")
    assert "TPS 003 64.71.06.1002" in body and "TPS 002" not in body


def test_users_filter_by_role_and_search_by_region(client, national_admin, officer, tree):
    UserFactory(username="sekda.kaltim", role=Role.VIEWER, region=tree["64"])
    client.force_login(national_admin)
    body = changelist_text(client, User, role=Role.OFFICER)
    assert "desk.balikpapan-kota" in body and "sekda.kaltim" not in body
    body = changelist_text(client, User, q="64.71")
    assert "desk.balikpapan-kota" in body and "sekda.kaltim" not in body


def test_contests_filter_single_candidate_and_reruns(client, national_admin, tree):
    Contest.objects.filter(region_id="64.72").update(single_candidate=True)
    client.force_login(national_admin)
    body = changelist_text(client, Contest, single_candidate__exact=1)
    assert "Wilayah 64.72" in body and "Wilayah 64.71" not in body
    body = changelist_text(client, Contest, rerun_of__isempty=0)
    assert "0 pemilihan" in body  # no re-run yet


def _grow(model, tree, count):
    """`count` more rows of `model` (for the query-count comparison)."""
    start = model.objects.count()
    for n in range(start, start + count):
        if model is Region:
            RegionFactory(code=f"64.71.06.{2000 + n}")
        elif model is TPS:
            TPSFactory(desa=tree["64.71.06.1001"], number=100 + n)
        elif model is User:
            UserFactory(username=f"petugas{n}", role=Role.OFFICER, region=tree["64.71.06"])
        elif model is Contest:
            original = Contest.objects.get(region_id="64.71", rerun_of=None)
            ContestFactory(
                region=tree["64.71"],
                kind=ContestKind.MAYOR,
                voting_day=original.voting_day + dt.timedelta(days=60 + n),
                rerun_of=original,
                single_candidate=True,
            )


@pytest.mark.parametrize("model", [Region, TPS, User, Contest], ids=lambda m: m.__name__)
@pytest.mark.parametrize("persona", ["national_admin", "province_admin"])
def test_changelist_queries_do_not_grow_with_rows(client, request, tree, model, persona):
    client.force_login(request.getfixturevalue(persona))
    url = admin_url(model, "changelist")
    client.get(url)  # warm the per-process caches (time zone, content types)

    def queries(more):
        _grow(model, tree, more)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"provinsi": "64"})
        assert response.status_code == 200
        return len(captured), response.context["cl"].result_count

    (ten, shown), (fifty, shown_after) = queries(10), queries(40)
    assert shown_after == shown + 40
    assert fifty == ten


def test_audit_log_queries_do_not_grow_with_entries(client, national_admin, tree):
    client.force_login(national_admin)
    url = reverse("admin:auditlog_logentry_changelist")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    queries()  # warm the per-process caches
    few = queries()
    _grow(TPS, tree, 40)
    for tps in TPS.objects.all()[:10]:
        tps.dpt_male += 1
        tps.save()
    assert queries() == few
