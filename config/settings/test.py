"""Test profile: the base settings with fast password hashing and an isolated media root."""

import tempfile

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="repairs-test-media-"))  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Static files are served from the app directories in tests (no collectstatic beforehand).
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="repairs-test-static-"))  # noqa: F405
WHITENOISE_USE_FINDERS = True
# Files found on request instead of indexed when each handler starts: the index walks every app's
# static files, about 13 ms for every test client the suite creates.
WHITENOISE_AUTOREFRESH = True
# Tasks run in-process in tests, whatever CELERY_BROKER_URL says: a test that needs the broker
# (tests/notifications/test_broker.py) points the Celery app at it explicitly.
CELERY_TASK_ALWAYS_EAGER = True
# django-axes needs the request at every authenticate(); the test client's login() passes none.
# The login-throttling tests (tests/config/test_throttling.py) turn it back on.
AXES_ENABLED = False
# Figures fresh at every request in tests; the sharing has its own test.
CAMPAIGN_PROGRESS_CACHE_SECONDS = 0
# Each query kept compiled (config/compiled_sql.py) is built again and compared at every call: the
# whole suite checks that its keys name all that its SQL depends on.
COMPILED_SQL_CHECK = True
# Each test process builds its database from the models instead of replaying the 58 migrations
# (about 6 s of CPU each, nearly all in Django's rendering of the historical models); what the
# migrations do beyond the models (triggers, the FTS table, rows) is replayed by tests/conftest.py,
# and tests/test_migrations_shortcut.py checks the result equals a database migrated for real.
DATABASES["default"].setdefault("TEST", {})["MIGRATE"] = False  # noqa: F405
# SQLite's test database in memory, as Django makes it by default, but named: pytest-django knows
# SQLite by Django's engine name only, and would send each xdist worker of the project's SQLite
# backend (base.py: SQLITE_ENGINE) to a file named after the development database.
if DATABASES["default"]["ENGINE"] == SQLITE_ENGINE:  # noqa: F405
    DATABASES["default"]["TEST"].setdefault("NAME", ":memory:")  # noqa: F405
