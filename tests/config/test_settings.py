"""The production profile refuses unsafe settings and passes Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings.base import SQLITE_ENGINE

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "-production-secret-of-sufficient-length-1234567890"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environ.pop("DATABASE_URL", None)
    environ.update({"DJANGO_ENV": "production", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_ALLOWED_HOSTS="sav.example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_production_refuses_the_development_secret_key():
    result = manage(
        "check",
        DJANGO_ALLOWED_HOSTS="sav.example.org",
        DJANGO_SECRET_KEY="django-insecure-dev-only-key-never-use-in-production",
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_production_refuses_to_start_without_allowed_hosts():
    result = manage("check", DJANGO_SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


@pytest.mark.slow
def test_production_passes_the_deployment_checks_without_warnings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=GOOD_KEY,
        DJANGO_ALLOWED_HOSTS="sav.example.org",
        CACHE_URL="redis://127.0.0.1:6379/1",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_the_deployment_checks_warn_of_rate_limits_counted_per_process(settings):
    from django.core.checks import run_checks

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    warned = [m for m in run_checks(include_deployment_checks=True) if m.id == "config.W001"]
    assert warned and "CACHE_URL" in warned[0].hint
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    assert not [m for m in run_checks(include_deployment_checks=True) if m.id == "config.W001"]


def test_demo_accounts_cannot_log_in_where_demo_data_is_not_allowed(db, settings, client):
    from tests.devices.factories import UserFactory

    UserFactory(username="demo-manager")
    assert client.login(username="demo-manager", password="pw")
    client.logout()
    settings.DEMO_DATA_ALLOWED = False
    assert not client.login(username="demo-manager", password="pw")


def test_database_is_set_up_for_concurrent_use(settings):
    database = settings.DATABASES["default"]
    if database["ENGINE"] != SQLITE_ENGINE:
        assert database["CONN_HEALTH_CHECKS"]
        return
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert database["OPTIONS"]["timeout"] >= 5
