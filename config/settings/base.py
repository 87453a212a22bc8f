"""Base settings, safe for development. Every value comes from the environment (see README)."""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Development only: production.py refuses to start with this value.
INSECURE_DEV_SECRET_KEY = "django-insecure-dev-only-key-never-use-in-production"
SECRET_KEY = env("DJANGO_SECRET_KEY", default=INSECURE_DEV_SECRET_KEY)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The demo accounts of seed_demo (SPEC §6) may log in; production turns this off.
DEMO_DATA_ALLOWED = True

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
]
LOCAL_APPS = [
    "devices",
    "repairs",
    "notifications",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.input_guard.ControlCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "repairs.navigation.navigation",
            ],
        },
    },
]

# SQLite under var/ by default; DATABASE_URL switches to PostgreSQL.
SQLITE_PATH = VAR_DIR / "db.sqlite3"
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}")}
# Several people at once on the embedded database: WAL lets readers run beside the writer,
# IMMEDIATE takes the write lock at BEGIN (no upgrade deadlock mid-transaction), and the
# busy timeout makes a second writer wait instead of failing with "database is locked".
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
        "PRAGMA busy_timeout=20000; PRAGMA cache_size=-64000;"
    ),
}
# Connections live across requests on both databases: on SQLite a connection also keeps its
# page cache (64 MB above), which a new connection per request would read again from disk.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["config.auth.DemoAwareModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploaded files live outside the static root and are never served by URL directly.
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous script is told 401 with "WWW-Authenticate: Token".
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "repairs.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "config.input_guard.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Repair tickets API",
    "VERSION": "1.0.0",
    "ENUM_NAME_OVERRIDES": {"TicketStateEnum": "repairs.states.State.choices"},
    "SERVE_INCLUDE_SCHEMA": False,
}

# Celery: without a broker URL, tasks run eagerly in the web process (embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Publishing happens inside web requests: never hang there when the broker is down.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# Periodic tasks (Celery beat); each app adds its own entries below.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}
# SLA (repairs/sla): flags at 80 % and at breach, and announces each threshold once.
CELERY_BEAT_SCHEDULE["sla-warnings"] = {"task": "repairs.tasks.sla_warnings", "schedule": 300.0}
# Reports: last month's PDF to managers on the 1st at 06:00 (Europe/Paris); stale exports purged nightly.
CELERY_BEAT_SCHEDULE["report-monthly"] = {
    "task": "repairs.tasks.report_monthly_email",
    "schedule": crontab(minute=0, hour=6, day_of_month=1),
}
CELERY_BEAT_SCHEDULE["report-exports-purge"] = {
    "task": "repairs.tasks.report_exports_purge",
    "schedule": crontab(minute=30, hour=3),
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
# Notifications (notifications/): re-enqueue deliveries whose wake-up call was lost, every minute;
# send the staff's daily digest at the end of the school day.
CELERY_BEAT_SCHEDULE["notifications-sweep-outbox"] = {"task": "notifications.tasks.sweep_outbox", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["notifications-daily-digest"] = {
    "task": "notifications.tasks.send_digests",
    "schedule": crontab(hour=17, minute=30),
}

# SLA business hours (repairs/sla): the defaults of a new SLA policy, and the calendar of tickets
# no policy matches. Europe/Paris wall-clock times; working days as ISO weekday digits (1 = Monday).
SLA_WORKDAY_START = env("SLA_WORKDAY_START", default="08:00")
SLA_WORKDAY_END = env("SLA_WORKDAY_END", default="18:00")
SLA_WORKING_DAYS = env("SLA_WORKING_DAYS", default="12345")
# School-holiday zone of each académie (package vacances-scolaires-france).
SLA_SCHOOL_HOLIDAY_ZONES = {"toulouse": "C", "montpellier": "C"}
# A PDF report with more sections than this is rendered by a Celery task ("your report is ready").
REPORT_PDF_SYNC_MAX_SECTIONS = env.int("REPORT_PDF_SYNC_MAX_SECTIONS", default=30)

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="sav-ordinateurs@example.org")
# A mail server that does not answer must not hold a worker (or, without a broker, a request) long.
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=10)
# Links in notifications point here: the site's public address, without a trailing slash.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# SMS: notifications.channels.FileSMSBackend (default: one JSON line per message in SMS_FILE_PATH),
# ConsoleSMSBackend, or HTTPSMSBackend (JSON POST to SMS_HTTP_URL with a bearer SMS_HTTP_API_KEY).
SMS_BACKEND = env("SMS_BACKEND", default="notifications.channels.FileSMSBackend")
SMS_FILE_PATH = env("SMS_FILE_PATH", default=str(VAR_DIR / "sms.log"))
SMS_HTTP_URL = env("SMS_HTTP_URL", default="")
SMS_HTTP_API_KEY = env("SMS_HTTP_API_KEY", default="")
SMS_HTTP_TIMEOUT = env.float("SMS_HTTP_TIMEOUT", default=10.0)
SMS_SENDER = env("SMS_SENDER", default="SAV Lycees")
# Delivery attempts per notification, then "failed" (visible in the admin, with a resend action).
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=6)
# Backoff between attempts: 30 s, doubled each time, at most 10 min (well under Redis' 1 h
# visibility timeout, after which an unacknowledged delayed message would be delivered again).
NOTIFICATIONS_RETRY_BACKOFF = 30
NOTIFICATIONS_RETRY_BACKOFF_MAX = 600
# A pending row overdue by this many seconds lost its wake-up call: the sweep publishes it again.
NOTIFICATIONS_SWEEP_AFTER = env.int("NOTIFICATIONS_SWEEP_AFTER", default=300)
# A row "sending" for longer than this belongs to a worker that died: it may be taken again.
NOTIFICATIONS_SENDING_LEASE = 900
# Who sees notifications in the admin (they hold addresses and phone numbers): a callable(user).
NOTIFICATIONS_ADMIN_PERMISSION = "devices.permissions.is_manager"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
