"""Shared fixtures: a small Kalimantan Timur tree and the personas every view test uses.

Tree: province 64 with kota 64.71 (kecamatan 64.71.01 and 64.71.06, two kelurahan each,
three TPS per kelurahan) and kota 64.72 (kecamatan 64.72.01, one kelurahan, two TPS); a
governor contest for 64 and mayor contests for both kota, voting four days from now.
"""

import datetime as dt
import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from readiness.models import Contest, ContestKind, Role

from .factories import ContestFactory, RegionFactory, TPSFactory, UserFactory

REQUIRE_SERVICES = os.environ.get("DESK_REQUIRE_SERVICES") == "1"


def service_unavailable(reason: str) -> None:
    """Skip a test that needs a missing service, or fail it when CI demands the real services."""
    if REQUIRE_SERVICES:
        pytest.fail(f"DESK_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _back_to_indonesian():
    # LocaleMiddleware activates the request's language on the test thread and leaves it
    # active; without this, a test that switched to English would leak it into the next.
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Province time zones are cached; each test builds its own regions.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tree(db):
    regions = {}
    for code in [
        "64",
        "64.71",
        "64.71.01",
        "64.71.01.1001",
        "64.71.01.1002",
        "64.71.06",
        "64.71.06.1001",
        "64.71.06.1002",
        "64.72",
        "64.72.01",
        "64.72.01.1001",
    ]:
        regions[code] = RegionFactory(code=code)
    for desa in ["64.71.01.1001", "64.71.01.1002", "64.71.06.1001", "64.71.06.1002"]:
        for number in (1, 2, 3):
            TPSFactory(desa=regions[desa], number=number)
    for number in (1, 2):
        TPSFactory(desa=regions["64.72.01.1001"], number=number)
    # Voting four days from now: a governor for the province, a mayor for each kota.
    ContestFactory(region=regions["64"], kind=ContestKind.GOVERNOR)
    ContestFactory(region=regions["64.71"], kind=ContestKind.MAYOR)
    ContestFactory(region=regions["64.72"], kind=ContestKind.MAYOR)
    return regions


PILKADA_2024 = dt.date(2024, 11, 27)


@pytest.fixture
def pilkada_2024(tree):
    """The tree's contests held again on the real 2024 calendar, for tests pinned to a day of
    it: voting Wednesday 27 November 2024, reporting from 30 days before to 7 days after. The
    contests of today stay, so reports can still be filed today."""
    for contest in list(Contest.objects.all()):
        ContestFactory(
            region=contest.region,
            kind=contest.kind,
            voting_day=PILKADA_2024,
            reporting_start=PILKADA_2024 - dt.timedelta(days=30),
            reporting_end=PILKADA_2024 + dt.timedelta(days=7),
        )
    return tree


@pytest.fixture
def officer(tree):
    """The desk officer of kecamatan Balikpapan Kota."""
    return UserFactory(username="desk.balikpapan-kota", role=Role.OFFICER, region=tree["64.71.06"])


@pytest.fixture
def neighbour_officer(tree):
    """The desk officer of kecamatan Balikpapan Timur, next door."""
    return UserFactory(username="desk.balikpapan-timur", role=Role.OFFICER, region=tree["64.71.01"])


@pytest.fixture
def city_officer(tree):
    return UserFactory(username="desk.balikpapan", role=Role.OFFICER, region=tree["64.71"])


@pytest.fixture
def province_viewer(tree):
    """The Sekda: reads the whole province, files nothing."""
    return UserFactory(username="sekda.kaltim", role=Role.VIEWER, region=tree["64"])


@pytest.fixture
def national_admin(db):
    return UserFactory(
        username="admin", role=Role.ADMIN, region=None, is_staff=True, is_superuser=True
    )


@pytest.fixture
def redis_broker_url():
    """The real Redis broker, or a skip (a failure in CI) when it is not configured or down."""
    url = settings.DESK.broker_url
    if not url:
        service_unavailable("CELERY_BROKER_URL is not set; this test needs a real Redis broker")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        service_unavailable(f"Redis at {url} is unreachable: {exc}")
    return url
