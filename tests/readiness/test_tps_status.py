"""The kecamatan desk keeps each TPS's status: inline edits, bulk actions, history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from readiness.models import TPS, TPSReadiness, TPSStatus
from readiness.tps import tps_counts, tps_status_history, tps_status_set


@pytest.fixture
def stations(tree):
    return list(TPS.objects.within("64.71.06").order_by("desa_id", "number"))


def set_status(officer, tps_list, readiness, **extra):
    return tps_status_set(
        officer=officer,
        region=officer.region,
        tps_ids=[tps.pk for tps in tps_list],
        readiness=readiness,
        **extra,
    )


def test_bulk_set_and_counts(officer, stations):
    assert set_status(officer, stations[:4], TPSReadiness.READY) == 4
    assert set_status(officer, stations[4:5], TPSReadiness.PROBLEM, problems=["akses"]) == 1
    assert tps_counts(region_code="64.71.06") == type(tps_counts(region_code="64.71.06"))(
        total=6, ready=4, problem=1
    )
    assert tps_counts(region_code="64.71.06").not_ready == 1
    # Setting what is already there changes nothing.
    assert set_status(officer, stations[:4], TPSReadiness.READY) == 0


def test_every_change_is_kept_with_who_and_when(officer, stations):
    set_status(officer, stations[:1], TPSReadiness.PROBLEM, problems=["bencana"], note="banjir")
    set_status(officer, stations[:1], TPSReadiness.READY, note="air surut")
    history = tps_status_history(stations[0])
    assert [entry.readiness for entry in history] == ["siap", "bermasalah"]
    assert {entry.history_user for entry in history} == {officer}
    assert history[0].problems == []  # reasons are cleared when the TPS is no longer a problem


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"problems": []}, "problems"),
        ({"problems": ["lainnya"], "other_problem": " "}, "other_problem"),
        ({"problems": ["tidak-ada"]}, "problems"),
    ],
)
def test_a_problem_needs_its_reasons(officer, stations, extra, field):
    with pytest.raises(ValidationError) as refused:
        set_status(officer, stations[:2], TPSReadiness.PROBLEM, **extra)
    assert field in refused.value.message_dict
    assert not TPSStatus.objects.exists()


def test_tps_outside_the_kecamatan_changes_nothing(officer, stations):
    neighbour_tps = TPS.objects.within("64.71.01").first()
    with pytest.raises(ValidationError, match="tidak ditemukan di kecamatan ini"):
        set_status(officer, [stations[0], neighbour_tps], TPSReadiness.READY)
    assert not TPSStatus.objects.exists()


def test_only_the_kecamatan_officer_sets_statuses(city_officer, province_viewer, stations, tree):
    for user in (city_officer, province_viewer):
        with pytest.raises(PermissionDenied):
            tps_status_set(
                officer=user,
                region=tree["64.71.06"],
                tps_ids=[stations[0].pk],
                readiness=TPSReadiness.READY,
            )


# --- views ---


def test_table_for_officer_and_viewer(client, officer, province_viewer, stations):
    set_status(officer, stations[:1], TPSReadiness.PROBLEM, problems=["bencana"], note="genangan")
    url = reverse("tps_table", args=["64.71.06"])

    client.force_login(officer)
    body = client.get(url).content.decode()
    assert "Risiko banjir/bencana" in body and "genangan" in body
    assert 'id="tps-bulk"' in body

    client.force_login(province_viewer)
    body = client.get(url).content.decode()
    assert "genangan" in body
    assert 'id="tps-bulk"' not in body  # viewers read only


def test_table_filters_and_htmx_fragment(client, officer, stations):
    set_status(officer, stations[:2], TPSReadiness.READY)
    client.force_login(officer)
    response = client.get(
        reverse("tps_table", args=["64.71.06"]),
        {"status": "siap", "desa": "64.71.06.1001"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="tps-table"')
    assert body.count('<tr id="tps-') == 2
    not_ready = client.get(reverse("tps_table", args=["64.71.06"]), {"status": "belum_siap"})
    assert not_ready.content.decode().count('<tr id="tps-') == 4


def test_table_is_404_outside_region_and_for_non_kecamatan(client, officer, province_viewer):
    client.force_login(officer)
    assert client.get(reverse("tps_table", args=["64.71.01"])).status_code == 404
    client.force_login(province_viewer)
    assert client.get(reverse("tps_table", args=["64.71"])).status_code == 404


def test_inline_edit_round_trip(client, officer, stations):
    client.force_login(officer)
    url = reverse("tps_row", args=["64.71.06", stations[0].pk])
    edit = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert edit.lstrip().startswith(f'<tr id="tps-{stations[0].pk}" class="editing">')

    refused = client.post(url, {"readiness": "bermasalah"}, headers={"HX-Request": "true"})
    assert "pilih minimal satu jenis masalah" in refused.content.decode()
    assert not TPSStatus.objects.exists()

    saved = client.post(
        url,
        {"readiness": "bermasalah", "problems": ["akses"], "note": "jembatan putus"},
        headers={"HX-Request": "true"},
    )
    body = saved.content.decode()
    assert saved.headers["HX-Trigger"] == '{"tps-changed": {}}'
    assert body.lstrip().startswith(f'<tr id="tps-{stations[0].pk}">')
    assert "Akses sulit" in body and "jembatan putus" in body


def test_bulk_marks_the_ticked_tps(client, officer, stations):
    client.force_login(officer)
    response = client.post(
        reverse("tps_bulk", args=["64.71.06"]),
        {"tps": [tps.pk for tps in stations[:5]], "readiness": "siap", "status": "siap"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert "5 TPS diubah menjadi Siap." in body
    assert body.count('<tr id="tps-') == 5  # the filter travelled with the bulk form
    assert TPSStatus.objects.filter(readiness="siap").count() == 5


def test_bulk_without_ticks_or_with_foreign_tps_changes_nothing(client, officer, stations):
    client.force_login(officer)
    empty = client.post(reverse("tps_bulk", args=["64.71.06"]), {"readiness": "siap"}, follow=True)
    assert "Centang dulu TPS" in empty.content.decode()
    foreign = TPS.objects.within("64.71.01").first()
    client.post(reverse("tps_bulk", args=["64.71.06"]), {"readiness": "siap", "tps": [foreign.pk]})
    assert not TPSStatus.objects.exists()


def test_viewer_and_neighbour_cannot_edit(client, province_viewer, neighbour_officer, stations):
    url = reverse("tps_row", args=["64.71.06", stations[0].pk])
    client.force_login(province_viewer)
    assert client.post(url, {"readiness": "siap"}).status_code == 403
    client.force_login(neighbour_officer)
    assert client.post(url, {"readiness": "siap"}).status_code == 404
    assert not TPSStatus.objects.exists()


def test_history_page(client, officer, stations):
    set_status(officer, stations[:1], TPSReadiness.READY)
    client.force_login(officer)
    body = client.get(reverse("tps_history", args=["64.71.06", stations[0].pk])).content.decode()
    assert "Siap" in body and officer.username in body


def test_table_queries_do_not_grow_with_300_tps(client, officer, tree):
    client.force_login(officer)
    url = reverse("tps_table", args=["64.71.06"])
    client.get(url)

    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries_for_page()
    created = TPS.objects.bulk_create(
        TPS(desa=tree["64.71.06.1002"], number=number, dpt_male=250, dpt_female=250)
        for number in range(10, 310)
    )
    tps_status_set(
        officer=officer,
        region=tree["64.71.06"],
        tps_ids=[tps.pk for tps in TPS.objects.filter(number__gte=10)],
        readiness=TPSReadiness.READY,
    )
    assert len(created) == 300
    assert queries_for_page() == before
