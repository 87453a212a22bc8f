"""Log lines carry time, level, logger, request id and user id, and never a name, an e-mail
address or a phone number; errors reach the operators (Sentry when configured, else ADMINS)."""

import io
import json
import logging

import pytest
import sentry_sdk
from django.core import mail
from django.http import HttpResponse

from config.logging import (
    ContextFilter,
    JsonFormatter,
    RequestContextMiddleware,
    TextFormatter,
    logging_config,
    sentry_init,
)
from tests.devices.factories import UserFactory, make_person


@pytest.fixture
def log_lines():
    """The root logger also writes JSON lines, through the project's filter, into a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


@pytest.mark.django_db
def test_a_request_logs_one_line_with_its_id_and_the_users_id_and_no_personal_data(client, log_lines):
    person = make_person(
        "student", username="camille.martin", first_name="Camille", last_name="Martin", email="camille@example.org"
    )
    client.force_login(person)
    response = client.get("/tickets/", {"q": "Martin 06 12 34 56 78"})
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32

    lines = [line for line in log_lines() if line["logger"] == "config.request"]
    assert len(lines) == 1
    line = lines[0]
    assert set(line) >= {"time", "level", "logger", "request_id", "user_id", "message"}
    assert (line["level"], line["request_id"], line["user_id"]) == ("INFO", request_id, str(person.pk))
    assert line["message"].startswith(f"GET /tickets/ {response.status_code} ")
    text = json.dumps(log_lines())
    for personal in ("Camille", "Martin", "camille", "06 12 34 56 78"):
        assert personal not in text


def test_a_line_logged_during_a_request_carries_its_ids_and_hides_addresses(rf, log_lines):
    person = UserFactory.build(pk=4242)

    def view(request):
        request.user = person  # as DRF's token authentication does, inside the view
        logging.getLogger("notifications.services").warning("refused: chef@example.org, +33612345678")
        return HttpResponse("ok")

    response = RequestContextMiddleware(view)(rf.get("/api/v1/me/", HTTP_X_REQUEST_ID="proxy-given-id-123"))
    assert response["X-Request-ID"] == "proxy-given-id-123"
    warning, request_line = log_lines()
    assert (warning["request_id"], warning["user_id"]) == ("proxy-given-id-123", "4242")
    assert warning["message"] == "refused: [email], [phone]"
    assert (request_line["logger"], request_line["user_id"]) == ("config.request", "4242")


def test_a_proxy_request_id_that_is_not_sane_is_replaced(client, db, log_lines):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline" and len(response["X-Request-ID"]) == 32


def test_formatters_scrub_addresses_and_phone_numbers_from_messages_and_tracebacks():
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "to %s / %s", ("a.b@example.org", "06.12.34.56.78"), None
    )
    try:
        raise ValueError("recipient refused: a.b@example.org")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    ContextFilter().filter(record)
    for formatted in (JsonFormatter().format(record), TextFormatter().format(record)):
        assert "example.org" not in formatted and "06.12" not in formatted
        assert "[email]" in formatted and "[phone]" in formatted
    text = TextFormatter().format(record)
    assert " ERROR x [req= user=] to [email] / [phone]" in text


def test_production_logs_json_and_development_text(settings):
    assert settings.LOGGING["handlers"]["console"]["formatter"] == settings.LOG_FORMAT
    assert logging_config(log_format="json", level="INFO", mail_admins=True)["root"]["handlers"] == [
        "console",
        "mail_admins",
    ]
    assert logging_config(log_format="json", level="INFO", mail_admins=False)["root"]["handlers"] == ["console"]


def test_errors_are_mailed_to_admins_without_sentry(settings, mailoutbox):
    settings.ADMINS = [("ops@example.org", "ops@example.org")]
    assert not settings.SENTRY_DSN
    logging.getLogger("repairs.tasks").error("monthly report failed")
    assert [message.to for message in mail.outbox] == [["ops@example.org"]]
    assert "monthly report failed" in mail.outbox[0].subject


def test_sentry_receives_errors_without_personal_data():
    events = []

    class Capture(sentry_sdk.transport.Transport):
        def capture_envelope(self, envelope):
            events.extend(item.payload.json for item in envelope.items if item.type == "event")

    sentry_init(dsn="https://public@sentry.invalid/1", environment="test", transport=Capture)
    try:
        assert sentry_sdk.get_client().options["send_default_pii"] is False
        student = {"name": "Camille Martin"}  # a local variable Sentry must not ship
        logging.getLogger("notifications.services").error("refused %s (%s)", "camille@example.org", student["name"][:0])
        sentry_sdk.flush()
    finally:
        sentry_sdk.init()  # no DSN: disabled again
    assert len(events) == 1
    shipped = json.dumps(events[0])
    assert "camille@example.org" not in shipped and "Camille Martin" not in shipped
    assert "refused [email]" in shipped
