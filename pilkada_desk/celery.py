import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilkada_desk.settings.base")

app = Celery("pilkada_desk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The one place where periodic jobs are declared; each entry says when and why.
app.conf.beat_schedule = {}
