"""Logs: one line per event with time, level, logger, request id and user id; JSON under the
production profile, readable text in development; never a name, an e-mail address or a phone
number (the students are minors).

- `RequestContextMiddleware` gives each request an id (the proxy's X-Request-ID when it sends a
  sane one), answers it in X-Request-ID, and writes the request's own line (method, path without
  its query string — a search may hold a name —, status, duration).
- `ContextFilter` stamps every record with that request id and the user's id (never the
  username); in a Celery worker, with the id of the request that enqueued the task.
- Both formatters scrub e-mail addresses and phone numbers from the message and the traceback,
  whoever logged them (a mail server's refusal quotes the address it refused).

Errors reach the operators through Sentry when SENTRY_DSN is set (`sentry_init`: no personal
data, no local variables, no request bodies), else by e-mail to ADMINS.

This module imports nothing from Django's settings at import time: gunicorn's own logging
(config/gunicorn.py) uses the same formatters before Django is set up.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import time
import uuid

from django.utils.functional import empty

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
request_var: contextvars.ContextVar[object | None] = contextvars.ContextVar("request", default=None)
user_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("user_id", default="")

# A match starts only where a run of address characters starts: without the lookbehind, a long
# run with no "@" (a hostile 5,000-character path in a request's log line) was tried from each of
# its characters, 50 ms of CPU per line.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# French numbers as people type them (06 12 34 56 78, 06.12.34.56.78, +33 6 12 34 56 78) and any
# international number in E.164 form.
PHONE = re.compile(r"(?<![\w/])(?:(?:\+|00)33\s?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)|\+\d{8,15}(?!\d)")
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

logger = logging.getLogger("config.request")


def redact(text: str) -> str:
    return PHONE.sub("[phone]", EMAIL.sub("[email]", text))


def _user_id_of(request) -> str:
    # Only a user already loaded: evaluating request.user here could query the database from
    # inside a log call. DRF's authentication sets the plain Django request's user too.
    user = request.__dict__.get("user") if request is not None else None
    if user is None:
        return ""
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty:  # a SimpleLazyObject not evaluated yet
        return ""
    return str(wrapped.pk) if getattr(wrapped, "is_authenticated", False) else ""


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.user_id = user_id_var.get() or _user_id_of(request_var.get())
        return True


class TextFormatter(logging.Formatter):
    """`2026-11-23 08:00:00,123 INFO notifications.services [req=… user=42] message`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [req=%(request_id)s user=%(user_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.__dict__.setdefault("request_id", "")
        record.__dict__.setdefault("user_id", "")
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request_id, user_id, message[, exc_info]."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", ""),
            "user_id": getattr(record, "user_id", ""),
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            line["exc_info"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get("X-Request-ID", "")
        request.request_id = offered if SANE_REQUEST_ID.match(offered) else uuid.uuid4().hex
        tokens = (request_id_var.set(request.request_id), request_var.set(request), user_id_var.set(""))
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            logger.info(
                "%s %s %s %.0fms",
                request.method,
                request.path,
                response.status_code,
                (time.monotonic() - started) * 1000,
            )
            return response
        finally:
            for var, token in zip((request_id_var, request_var, user_id_var), tokens, strict=True):
                var.reset(token)


def logging_config(*, log_format: str, level: str, mail_admins: bool) -> dict:
    handlers = ["console", *(["mail_admins"] if mail_admins else [])]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "config.logging.ContextFilter"},
            "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        },
        "formatters": {
            "text": {"()": "config.logging.TextFormatter"},
            "json": {"()": "config.logging.JsonFormatter"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "filters": ["context"], "formatter": log_format},
            "mail_admins": {
                "class": "django.utils.log.AdminEmailHandler",
                "level": "ERROR",
                "filters": ["require_debug_false"],
            },
        },
        "root": {"handlers": handlers, "level": level},
        "loggers": {
            # Django's own loggers go to the root's handlers (one format, one copy of each line).
            "django": {"handlers": [], "level": level, "propagate": True},
            # runserver's request lines: ours (config.request) say the same with the ids.
            "django.server": {"handlers": [], "level": "WARNING", "propagate": True},
            "celery": {"level": level},
            "axes": {"level": "WARNING"},  # not its start-up banner in every command's output
        },
    }


def sentry_init(*, dsn: str, environment: str, **options) -> None:
    """Errors and their context to Sentry, without personal data: no user details, cookies or
    bodies (send_default_pii=False, max_request_body_size='never'), no local variables (a frame may
    hold a student), and messages scrubbed of addresses and phone numbers."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration

    def scrub(event, _hint):
        for entry in [event.get("logentry") or {}, *((event.get("breadcrumbs") or {}).get("values") or [])]:
            for key in ("message", "formatted"):
                if isinstance(entry.get(key), str):
                    entry[key] = redact(entry[key])
            if entry.get("params"):
                entry["params"] = [redact(str(param)) for param in entry["params"]]
        for exception in (event.get("exception") or {}).get("values") or []:
            if isinstance(exception.get("value"), str):
                exception["value"] = redact(exception["value"])
        request = event.get("request") or {}
        request.pop("query_string", None)
        request.pop("data", None)
        return event

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(),
            LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
        ],
        send_default_pii=False,
        # The same, in the newer SDKs' terms (it takes precedence where understood).
        data_collection={"user_info": False, "http_bodies": [], "stack_frame_variables": False},
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub,
        before_breadcrumb=lambda crumb, _hint: {**crumb, "message": redact(crumb.get("message") or "")},
        traces_sample_rate=0,
        **options,
    )
