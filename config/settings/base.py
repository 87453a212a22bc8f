"""Base settings, safe for development. Every value comes from the environment (see README)."""

import datetime as dt
import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.logging import logging_config, sentry_init
from config.schedule import beat_schedule, scheduled_jobs

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Development only: production.py refuses to start with this value.
INSECURE_DEV_SECRET_KEY = "django-insecure-dev-only-key-never-use-in-production"
SECRET_KEY = env("DJANGO_SECRET_KEY", default=INSECURE_DEV_SECRET_KEY)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The demo accounts of seed_demo may log in; production turns this off.
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
    "axes",
]
LOCAL_APPS = [
    "devices",
    "repairs",
    "notifications",
    "distribution",
    "privacy",
    "insights",
    "demo",
    "config",  # run_scheduler
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "config.logging.RequestContextMiddleware",  # first: every line of the request carries its id
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
    # Last, as django-axes asks: it turns a locked-out login into its lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# Django's database sessions, read without building a queryset on each request (config/sessions.py).
SESSION_ENGINE = "config.sessions"
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
# Django's SQLite backend with a schema editor that keeps the triggers across the table rebuilds
# of migrations (config/db/sqlite3/schema.py says why Django's alone loses or trips on them).
SQLITE_ENGINE = "config.db.sqlite3"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = SQLITE_ENGINE
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The API's rate counters live here: per process by default; CACHE_URL=redis://…/1 shares them
# between web processes and machines. Short timeouts: a cache that is down must not hold a request.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": 1, "socket_timeout": 1}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (config/auth.py, django-axes): 10 failures per account or 50 per address, each
# within 15 minutes of the previous one, lock for 15 minutes (429, French message on the form).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "config.auth.DemoAwareModelBackend"]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURES_PER_ACCOUNT", default=10)
AXES_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_FAILURES_PER_ADDRESS", default=50)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
# The campaign dashboard's figures are computed once per scope and shared this long (seconds).
CAMPAIGN_PROGRESS_CACHE_SECONDS = env.int("CAMPAIGN_PROGRESS_CACHE_SECONDS", default=2)
# Password reset e-mails per hour, per caller's address and per mailbox (config/auth_views.py).
PASSWORD_RESETS_PER_ADDRESS = env.int("PASSWORD_RESETS_PER_ADDRESS", default=10)
PASSWORD_RESETS_PER_EMAIL = env.int("PASSWORD_RESETS_PER_EMAIL", default=3)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "config.auth.AccountOrAddressHandler"
AXES_LOCKOUT_CALLABLE = "config.auth_views.lockout_response"
AXES_CLIENT_IP_CALLABLE = "config.auth.client_ip"
AXES_CLIENT_STR_CALLABLE = "config.auth.client_str"
AXES_DISABLE_ACCESS_LOG = True  # successful logins are not recorded (who logged in when is not needed)
# Reverse proxies in front of the app that append to X-Forwarded-For (nginx: 1); 0 = none.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
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
        "config.auth.DemoAwareTokenAuthentication",
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
    # Per caller, counted in the default cache (CACHE_URL: Redis to share the counts between
    # web processes); a cache that is down lets requests through (config/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": ["config.throttling.UserThrottle", "config.throttling.AnonThrottle"],
    "NUM_PROXIES": env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0),
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_THROTTLE_USER", default="1200/min"),
        "anon": env("API_THROTTLE_ANON", default="60/min"),
    },
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
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}

# SLA business hours (repairs/sla): the defaults of a new SLA policy, and the calendar of tickets
# no policy matches. Europe/Paris wall-clock times; working days as ISO weekday digits (1 = Monday).
SLA_WORKDAY_START = env("SLA_WORKDAY_START", default="08:00")
SLA_WORKDAY_END = env("SLA_WORKDAY_END", default="18:00")
SLA_WORKING_DAYS = env("SLA_WORKING_DAYS", default="12345")
# School-holiday zone of each académie (package vacances-scolaires-france).
SLA_SCHOOL_HOLIDAY_ZONES = {"toulouse": "C", "montpellier": "C"}
# Loaners: due back this many days after being lent (editable per ticket); a reminder this many
# days before the due date, another the day after it.
LOANER_DEFAULT_DAYS = env.int("LOANER_DEFAULT_DAYS", default=14)
LOANER_REMINDER_DAYS_BEFORE = env.int("LOANER_REMINDER_DAYS_BEFORE", default=2)
# The status page without an account (/s/<token>/): requests per client address per minute.
STATUS_PAGE_RATE_PER_MINUTE = env.int("STATUS_PAGE_RATE_PER_MINUTE", default=30)
# Personal data (privacy_purge, nightly): closed tickets are anonymised this many days after they
# closed, former students this many days after they gave their last laptop back, delivery details
# of a delivered home shipment after this many days, notifications and the access log after theirs.
PRIVACY_CLOSED_TICKET_DAYS = env.int("PRIVACY_CLOSED_TICKET_DAYS", default=730)
PRIVACY_FORMER_STUDENT_DAYS = env.int("PRIVACY_FORMER_STUDENT_DAYS", default=365)
PRIVACY_SHIPMENT_DAYS = env.int("PRIVACY_SHIPMENT_DAYS", default=90)
PRIVACY_NOTIFICATION_DAYS = env.int("PRIVACY_NOTIFICATION_DAYS", default=365)
PRIVACY_ACCESS_LOG_DAYS = env.int("PRIVACY_ACCESS_LOG_DAYS", default=365)
# A PDF report with more sections than this is rendered by a Celery task ("your report is ready").
REPORT_PDF_SYNC_MAX_SECTIONS = env.int("REPORT_PDF_SYNC_MAX_SECTIONS", default=30)

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# For the SMTP backend (django.core.mail.backends.smtp.EmailBackend).
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
# For django.core.mail.backends.filebased.EmailBackend: one file per message, in this directory.
EMAIL_FILE_PATH = env("DJANGO_EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
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
# A row "sending" for longer than this belongs to a worker that died mid-delivery: the sweep
# (every NOTIFICATIONS_SWEEP_EVERY seconds) publishes it again, so it is recovered within
# lease + sweep period (2 min by default). The delivery task is killed at lease - 10 s (Celery's
# hard time limit), so a slow worker has stopped before another may take its row: never twice.
NOTIFICATIONS_SENDING_LEASE = env.int("NOTIFICATIONS_SENDING_LEASE", default=90)
NOTIFICATIONS_SWEEP_EVERY = env.int("NOTIFICATIONS_SWEEP_EVERY", default=30)
# One send may take a few network round trips, each up to the channel's timeout.
_longest_send = 2 * max(EMAIL_TIMEOUT, SMS_HTTP_TIMEOUT) + 10
if _longest_send > NOTIFICATIONS_SENDING_LEASE:
    raise ImproperlyConfigured(
        "NOTIFICATIONS_SENDING_LEASE must leave room for a send: at least twice the email and SMS timeouts + 10 s."
    )
# Periodic jobs: one table (config/schedule.py) for Celery beat and for `manage.py run_scheduler`,
# which `make run` starts beside the web server when there is no beat.
SCHEDULED_JOBS = scheduled_jobs(sweep_every=NOTIFICATIONS_SWEEP_EVERY)
CELERY_BEAT_SCHEDULE = beat_schedule(SCHEDULED_JOBS)
# Who sees notifications in the admin (they hold addresses and phone numbers): a callable(user).
NOTIFICATIONS_ADMIN_PERMISSION = "devices.permissions.is_manager"

# Logs (config/logging.py): one line per event with time, level, logger, request id and user id;
# DJANGO_LOG_FORMAT "text" here, "json" in production. Errors go to Sentry when SENTRY_DSN is set,
# else by e-mail to DJANGO_ADMINS (comma-separated addresses).
LOG_LEVEL = env("DJANGO_LOG_LEVEL", default="INFO")
LOG_FORMAT = env("DJANGO_LOG_FORMAT", default="text")
SENTRY_DSN = env("SENTRY_DSN", default="")
ADMINS = [(address, address) for address in env.list("DJANGO_ADMINS", default=[])]
SERVER_EMAIL = env("DJANGO_SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.error_reports.NoPersonalDataReporterFilter"
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL, mail_admins=not SENTRY_DSN)
# The worker logs through LOGGING too (same format, same ids), not through Celery's own handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
if SENTRY_DSN:
    sentry_init(dsn=SENTRY_DSN, environment=env("SENTRY_ENVIRONMENT", default=os.environ.get("DJANGO_ENV", "local")))
