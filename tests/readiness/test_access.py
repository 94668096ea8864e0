"""Scoping: every page answers 404 outside the user's region and 403 for the wrong role."""

import pytest
from django.urls import reverse

from readiness.access import regions_visible_to


def test_anonymous_user_is_sent_to_login(client, tree):
    for url in [
        reverse("home"),
        reverse("region_dashboard", args=["64"]),
        reverse("daily_report", args=["64.71.06"]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_officer_cannot_see_or_file_for_neighbour(client, officer):
    client.force_login(officer)

    assert client.get(reverse("region_dashboard", args=["64.71.01"])).status_code == 404
    assert client.get(reverse("daily_report", args=["64.71.01"])).status_code == 404
    posted = client.post(reverse("daily_report", args=["64.71.01"]), {"tps_ready": 1})
    assert posted.status_code == 404


def test_officer_cannot_see_above_own_region(client, officer):
    client.force_login(officer)
    assert client.get(reverse("region_dashboard", args=["64.71"])).status_code == 404
    assert client.get(reverse("region_dashboard", args=["64"])).status_code == 404
    assert client.get(reverse("region_dashboard", args=["64.72"])).status_code == 404


def test_unknown_region_is_404_even_for_the_national_admin(client, national_admin):
    client.force_login(national_admin)
    assert client.get(reverse("region_dashboard", args=["99"])).status_code == 404


def test_province_viewer_reads_every_kabkota_page(client, province_viewer, tree):
    client.force_login(province_viewer)
    for code in ["64", "64.71", "64.72", "64.71.06"]:
        assert client.get(reverse("region_dashboard", args=[code])).status_code == 200, code


def test_viewer_may_not_file_a_report(client, province_viewer):
    client.force_login(province_viewer)
    response = client.post(reverse("daily_report", args=["64.71.06"]), {"tps_ready": 1})
    assert response.status_code == 403


def test_kabkota_officer_reads_its_kecamatan_but_does_not_file_for_them(client, city_officer):
    client.force_login(city_officer)
    assert client.get(reverse("region_dashboard", args=["64.71.06"])).status_code == 200
    assert client.get(reverse("daily_report", args=["64.71.06"])).status_code == 403
    assert client.get(reverse("daily_report", args=["64.71"])).status_code == 200


def test_home_sends_users_to_their_region(client, officer, national_admin):
    client.force_login(officer)
    assert client.get(reverse("home")).url == reverse("region_dashboard", args=["64.71.06"])
    client.force_login(national_admin)
    assert client.get(reverse("home")).url == reverse("national")


def test_only_the_national_admin_sees_the_province_list(client, officer, national_admin, tree):
    client.force_login(national_admin)
    assert b"Wilayah 64" in client.get(reverse("national")).content
    client.force_login(officer)
    assert client.get(reverse("national")).status_code == 302


@pytest.mark.django_db
def test_regions_visible_to_is_the_subtree(officer, province_viewer, national_admin, tree):
    assert set(regions_visible_to(officer).values_list("code", flat=True)) == {
        "64.71.06",
        "64.71.06.1001",
        "64.71.06.1002",
    }
    assert regions_visible_to(province_viewer).count() == len(tree)
    assert regions_visible_to(national_admin).count() == len(tree)


def test_deactivated_user_sees_nothing(client, officer):
    officer.is_active = False
    officer.save()
    client.force_login(officer)
    response = client.get(reverse("region_dashboard", args=["64.71.06"]))
    assert response.status_code == 302  # logged out by the auth backend, back to login
