"""Settings for every deployment; differences come only from the environment (see environment.py)."""

import os
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from .environment import read_environment

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# A local .env is a convenience for developers; real deployments set real variables.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DESK = read_environment(os.environ, base_dir=BASE_DIR)

DEBUG = DESK.debug
SECRET_KEY = DESK.secret_key
ALLOWED_HOSTS = DESK.allowed_hosts

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "simple_history",
    "auditlog",
    "rest_framework",
    "rest_framework.authtoken",
    "readiness",
    "logistics",
    "security",
    "indicators",
    "briefing",
    "administration",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "readiness.middleware.HtmxLoginRedirectMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "readiness.middleware.RegionTimezoneMiddleware",
]

if not DEBUG:
    # Static files come from collectstatic through WhiteNoise; in DEBUG runserver serves them.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

# Every change to the registry, the users and the catalogues is recorded (who, when, before →
# after) and read in the admin; the middleware puts the request's user on each entry.
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    "readiness.Region",
    "readiness.TPS",
    {"model": "readiness.User", "exclude_fields": ["password", "last_login"]},
    "readiness.Contest",
    "logistics.LogisticsItem",
    "security.PersonnelCategory",
    "security.IncidentCategory",
    "indicators.Indicator",
)

ROOT_URLCONF = "pilkada_desk.urls"
WSGI_APPLICATION = "pilkada_desk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": DESK.database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CACHES = DESK.caches

AUTH_USER_MODEL = "readiness.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Bahasa Indonesia first, English available through the language switch.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_THOUSAND_SEPARATOR = True
# Stored in UTC; shown in the local zone of the user's province (readiness.middleware).
USE_TZ = True
TIME_ZONE = "Asia/Jakarta"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

if not DEBUG:
    SESSION_COOKIE_SECURE = os.environ.get("DJANGO_SECURE_COOKIES", "true").lower() != "false"
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [
        origin for origin in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if origin
    ]

# The read API: the browser session for the dashboards' own scripts, tokens for other systems
# (an admin creates one per system in the admin). Scoping is the same as the pages'.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous call gets 401 with WWW-Authenticate rather than 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# Celery: a broker URL means real workers; none means tasks run inline (embedded default).
CELERY_BROKER_URL = DESK.broker_url or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = DESK.tasks_run_eagerly
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A desk officer's save must not hang for long when Redis is away: give up publishing quickly.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3, "socket_timeout": 5}
# The beat schedule lives in pilkada_desk/celery.py, next to the app it configures.

# The live part of a dashboard asks the server again this often (and at once when a report is
# saved in the same browser); a briefing room on a slow link can afford one request a minute.
DESK_DASHBOARD_REFRESH_SECONDS = 60

# Imports (administration): files above this size are refused before they are read, and files
# with more rows than DESK_IMPORT_ASYNC_ROWS are checked and applied by a Celery worker, with
# progress on the page, instead of inside the web request.
DESK_IMPORT_MAX_BYTES = 50 * 1024 * 1024
DESK_IMPORT_ASYNC_ROWS = 5000
# Briefing exports (briefing.exports): a PDF or XLSX of a region with more kecamatan than this
# (a province, the country) is built by a Celery worker with progress on the page; smaller ones
# are answered at once. Kalimantan Timur has 105 kecamatan, its largest kabupaten 20.
DESK_EXPORT_ASYNC_KECAMATAN = 50
# Invitations to imported users go out by email: printed to the console in development;
# a deployment sets DJANGO_EMAIL_BACKEND (and EMAIL_HOST…) to a real mail server.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "desk-pilkada@localhost")

# Each province's briefing snapshot ("data per 08.00 WITA") is frozen at this local time
# (readiness.snapshots); a datetime.time, from DESK_SNAPSHOT_TIME="HH:MM".
DESK_SNAPSHOT_TIME = DESK.snapshot_time

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
