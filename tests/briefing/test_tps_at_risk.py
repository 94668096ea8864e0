"""The TPS-at-risk page: every TPS bermasalah or sangat rawan under a region, filtered."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from readiness.models import TPS, TPSProblem, TPSReadiness, Vulnerability
from readiness.tps import tps_status_set

from ..factories import TPSFactory


def listed(body: str) -> int:
    return body.count("<tr data-tps=")


@pytest.fixture
def at_risk(tree, officer):
    """In 64.71.06: TPS 1 of 1001 bermasalah (banjir, with a note), TPS 2 of 1001 bermasalah
    (akses), TPS 3 of 1001 sangat rawan; in 64.72.01, TPS 1 sangat rawan."""
    stations = {
        station.number: station
        for station in TPS.objects.filter(desa_id="64.71.06.1001").order_by("number")
    }
    tps_status_set(
        officer=officer,
        region=officer.region,
        tps_ids=[stations[1].pk],
        readiness=TPSReadiness.PROBLEM,
        problems=[TPSProblem.DISASTER],
        note="Genangan 40 cm sejak subuh",
    )
    tps_status_set(
        officer=officer,
        region=officer.region,
        tps_ids=[stations[2].pk],
        readiness=TPSReadiness.PROBLEM,
        problems=[TPSProblem.ACCESS],
    )
    TPS.objects.filter(pk=stations[3].pk).update(vulnerability=Vulnerability.HIGHLY_VULNERABLE)
    TPS.objects.filter(desa_id="64.72.01.1001", number=1).update(
        vulnerability=Vulnerability.HIGHLY_VULNERABLE
    )
    return stations


def test_lists_problem_and_highly_vulnerable_tps_with_the_latest_note(
    client, province_viewer, at_risk
):
    client.force_login(province_viewer)
    body = client.get(reverse("tps_at_risk", args=["64"])).content.decode()
    assert listed(body) == 4
    assert "Genangan 40 cm sejak subuh" in body
    # Bermasalah first.
    assert body.index(f'data-tps="{at_risk[1].pk}"') < body.index(f'data-tps="{at_risk[3].pk}"')


def test_filters_by_reason_and_class(client, province_viewer, at_risk):
    client.force_login(province_viewer)
    url = reverse("tps_at_risk", args=["64"])
    assert listed(client.get(url, {"alasan": "bencana"}).content.decode()) == 1
    assert listed(client.get(url, {"alasan": "akses"}).content.decode()) == 1
    assert listed(client.get(url, {"alasan": "sangat_rawan"}).content.decode()) == 2
    assert listed(client.get(url, {"kelas": "sangat_rawan"}).content.decode()) == 2
    assert listed(client.get(url, {"kelas": "kurang_rawan"}).content.decode()) == 2
    assert client.get(url, {"alasan": "tsunami"}).status_code == 400


def test_a_kab_kota_sees_only_its_own(client, city_officer, at_risk):
    client.force_login(city_officer)
    assert listed(client.get(reverse("tps_at_risk", args=["64.71"])).content.decode()) == 3
    assert client.get(reverse("tps_at_risk", args=["64.72"])).status_code == 404


def test_htmx_filter_gets_only_the_results(client, province_viewer, at_risk):
    client.force_login(province_viewer)
    response = client.get(
        reverse("tps_at_risk", args=["64"]), {"alasan": "akses"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"')
    assert listed(body) == 1


def test_paginated_with_bounded_queries(client, province_viewer, tree):
    client.force_login(province_viewer)
    url = reverse("tps_at_risk", args=["64"])

    def queries() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"kelas": "sangat_rawan"})
        assert response.status_code == 200
        return len(captured)

    TPS.objects.update(vulnerability=Vulnerability.HIGHLY_VULNERABLE)
    few = queries()
    for number in range(10, 80):
        TPSFactory(
            desa=tree["64.72.01.1001"], number=number, vulnerability=Vulnerability.HIGHLY_VULNERABLE
        )
    assert queries() == few
    body = client.get(url, {"kelas": "sangat_rawan", "halaman": 2}).content.decode()
    assert listed(body) == 84 - 50
    assert "halaman=1" in body and "kelas=sangat_rawan" in body
