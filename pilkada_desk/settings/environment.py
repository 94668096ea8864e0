"""Read the deployment's choices from environment variables, and refuse bad ones early.

Nothing set gives the *embedded default*: SQLite in the project folder, Celery tasks run
eagerly in the web process, DEBUG on, a development secret key. Setting ``DATABASE_URL`` and
``CELERY_BROKER_URL`` switches to PostgreSQL and Redis. Every refusal raises
``ImproperlyConfigured`` with a message that names the variable and what to put in it, because
the person reading it is deploying under deadline, not debugging Django.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-desk-pilkada-do-not-use-in-production"

_POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}
_SQLITE_SCHEMES = {"sqlite"}
_REDIS_SCHEMES = {"redis", "rediss"}

DEFAULT_SNAPSHOT_TIME = dt.time(8, 0)
_HH_MM = re.compile(r"(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})")


@dataclass(frozen=True)
class DeskEnvironment:
    debug: bool
    secret_key: str
    allowed_hosts: list[str]
    database: dict[str, Any]
    broker_url: str | None
    caches: dict[str, Any]
    # Local time of each province at which its briefing snapshot is frozen (readiness.snapshots).
    snapshot_time: dt.time = DEFAULT_SNAPSHOT_TIME

    @property
    def tasks_run_eagerly(self) -> bool:
        """Without a broker, tasks run inline so the embedded desk still rolls reports up."""
        return self.broker_url is None


def read_environment(environ_vars: Mapping[str, str], *, base_dir: Path) -> DeskEnvironment:
    env = environ.Env()
    env.ENVIRON = dict(environ_vars)

    debug = _read_bool(env, "DJANGO_DEBUG", default=True)
    secret_key = env.str("DJANGO_SECRET_KEY", default="")
    allowed_hosts = env.list("DJANGO_ALLOWED_HOSTS", default=[])
    if not debug:
        missing = [
            name
            for name, value in (
                ("DJANGO_SECRET_KEY", secret_key),
                ("DJANGO_ALLOWED_HOSTS", allowed_hosts),
            )
            if not value
        ]
        if missing:
            raise ImproperlyConfigured(
                f"DJANGO_DEBUG=false membutuhkan {' dan '.join(missing)}. "
                "Isi DJANGO_SECRET_KEY dengan kunci acak yang panjang dan DJANGO_ALLOWED_HOSTS "
                "dengan nama host server, dipisahkan koma (lihat .env.example)."
            )
    else:
        secret_key = secret_key or DEVELOPMENT_SECRET_KEY
        allowed_hosts = allowed_hosts or ["127.0.0.1", "localhost", "[::1]", "testserver"]

    broker_url = env.str("CELERY_BROKER_URL", default="") or None
    return DeskEnvironment(
        debug=debug,
        secret_key=secret_key,
        allowed_hosts=allowed_hosts,
        database=_database(env.str("DATABASE_URL", default=""), base_dir=base_dir),
        broker_url=_broker(broker_url),
        caches=_caches(env.str("CACHE_URL", default="") or broker_url),
        snapshot_time=_snapshot_time(env.str("DESK_SNAPSHOT_TIME", default="")),
    )


def _read_bool(env: environ.Env, name: str, *, default: bool) -> bool:
    raw = env.str(name, default="")
    if raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} tidak dikenal: gunakan true atau false.")


def _database(url: str, *, base_dir: Path) -> dict[str, Any]:
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(base_dir / "db.sqlite3"),
            # WAL lets the dashboard read while an officer's report is being written.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in _POSTGRES_SCHEMES | _SQLITE_SCHEMES:
        raise ImproperlyConfigured(
            f"DATABASE_URL tidak didukung: {_redact(url)!r}. Gunakan "
            "postgres://USER:PASSWORD@HOST:5432/NAMA_DB (atau kosongkan untuk SQLite)."
        )
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # django-environ raises several types for malformed URLs
        raise ImproperlyConfigured(
            f"DATABASE_URL tidak dapat dibaca ({exc}): {_redact(url)!r}."
        ) from exc
    if scheme in _POSTGRES_SCHEMES:
        if not config.get("NAME") or not config.get("HOST"):
            raise ImproperlyConfigured(
                f"DATABASE_URL harus menyebut host dan nama database: {_redact(url)!r}, "
                "misalnya postgres://postgres@127.0.0.1:5432/pilkada_desk."
            )
        # Psycopg 3 is what Django's postgresql backend uses when it is installed.
        config["ENGINE"] = "django.db.backends.postgresql"
        config["CONN_MAX_AGE"] = 60
        config["CONN_HEALTH_CHECKS"] = True
    return config


def _broker(url: str | None) -> str | None:
    if url is None:
        return None
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in _REDIS_SCHEMES:
        raise ImproperlyConfigured(
            f"CELERY_BROKER_URL tidak didukung: {_redact(url)!r}. Gunakan redis://HOST:6379/0 "
            "(atau kosongkan agar tugas dijalankan langsung)."
        )
    return url


def _caches(redis_url: str | None) -> dict[str, Any]:
    if redis_url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
            }
        }
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def _snapshot_time(raw: str) -> dt.time:
    if raw.strip() == "":
        return DEFAULT_SNAPSHOT_TIME
    match = _HH_MM.fullmatch(raw.strip())
    hour, minute = (int(match["hour"]), int(match["minute"])) if match else (-1, -1)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ImproperlyConfigured(
            f"DESK_SNAPSHOT_TIME={raw!r} tidak valid: gunakan format HH:MM (jam 00–23, menit "
            "00–59), waktu setempat provinsi, misalnya 08:00. Kosongkan untuk 08:00."
        )
    return dt.time(hour, minute)


def _redact(url: str) -> str:
    """Hide a password in an URL before it goes into an error message or a log."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
