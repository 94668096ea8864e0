"""Personas of the admin site: the national admin (tests/conftest.py), the admin of Kalimantan
Timur (64), and a neighbouring province, Kalimantan Utara (65), with its own kab, kecamatan,
kelurahan, TPS, contest and desk officer that the Kaltim admin must never reach."""

import pytest

from readiness import services
from readiness.models import ContestKind, Role
from readiness.selectors import local_today

from ..factories import ContestFactory, RegionFactory, TPSFactory, UserFactory


@pytest.fixture
def province_admin(tree):
    return UserFactory(username="admin.kaltim", role=Role.ADMIN, region=tree["64"], is_staff=True)


@pytest.fixture
def other_province(tree):
    regions = {
        code: RegionFactory(code=code) for code in ["65", "65.01", "65.01.01", "65.01.01.2001"]
    }
    regions["tps"] = TPSFactory(desa=regions["65.01.01.2001"], number=1)
    regions["contest"] = ContestFactory(region=regions["65"], kind=ContestKind.GOVERNOR)
    regions["officer"] = UserFactory(
        username="desk.kaltara", role=Role.OFFICER, region=regions["65.01.01"]
    )
    regions["admin"] = UserFactory(
        username="admin.kaltara", role=Role.ADMIN, region=regions["65"], is_staff=True
    )
    return regions


@pytest.fixture
def report(officer, tree):
    """Balikpapan Kota's submitted report of today: the kecamatan and its TPS have reports."""
    return services.daily_report_submit(
        officer=officer,
        region=tree["64.71.06"],
        day=local_today("64.71.06"),
        data={"no_incidents": True},
    )
