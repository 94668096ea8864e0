"""The deployment shape: docker-compose.yml's services, and settings in production mode.

There is no Docker engine on the CI machine, so compose is checked as the file it is.
"""

import os
import subprocess
import sys
from pathlib import Path

import yaml

BASE_DIR = Path(__file__).resolve().parent.parent


def load_compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def test_compose_runs_web_worker_beat_postgres_and_redis():
    services = load_compose()["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    for name in ("postgres", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]


def test_django_services_share_one_image_and_wait_for_healthy_services():
    services = load_compose()["services"]
    web, worker, beat = services["web"], services["worker"], services["beat"]
    assert web["image"] == worker["image"] == beat["image"]
    for service in (web, worker, beat):
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["environment"]["CELERY_BROKER_URL"].startswith("redis://")
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "gunicorn pilkada_desk.wsgi:application" in " ".join(web["command"].split())
    assert worker["command"][:4] == ["celery", "-A", "pilkada_desk", "worker"]
    assert beat["command"][:4] == ["celery", "-A", "pilkada_desk", "beat"]


def test_production_settings_pass_the_system_checks():
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "CELERY_"))
    }
    environment |= {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "k" * 60,
        "DJANGO_ALLOWED_HOSTS": "desk.example.go.id",
    }
    finished = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 0, finished.stderr
