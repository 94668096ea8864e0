"""The dashboards read in a fixed number of queries, whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from briefing.selectors import region_dashboard
from readiness import rollups
from readiness.models import ContestKind, Region, Role
from readiness.selectors import local_today
from security.models import Incident, IncidentCategory, Severity

from ..factories import ContestFactory, RegionFactory, TPSFactory, UserFactory

# Kemendagri codes give kab/kota and kecamatan two digits: 99 is the most a parent can have.
MANY = 99
PAGE_BUDGET = 30


@pytest.fixture
def province(db):
    """Province 65 (WITA) with a governor contest, and its viewer."""
    region = RegionFactory(code="65")
    ContestFactory(region=region, kind=ContestKind.GOVERNOR)
    return region


@pytest.fixture
def viewer(province):
    return UserFactory(username="sekda.kaltara", role=Role.VIEWER, region=province)


def grow(parent_code: str, count: int, *, reporter) -> None:
    """Children 01..count under `parent_code`, each down to one desa with one TPS and an open
    incident, then the day's rollups rebuilt."""
    for number in range(1, count + 1):
        code = f"{parent_code}.{number:02d}"
        if Region.objects.filter(code=code).exists():
            continue
        child = RegionFactory(code=code)
        while child.level < 3:
            child = RegionFactory(code=f"{child.code}.01")
        desa = RegionFactory(code=f"{child.code}.2001")
        TPSFactory(desa=desa, number=1)
        Incident.objects.create(
            region=desa,
            category=IncidentCategory.objects.get(code="hoaks"),
            severity=Severity.HIGH,
            occurred_at=timezone.now(),
            description="Kabar bohong",
            reported_by=reporter,
        )
    rollups.rollup_rebuild_day(day=local_today(parent_code), within=parent_code[:2])


def page_queries(client, code: str) -> int:
    """The queries of one page view, held to the budget."""
    url = reverse("region_dashboard", args=[code])
    client.get(url)  # warm the session and the zone cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert len(captured) <= PAGE_BUDGET
    return len(captured)


@pytest.mark.parametrize("parent", ["65", "65.01"])
def test_dashboard_queries_do_not_grow_with_children(client, province, viewer, parent):
    if parent != "65":
        RegionFactory(code=parent)
    client.force_login(viewer)
    grow(parent, 10, reporter=viewer)
    few = page_queries(client, parent)
    grow(parent, MANY, reporter=viewer)
    assert Region.objects.filter(parent_id=parent).count() == MANY
    many = page_queries(client, parent)
    assert many == few


def test_selector_queries_do_not_grow_with_children(province, viewer):
    grow("65", 10, reporter=viewer)
    day = local_today("65")
    with CaptureQueriesContext(connection) as few:
        dashboard = region_dashboard(region=province, day=day)
    assert len(dashboard.rows) == 10
    grow("65", MANY, reporter=viewer)
    with CaptureQueriesContext(connection) as many:
        dashboard = region_dashboard(region=province, day=day)
    assert len(dashboard.rows) == MANY
    assert len(many) == len(few)
    assert dashboard.totals.incidents_open["tinggi"] == MANY  # the header is the rows' sum


def test_kecamatan_page_queries_do_not_grow_with_tps(client, province, viewer):
    kecamatan = RegionFactory(code="65.01.01")
    RegionFactory(code="65.01")

    def add_tps(total: int) -> None:
        for number in range(1, total + 1):
            desa = RegionFactory(code=f"{kecamatan.code}.{2000 + number}")
            if not desa.tps_set.exists():
                TPSFactory(desa=desa, number=1)

    client.force_login(viewer)
    add_tps(10)
    few = page_queries(client, kecamatan.code)
    add_tps(100)
    many = page_queries(client, kecamatan.code)
    body = client.get(reverse("region_dashboard", args=[kecamatan.code])).content.decode()
    assert body.count("<tr data-tps=") == 100
    assert many == few
