"""How a message leaves: email through Django's email backend, SMS through a small backend interface.

Every failure to hand a message over is raised as `ChannelError`: the delivery task retries on it
and nothing else, so a programming error fails loudly instead of being retried for an hour.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.utils import parseaddr
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ChannelError(Exception):
    """The message could not be handed over this time; trying again later may work."""


@dataclass(frozen=True)
class OutgoingMessage:
    address: str
    subject: str
    body: str
    html_body: str = ""
    # Stable per notification: a receiving server that sees it twice can drop the copy.
    message_id: str = ""


# Email


def email_send(*, message: OutgoingMessage) -> None:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.address],
        headers={
            "Auto-Submitted": "auto-generated",
            **({"Message-ID": message.message_id} if message.message_id else {}),
        },
        connection=get_connection(fail_silently=False),
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    try:
        email.send()
    except Exception as exc:  # smtplib, socket and backend errors all mean "not handed over"
        raise ChannelError(f"email: {exc.__class__.__name__}: {exc}") from exc


def message_id_for(key: str) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<notification.{key}@{domain}>"


# SMS


class SMSBackend:
    """Send one text message. Raise ChannelError when it was not accepted."""

    def send(self, *, to: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSMSBackend(SMSBackend):
    def send(self, *, to: str, text: str) -> None:
        sys.stdout.write(f"SMS to {to}: {text}\n")
        sys.stdout.flush()


class FileSMSBackend(SMSBackend):
    """One JSON line per message in SMS_FILE_PATH (var/sms.log by default): `tail -f` it in development."""

    _lock = threading.Lock()

    def send(self, *, to: str, text: str) -> None:
        path = Path(settings.SMS_FILE_PATH)
        line = json.dumps({"at": timezone.now().isoformat(), "to": to, "text": text}, ensure_ascii=False)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, path.open("a", encoding="utf-8") as file:
                file.write(line + "\n")
        except OSError as exc:
            raise ChannelError(f"sms file: {exc}") from exc


class LocmemSMSBackend(SMSBackend):
    """For tests: messages are kept in `LocmemSMSBackend.outbox`, as Django's locmem email backend does."""

    outbox: list[dict[str, str]] = []

    def send(self, *, to: str, text: str) -> None:
        self.outbox.append({"to": to, "text": text})


class HTTPSMSBackend(SMSBackend):
    """A generic SMS provider: JSON POST {"to", "text", "sender"} to SMS_HTTP_URL with a bearer API key.

    Any 2xx is accepted; anything else (refused, timeout, 4xx/5xx) is a ChannelError, retried.
    """

    def send(self, *, to: str, text: str) -> None:
        url = settings.SMS_HTTP_URL
        if not url.startswith(("https://", "http://")):
            raise ChannelError("sms http: SMS_HTTP_URL is not an http(s) URL")
        payload = json.dumps({"to": to, "text": text, "sender": settings.SMS_SENDER}).encode()
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {settings.SMS_HTTP_API_KEY}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_HTTP_TIMEOUT) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            raise ChannelError(f"sms http: provider answered {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise ChannelError(f"sms http: {exc}") from exc
        if not 200 <= status < 300:
            raise ChannelError(f"sms http: provider answered {status}")


@cache
def _sms_backend_class(path: str) -> type[SMSBackend]:
    return import_string(path)


def sms_send(*, message: OutgoingMessage) -> None:
    _sms_backend_class(settings.SMS_BACKEND)().send(to=message.address, text=message.body)


SENDERS = {"email": email_send, "sms": sms_send}
