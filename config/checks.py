"""Deployment checks of the project's own (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

PER_PROCESS_CACHES = ("LocMemCache", "DummyCache")


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    # gunicorn runs several processes: with a cache of each process's own, the API's rate limits,
    # the password-reset limits and the dashboard's shared figures count once per process.
    if settings.CACHES["default"]["BACKEND"].endswith(PER_PROCESS_CACHES):
        return [
            Warning(
                "The cache is kept in each process: rate limits are counted once per web process.",
                hint="Set CACHE_URL to a Redis database shared by the web processes, e.g. redis://127.0.0.1:6379/1.",
                id="config.W001",
            )
        ]
    return []
