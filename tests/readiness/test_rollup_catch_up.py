"""Nothing is lost when the broker is down: the change is saved, the debt is kept in the
database, and the beat job pays it once it runs."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from pilkada_desk.celery import app as celery_app
from readiness import rollups
from readiness.models import DailyReport, DailyRollup, RollupPending
from readiness.selectors import local_today
from readiness.tasks import rollup_catch_up_task


@pytest.fixture
def broker_down():
    """Celery publishing for real to a broker address where nothing listens."""
    previous = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    celery_app.conf.task_always_eager = False
    _forget_broker_connections()
    yield
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = previous
    _forget_broker_connections()


def _forget_broker_connections():
    # Celery caches its connection and producer pools on first use; dropping them makes the
    # next publish connect to the broker URL configured now. (No public API does this.)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_submission_succeeds_and_the_beat_job_catches_up(
    client, officer, broker_down, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("daily_report", args=["64.71.06"]), {"action": "submit", "no_incidents": "on"}
        )

    day = local_today("64.71.06")
    assert response.status_code == 302
    assert DailyReport.objects.get().status == "submitted"
    assert RollupPending.objects.filter(region_id="64.71.06", day=day).exists()
    assert not DailyRollup.objects.filter(region_id="64", day=day).exists()

    # The beat job leaves fresh debts to the workers for a minute, then pays them.
    assert rollups.rollup_pending_run() == 0
    RollupPending.objects.update(
        marked_at=RollupPending.objects.get().marked_at - dt.timedelta(minutes=2)
    )
    assert rollup_catch_up_task.apply().get() == 1

    assert not RollupPending.objects.exists()
    assert DailyRollup.objects.get(region_id="64", day=day).kecamatan_reported == 1


def test_a_paid_rollup_clears_its_debt_but_not_a_newer_one(officer, tree):
    day = local_today("64")
    RollupPending.objects.create(
        region=tree["64.71.06"], day=day, marked_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    rollups.rollup_region_and_settle(region_code="64.71.06", day=day)
    assert not RollupPending.objects.exists()

    later = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)  # marked again while the rollup ran
    RollupPending.objects.create(region=tree["64.71.06"], day=day, marked_at=later)
    rollups.rollup_region_and_settle(region_code="64.71.06", day=day)
    assert RollupPending.objects.filter(marked_at=later).exists()


def test_eager_rollups_leave_no_debt(client, officer, django_capture_on_commit_callbacks):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("daily_report", args=["64.71.06"]), {"action": "submit", "no_incidents": "on"}
        )
    assert not RollupPending.objects.exists()
    assert DailyRollup.objects.filter(region_id="64").exists()


def test_rebuild_command_for_a_region_updates_its_ancestors(officer, tree):
    from readiness import services

    day = local_today("64")
    services.daily_report_submit(
        officer=officer, region=tree["64.71.06"], day=day, data={"no_incidents": True}
    )
    DailyRollup.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_rollups", "--region", "64.71", "--date", day.isoformat(), stdout=out)
    assert "1/1" in out.getvalue()
    assert DailyRollup.objects.get(region_id="64.71", day=day).kecamatan_reported == 1
    assert DailyRollup.objects.get(region_id="64", day=day).kecamatan_reported == 1


def test_rebuild_command_refuses_an_unknown_region(tree):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("rebuild_rollups", "--region", "99.99")


def test_nightly_rebuild_covers_today_everywhere(officer, tree):
    from readiness import services

    services.daily_report_submit(
        officer=officer, region=tree["64.71.06"], day=local_today("64"), data={"no_incidents": True}
    )
    DailyRollup.objects.all().delete()
    assert rollups.rollup_rebuild_recent(days=2) > 0
    assert DailyRollup.objects.filter(region_id="64", day=local_today("64")).exists()


def test_beat_schedule_declares_the_catch_up_and_the_nightly_rebuild():
    schedule = celery_app.conf.beat_schedule
    assert schedule["rollup-catch-up"]["task"] == "readiness.tasks.rollup_catch_up_task"
    assert schedule["rollup-catch-up"]["schedule"] <= 300
    assert (
        schedule["rollup-nightly-rebuild"]["task"] == "readiness.tasks.rollup_rebuild_recent_task"
    )
    assert set(celery_app.tasks) >= {
        "readiness.tasks.rollup_region_task",
        "readiness.tasks.rollup_catch_up_task",
        "readiness.tasks.rollup_rebuild_recent_task",
    }
