import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilkada_desk.settings.base")

app = Celery("pilkada_desk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The one place where periodic jobs are declared; each entry says when and why.
app.conf.beat_schedule = {
    # Every two minutes: roll up what is owed (readiness.RollupPending) — changes saved while
    # the broker was down, or whose task was lost — so dashboards catch up on their own.
    "rollup-catch-up": {
        "task": "readiness.tasks.rollup_catch_up_task",
        "schedule": 120.0,
    },
    # Nightly at 19:30 UTC (02:30 WIB, 03:30 WITA, 04:30 WIT), when no desk is filing:
    # rebuild the last three days from source, so any drift is gone by the morning briefing.
    "rollup-nightly-rebuild": {
        "task": "readiness.tasks.rollup_rebuild_recent_task",
        "schedule": crontab(hour=19, minute=30),
        "kwargs": {"days": 3},
    },
    # Every five minutes: freeze each province's briefing snapshot ("data per 08.00 WITA") once
    # its own local time reaches DESK_SNAPSHOT_TIME. Provinces are in WIB, WITA and WIT, so no
    # single crontab fits: the job checks often, and takes each province once, at (or within
    # five minutes after) its own 08:00; later runs that day find it taken and do nothing.
    "briefing-snapshots": {
        "task": "readiness.tasks.snapshot_due_task",
        "schedule": 300.0,
    },
}
