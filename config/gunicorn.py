"""gunicorn's settings: `gunicorn -c config/gunicorn.py config.wsgi` (make serve, the Procfile and
deploy/repairs-web.service). Each value may be overridden from the environment.

Sync workers: a request is short (a page, an API call) or handed to Celery (large PDFs); one
process per request keeps a slow PDF from stalling others. No access log: the application writes
one line per request itself (config/logging.py), with its request and user ids and without the
query string, where a search may hold a name.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
# A synchronous PDF (up to REPORT_PDF_SYNC_MAX_SECTIONS groups) takes seconds; anything longer is a bug.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so that a slow leak never becomes an outage.
max_requests = 2000
max_requests_jitter = 200
# The reverse proxy on this machine sets X-Forwarded-Proto / X-Forwarded-For.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Workers' heartbeat files in memory: on a disk, a slow flush can make gunicorn kill a live worker.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
_format = os.environ.get("DJANGO_LOG_FORMAT", "json" if os.environ.get("DJANGO_ENV") == "production" else "text")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"app": {"()": f"config.logging.{'Json' if _format == 'json' else 'Text'}Formatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "app", "stream": "ext://sys.stderr"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
