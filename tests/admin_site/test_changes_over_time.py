"""Regions, TPS and users with reports are history: the admin deactivates them, never deletes
them; a TPS moved to another desa keeps its status history; a deactivated user's reports stay.

"With reports": a region whose desk, or a desk below it, filed a daily report, or with a TPS
below it whose status was ever set; a TPS whose status was ever set, or whose kecamatan filed a
daily report; a user who acted on a report or set a TPS status."""

import pytest
from django.contrib.messages import get_messages
from django.forms.models import model_to_dict
from django.urls import reverse

from logistics.models import LogisticsItem, LogisticsRollup
from readiness.models import (
    TPS,
    DailyReport,
    DailyRollup,
    Region,
    Role,
    TPSReadiness,
    TPSStatus,
    User,
)
from readiness.rollups import rollup_rebuild_day
from readiness.selectors import local_today
from readiness.tps import tps_status_set

from ..factories import UserFactory
from .test_pages import admin_url


def messages_of(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.parametrize(
    ("model", "pk"),
    [(Region, "64.71.06"), (Region, "64.71"), (TPS, ("64.71.06.1001", 1))],
    ids=["kecamatan", "kota", "tps"],
)
def test_delete_is_refused_for_what_has_reports(client, national_admin, report, model, pk):
    obj = (
        TPS.objects.get(desa_id=pk[0], number=pk[1]) if model is TPS else Region.objects.get(pk=pk)
    )
    client.force_login(national_admin)
    for method in (client.get, client.post):
        response = method(admin_url(model, "delete", obj.pk), {"post": "yes"}, follow=True)
        assert response.status_code == 200
        body = response.content.decode()
        assert "sudah punya laporan" in body and "Nonaktifkan" in body
        # Back on the changelist, showing just that row to deactivate.
        assert list(response.context["cl"].result_list) == [obj]
    assert model.objects.filter(pk=obj.pk).exists()


def test_bulk_delete_is_refused_when_one_selected_has_reports(client, national_admin, report):
    kept = TPS.objects.filter(desa_id="64.71.06.1001")  # under the reported kecamatan
    other = TPS.objects.filter(desa_id="64.72.01.1001")
    client.force_login(national_admin)
    response = client.post(
        admin_url(TPS, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [
                *kept.values_list("pk", flat=True),
                *other.values_list("pk", flat=True),
            ],
            "post": "yes",
        },
        follow=True,
    )
    assert "sudah punya laporan" in messages_of(response)
    assert kept.count() == 3 and other.count() == 2


def test_what_has_no_reports_yet_can_still_be_deleted(client, national_admin, report):
    """A typo in the registry, fixed before any desk reported on it."""
    tps = TPS.objects.get(desa_id="64.72.01.1001", number=2)
    client.force_login(national_admin)
    response = client.post(admin_url(TPS, "delete", tps.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not TPS.objects.filter(pk=tps.pk).exists()


def test_a_tps_with_status_history_cannot_be_deleted(client, national_admin, officer, tree):
    tps = TPS.objects.get(desa_id="64.71.06.1002", number=1)
    tps_status_set(officer=officer, region=tree["64.71.06"], tps_ids=[tps.pk], readiness="siap")
    client.force_login(national_admin)
    response = client.post(admin_url(TPS, "delete", tps.pk), {"post": "yes"}, follow=True)
    assert "sudah punya laporan" in messages_of(response)
    assert TPS.objects.filter(pk=tps.pk).exists()


def test_a_region_with_tps_status_history_cannot_be_deleted(client, national_admin, tree):
    """Samarinda filed no report, but one of its TPS has a status history."""
    officer = UserFactory(username="desk.samarinda", role=Role.OFFICER, region=tree["64.72.01"])
    tps = TPS.objects.get(desa_id="64.72.01.1001", number=1)
    tps_status_set(officer=officer, region=tree["64.72.01"], tps_ids=[tps.pk], readiness="siap")
    assert not DailyReport.objects.exists()
    client.force_login(national_admin)
    for code in ["64.72", "64.72.01.1001"]:
        response = client.post(admin_url(Region, "delete", code), {"post": "yes"}, follow=True)
        assert "sudah punya laporan" in messages_of(response), code
    assert Region.objects.filter(code__in=["64.72", "64.72.01.1001"]).count() == 2


def test_deactivate_and_reactivate_actions(client, national_admin, report, tree):
    kecamatan = Region.objects.get(code="64.71.06")
    stations = TPS.objects.filter(desa_id="64.71.06.1001")
    client.force_login(national_admin)
    changelist = admin_url(Region, "changelist")
    response = client.post(
        changelist,
        {"action": "deactivate", "_selected_action": [kecamatan.pk]},
        follow=True,
    )
    said = messages_of(response)
    assert "1 wilayah dinonaktifkan" in said
    assert "masih aktif 2 wilayah dan 6 TPS" in said  # the rows below keep their own switch
    kecamatan.refresh_from_db()
    assert not kecamatan.is_active
    assert DailyReport.objects.filter(region=kecamatan).exists()  # history stays

    response = client.post(
        admin_url(TPS, "changelist"),
        {"action": "deactivate", "_selected_action": list(stations.values_list("pk", flat=True))},
        follow=True,
    )
    assert "3 TPS dinonaktifkan" in messages_of(response)
    assert not stations.filter(is_active=True).exists()

    client.post(changelist, {"action": "reactivate", "_selected_action": [kecamatan.pk]})
    kecamatan.refresh_from_db()
    assert kecamatan.is_active


def test_a_tps_moved_to_another_desa_keeps_its_history(client, national_admin, officer, tree):
    tps = TPS.objects.get(desa_id="64.71.06.1001", number=1)
    region = tree["64.71.06"]
    tps_status_set(officer=officer, region=region, tps_ids=[tps.pk], readiness=TPSReadiness.READY)
    tps_status_set(
        officer=officer,
        region=region,
        tps_ids=[tps.pk],
        readiness=TPSReadiness.PROBLEM,
        problems=["akses"],
    )
    client.force_login(national_admin)
    data = {
        "desa": "64.71.06.1002",
        "number": 7,  # the new desa already has TPS 1-3
        "dpt_male": tps.dpt_male,
        "dpt_female": tps.dpt_female,
        "kind": tps.kind,
        "vulnerability": tps.vulnerability,
        "is_active": "on",
    }
    assert client.post(admin_url(TPS, "change", tps.pk), data).status_code == 302

    moved = TPS.objects.get(pk=tps.pk)  # same identity
    assert (moved.desa_id, moved.number) == ("64.71.06.1002", 7)
    assert moved.status.readiness == TPSReadiness.PROBLEM
    history = TPSStatus.history.filter(tps_id=tps.pk).order_by("history_date")
    assert [h.readiness for h in history] == [TPSReadiness.READY, TPSReadiness.PROBLEM]
    assert not TPS.objects.filter(desa_id="64.71.06.1001", number=1).exists()


def test_a_deactivated_user_keeps_their_reports(client, national_admin, officer, report):
    client.force_login(national_admin)
    response = client.post(
        admin_url(User, "changelist"),
        {"action": "deactivate", "_selected_action": [officer.pk, national_admin.pk]},
        follow=True,
    )
    assert "1 pengguna dinonaktifkan" in messages_of(response)
    officer.refresh_from_db()
    national_admin.refresh_from_db()
    assert not officer.is_active and national_admin.is_active  # nobody locks themselves out
    report.refresh_from_db()
    assert (report.submitted_by, report.created_by) == (officer, officer)

    response = client.post(admin_url(User, "delete", officer.pk), {"post": "yes"}, follow=True)
    assert "sudah punya laporan" in messages_of(response)
    assert User.objects.filter(pk=officer.pk).exists()


def test_the_deactivate_action_is_in_indonesian(client, national_admin, tree):
    client.force_login(national_admin)
    body = client.get(reverse("admin:readiness_region_changelist")).content.decode()
    assert "Nonaktifkan" in body and "Aktifkan kembali" in body


def test_an_admin_change_to_the_registry_or_a_catalogue_rebuilds_todays_rollups(
    client, national_admin, tree, django_capture_on_commit_callbacks
):
    """A submission rolls up only its own chain: after an admin change, every row of the scope
    follows at once (the province for the registry, the country for a catalogue)."""
    today = local_today("64")
    rollup_rebuild_day(day=today)
    client.force_login(national_admin)
    stations = TPS.objects.filter(desa_id="64.71.06.1001")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            admin_url(TPS, "changelist"),
            {
                "action": "deactivate",
                "_selected_action": list(stations.values_list("pk", flat=True)),
            },
        )
    totals = dict(DailyRollup.objects.filter(day=today).values_list("region_id", "tps_total"))
    assert (totals["64.71.06"], totals["64.71"], totals["64"]) == (3, 9, 11)

    item = LogisticsItem.objects.filter(is_active=True).first()
    assert LogisticsRollup.objects.filter(day=today, item=item).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            admin_url(LogisticsItem, "change", item.pk),
            {
                **{key: value for key, value in model_to_dict(item).items() if value is not None},
                "is_active": False,
            },
        )
    item.refresh_from_db()
    assert not item.is_active
    assert not LogisticsRollup.objects.filter(day=today, item=item).exists()


def test_a_tps_moved_to_another_province_leaves_both_provinces_rollups_right(
    client, national_admin, tree, other_province, django_capture_on_commit_callbacks
):
    today = local_today("64")
    rollup_rebuild_day(day=today)
    tps = TPS.objects.get(desa_id="64.71.06.1001", number=1)
    client.force_login(national_admin)
    data = {
        "desa": "65.01.01.2001",
        "number": 2,  # the fixture has TPS 1 there
        "dpt_male": tps.dpt_male,
        "dpt_female": tps.dpt_female,
        "kind": tps.kind,
        "vulnerability": tps.vulnerability,
        "is_active": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(admin_url(TPS, "change", tps.pk), data).status_code == 302

    totals = dict(DailyRollup.objects.filter(day=today).values_list("region_id", "tps_total"))
    assert (totals["64"], totals["65"]) == (13, 2)
