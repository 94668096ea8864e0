import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from pilkada_desk.settings.environment import DEVELOPMENT_SECRET_KEY, read_environment

BASE_DIR = Path(__file__).resolve().parent.parent


def read(**variables):
    return read_environment(variables, base_dir=BASE_DIR)


def test_nothing_set_gives_the_embedded_default():
    desk = read()
    assert desk.database["ENGINE"] == "django.db.backends.sqlite3"
    assert desk.database["NAME"] == str(BASE_DIR / "db.sqlite3")
    assert desk.broker_url is None
    assert desk.tasks_run_eagerly
    assert desk.debug is True
    assert desk.secret_key == DEVELOPMENT_SECRET_KEY
    assert desk.caches["default"]["BACKEND"].endswith("LocMemCache")


def test_database_url_selects_postgresql_through_psycopg():
    desk = read(DATABASE_URL="postgres://desk:rahasia@db.internal:5433/pilkada")
    assert desk.database["ENGINE"] == "django.db.backends.postgresql"
    assert desk.database["HOST"] == "db.internal"
    assert desk.database["PORT"] == 5433
    assert desk.database["NAME"] == "pilkada"
    assert desk.database["USER"] == "desk"
    assert desk.broker_url is None and desk.tasks_run_eagerly


def test_broker_url_selects_real_celery_and_redis_cache():
    desk = read(CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert desk.broker_url == "redis://127.0.0.1:6379/0"
    assert not desk.tasks_run_eagerly
    assert desk.caches["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert desk.caches["default"]["LOCATION"] == "redis://127.0.0.1:6379/0"
    assert desk.database["ENGINE"] == "django.db.backends.sqlite3"


def test_both_services_together():
    desk = read(
        DATABASE_URL="postgresql://postgres@127.0.0.1:5432/pilkada_desk",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/1",
    )
    assert desk.database["ENGINE"] == "django.db.backends.postgresql"
    assert desk.broker_url == "redis://127.0.0.1:6379/1"


@pytest.mark.parametrize(
    ("variables", "missing"),
    [
        ({"DJANGO_DEBUG": "false"}, "DJANGO_SECRET_KEY dan DJANGO_ALLOWED_HOSTS"),
        ({"DJANGO_DEBUG": "false", "DJANGO_ALLOWED_HOSTS": "desk.example.id"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "x" * 50}, "DJANGO_ALLOWED_HOSTS"),
    ],
)
def test_production_mode_requires_secret_and_hosts(variables, missing):
    with pytest.raises(ImproperlyConfigured, match=f"membutuhkan {missing}"):
        read(**variables)


def test_production_mode_with_secret_and_hosts():
    desk = read(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="k" * 50,
        DJANGO_ALLOWED_HOSTS="desk.kaltimprov.go.id,127.0.0.1",
    )
    assert desk.debug is False
    assert desk.allowed_hosts == ["desk.kaltimprov.go.id", "127.0.0.1"]


@pytest.mark.parametrize(
    "url", ["mysql://root@localhost/desk", "postgres://", "127.0.0.1:5432", "postgres:///nohost"]
)
def test_bad_database_url_is_refused_clearly(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        read(DATABASE_URL=url)


def test_password_in_a_bad_database_url_is_not_repeated():
    with pytest.raises(ImproperlyConfigured) as refused:
        read(DATABASE_URL="mysql://root:supersecret@localhost/desk")
    assert "supersecret" not in str(refused.value)


def test_non_redis_broker_is_refused():
    with pytest.raises(ImproperlyConfigured, match="CELERY_BROKER_URL"):
        read(CELERY_BROKER_URL="amqp://guest@localhost//")


def test_unknown_debug_value_is_refused():
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG"):
        read(DJANGO_DEBUG="maybe")


def test_start_up_fails_with_the_message_when_production_lacks_a_secret():
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "CELERY_"))
    }
    environment["DJANGO_DEBUG"] = "false"
    finished = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode != 0
    assert "DJANGO_SECRET_KEY" in finished.stderr
    assert "ImproperlyConfigured" in finished.stderr


def test_snapshot_time_defaults_to_eight():
    import datetime as dt

    assert read().snapshot_time == dt.time(8, 0)
    assert read(DESK_SNAPSHOT_TIME="07:30").snapshot_time == dt.time(7, 30)
    assert read(DESK_SNAPSHOT_TIME="00:00").snapshot_time == dt.time(0, 0)


@pytest.mark.parametrize("value", ["8", "8:00", "24:00", "08:60", "08.00", "08:00:00", "pagi"])
def test_bad_snapshot_time_is_refused_clearly(value):
    with pytest.raises(ImproperlyConfigured, match=r"DESK_SNAPSHOT_TIME=.*format HH:MM"):
        read(DESK_SNAPSHOT_TIME=value)
