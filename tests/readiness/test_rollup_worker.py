"""The slice with a real Celery worker consuming from Redis: the rollup is not done inline."""

import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections
from django.urls import reverse

from pilkada_desk.celery import app as celery_app
from readiness.models import TPS, DailyRollup
from readiness.selectors import local_today
from readiness.tps import tps_status_set


@pytest.fixture
def real_worker(redis_broker_url, transactional_db):
    """A Celery worker thread consuming the project's queue on Redis; tasks are not eager."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    runs = []

    def record_run(sender=None, task=None, **_):
        runs.append(
            {
                "task": sender.name,
                "eager": task.request.is_eager,
                "delivery": task.request.delivery_info,
                "thread": threading.get_ident(),
            }
        )
        # The worker thread has its own database connection; close it so the test database
        # can be flushed and dropped afterwards.
        connections.close_all()

    task_postrun.connect(record_run, weak=False)
    with celery_app.connection_for_write() as connection:
        celery_app.control.purge(connection=connection)
    try:
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10
        ) as worker:
            yield worker, runs
    finally:
        task_postrun.disconnect(record_run)
        celery_app.conf.task_always_eager = previous


def test_report_is_rolled_up_by_the_worker_not_inline(
    client, officer, province_viewer, real_worker
):
    _worker, runs = real_worker
    stations = TPS.objects.within("64.71.06").values_list("pk", flat=True)
    tps_status_set(
        officer=officer, region=officer.region, tps_ids=list(stations[:5]), readiness="siap"
    )
    client.force_login(officer)

    response = client.post(
        reverse("daily_report", args=["64.71.06"]),
        {"action": "submit", "no_incidents": "on"},
    )
    assert response.status_code == 302

    day = local_today("64")
    submitted = time.monotonic()
    deadline = submitted + 20
    while not (runs and DailyRollup.objects.filter(region_id="64", day=day).exists()):
        assert time.monotonic() < deadline, "the worker did not roll the report up within 20 s"
        time.sleep(0.1)
    # What an official's client sees: the read API has the new figures within seconds.
    client.force_login(province_viewer)
    figures = client.get(reverse("api_rollup_detail", args=["64"])).json()["figures"]
    assert (figures["tps_ready"], figures["kecamatan_reported"]) == (5, 1)
    assert time.monotonic() - submitted < 10

    assert runs, "no task ran in the worker"
    assert runs[0]["task"] == "readiness.tasks.rollup_region_task"
    assert runs[0]["eager"] is False
    # Delivered through the broker, and run on the worker's thread rather than in the request.
    assert runs[0]["delivery"]["routing_key"] == "celery"
    assert runs[0]["thread"] != threading.get_ident()
    rollup = DailyRollup.objects.get(region_id="64", day=day)
    assert (rollup.tps_ready, rollup.tps_total) == (5, 14)

    page = client.get(reverse("region_dashboard", args=["64"])).content.decode()
    row_start = page.index('data-code="64.71"')
    assert "5 / 12" in page[row_start : page.index("</tr>", row_start)]
