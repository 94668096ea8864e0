"""GET /api/v1/rollups/<code>/: the dashboards' figures as JSON, scoped like the pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from readiness import services
from readiness.selectors import local_today

from ..factories import RegionFactory


def url(code: str) -> str:
    return reverse("api_rollup_detail", args=[code])


@pytest.fixture
def reported(officer, tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.daily_report_submit(
            officer=officer,
            region=tree["64.71.06"],
            day=local_today("64"),
            data={"no_incidents": True},
        )


def test_province_figures_with_coverage_and_children(client, province_viewer, reported):
    client.force_login(province_viewer)
    body = client.get(url("64")).json()
    assert body["code"] == "64"
    assert body["date"] == local_today("64").isoformat()
    assert body["as_of"] is not None
    assert body["figures"]["tps_total"] == 14
    assert body["figures"]["kecamatan_reported"] == 1
    assert body["coverage"]["children_expected"] == 2
    assert {child["code"] for child in body["children"]} == {"64.71", "64.72"}
    assert {missing["code"] for missing in body["coverage"]["children_missing"]} == {
        "64.71",
        "64.72",
    }


def test_token_authentication_and_the_same_scoping(client, officer, reported):
    token = Token.objects.create(user=officer)
    headers = {"Authorization": f"Token {token.key}"}
    assert client.get(url("64.71.06"), headers=headers).status_code == 200
    assert client.get(url("64.71.01"), headers=headers).status_code == 404
    assert client.get(url("64"), headers=headers).status_code == 404


def test_anonymous_gets_401(client, tree):
    response = client.get(url("64"))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    ("date", "status"), [("2099-01-01", 400), ("kemarin", 400), ("2024-11-23", 200)]
)
def test_dates(client, province_viewer, date, status):
    client.force_login(province_viewer)
    assert client.get(url("64"), {"date": date}).status_code == status


def test_queries_are_bounded(client, province_viewer, reported, django_assert_max_num_queries):
    client.force_login(province_viewer)
    client.get(url("64"))  # warm the session and the zone cache
    # Readiness's own reads plus a fixed share per section (logistics, personnel, incidents,
    # indicators), whatever the number of children.
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("64")).status_code == 200
    for number in range(73, 83):
        RegionFactory(code=f"64.{number}")
    with CaptureQueriesContext(connection) as many:
        body = client.get(url("64")).json()
    assert len(body["children"]) == 12
    assert len(many.captured_queries) == len(few.captured_queries) <= 20
