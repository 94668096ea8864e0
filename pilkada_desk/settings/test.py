"""Test settings: the same as base, faster hashing, and tasks inline unless a test starts a worker.

Whether the suite talks to PostgreSQL/Redis is decided by DATABASE_URL and CELERY_BROKER_URL,
exactly as in production; `.ci/run` sets both.
"""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Most tests want the rollup done by the time the request returns; the worker test switches
# this off for itself and lets a real worker consume from Redis.
CELERY_TASK_ALWAYS_EAGER = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
