"""When CI demands the real services, prove the suite really ran on them."""

import pytest
from django.conf import settings
from django.db import connection

from .conftest import REQUIRE_SERVICES

pytestmark = pytest.mark.skipif(not REQUIRE_SERVICES, reason="only when DESK_REQUIRE_SERVICES=1")


@pytest.mark.django_db
def test_suite_runs_on_postgresql():
    assert connection.vendor == "postgresql", (
        "DESK_REQUIRE_SERVICES=1 needs DATABASE_URL=postgres://…"
    )


def test_suite_has_a_redis_broker(redis_broker_url):
    assert settings.DESK.broker_url.startswith("redis://")
