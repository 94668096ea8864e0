"""Every admin change is in the audit log: who, when, before → after, readable in the admin.
A province admin reads the entries of their province's objects only; catalogue entries are
national."""

from auditlog.models import LogEntry
from django.urls import reverse

from logistics.models import LogisticsItem
from readiness.models import TPS, Region, Role, User

from .test_pages import admin_url

AUDIT = reverse("admin:auditlog_logentry_changelist")


def test_an_admin_change_is_logged_with_actor_and_before_after(client, national_admin, tree):
    region = Region.objects.get(code="64.71")
    client.force_login(national_admin)
    data = {"name": "Kota Balikpapan", "is_active": "on"}
    assert client.post(admin_url(Region, "change", region.pk), data).status_code == 302

    entry = LogEntry.objects.get_for_object(region).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == national_admin
    assert entry.changes_dict == {"name": ["Wilayah 64.71", "Kota Balikpapan"]}

    # Readable in the admin: the list says who changed which field, the entry shows both values.
    body = client.get(AUDIT).content.decode()
    assert "Kota Balikpapan" in body and "admin" in body and "nama" in body
    page = client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk]))
    body = page.content.decode()
    assert "Sebelum" in body and "Sesudah" in body
    assert "Wilayah 64.71" in body and "Kota Balikpapan" in body
    # The object's own page links to its entries.
    body = client.get(admin_url(Region, "change", region.pk)).content.decode()
    assert "Lihat catatan audit" in body
    response = client.get(AUDIT, {"object_pk": region.pk})
    assert list(response.context["cl"].result_list) == [
        *LogEntry.objects.get_for_object(region).order_by("-timestamp")
    ]


def test_a_user_change_is_logged_without_the_password(client, national_admin, officer):
    client.force_login(national_admin)
    data = {
        "username": officer.username,
        "role": Role.VIEWER,
        "region": officer.region_id,
        "is_active": "on",
        "date_joined_0": "2024-11-01",
        "date_joined_1": "08:00:00",
    }
    assert client.post(admin_url(User, "change", officer.pk), data).status_code == 302
    entry = LogEntry.objects.get_for_object(officer).filter(actor=national_admin).get()
    assert entry.changes_dict["role"] == ["officer", "viewer"]
    assert "password" not in entry.changes_dict and "last_login" not in entry.changes_dict


def test_a_catalogue_change_is_logged(client, national_admin):
    item = LogisticsItem.objects.get(code="tinta")
    client.force_login(national_admin)
    data = {
        "name": item.name,
        "unit": item.unit,
        "rule": item.rule,
        "parameter": "3",
        "note": "",
        "sort_order": item.sort_order,
        "is_active": "on",
    }
    assert client.post(admin_url(LogisticsItem, "change", item.pk), data).status_code == 302
    entry = LogEntry.objects.get_for_object(item).get()
    assert entry.actor == national_admin and entry.changes_dict["parameter"] == ["2.00", "3"]


def test_bulk_deactivation_is_logged_row_by_row(client, national_admin, tree):
    stations = list(TPS.objects.filter(desa_id="64.72.01.1001"))
    client.force_login(national_admin)
    client.post(
        admin_url(TPS, "changelist"),
        {"action": "deactivate", "_selected_action": [t.pk for t in stations]},
    )
    for tps in stations:
        entry = LogEntry.objects.get_for_object(tps).get(action=LogEntry.Action.UPDATE)
        assert entry.actor == national_admin
        assert entry.changes_dict == {"is_active": ["True", "False"]}


def test_province_admin_reads_only_their_province_entries(
    client, national_admin, province_admin, other_province
):
    client.force_login(national_admin)
    for code, name in [("64.72", "Kota Samarinda"), ("65.01", "Kab. Malinau")]:
        client.post(admin_url(Region, "change", code), {"name": name, "is_active": "on"})
    item = LogisticsItem.objects.get(code="segel")
    client.post(
        admin_url(LogisticsItem, "change", item.pk),
        {
            "name": "Segel plastik",
            "unit": item.unit,
            "rule": item.rule,
            "parameter": "10",
            "sort_order": item.sort_order,
            "is_active": "on",
        },
    )

    client.force_login(province_admin)
    response = client.get(AUDIT)
    assert response.status_code == 200
    shown = {entry.object_repr for entry in response.context["cl"].result_list}
    assert "64.72 Kota Samarinda" in shown
    assert not any(repr_.startswith("65") for repr_ in shown)  # Kalimantan Utara's
    assert "Segel plastik" not in shown  # the catalogue is national
    assert "admin.kaltara" not in shown and "desk.kaltara" not in shown
    outside = LogEntry.objects.get_for_object(other_province["65.01"]).first()
    url = reverse("admin:auditlog_logentry_change", args=[outside.pk])
    assert client.get(url).status_code == 404
    # Entries are read, never written, in the admin.
    assert client.get(reverse("admin:auditlog_logentry_add")).status_code == 403
