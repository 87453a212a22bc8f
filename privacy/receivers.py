"""Reads announced by the pages and the API of repairs (repairs.signals.file_read), written to
the access log. Connected by PrivacyConfig.ready: repairs knows nothing of this app."""

from __future__ import annotations

from privacy import services
from repairs.signals import file_read


def record_read(sender, *, reader, ticket=None, device=None, **kwargs) -> None:
    if ticket is not None:
        services.access_record_ticket(reader=reader, ticket=ticket)
    if device is not None:
        services.access_record_device(reader=reader, device=device)


def connect() -> None:
    file_read.connect(record_read, dispatch_uid="privacy-access-log")
