"""Tickets written directly at chosen dates and outcomes (set-up only: the statistics read dates and
states, which the services would stamp with the present)."""

import datetime as dt
import itertools

from devices.models import Device
from repairs.models import Ticket

_numbers = itertools.count(1)
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def make_tickets(
    devices,
    *,
    reporter,
    declared_at: dt.datetime,
    count: int | None = None,
    category: str = "battery",
    state: str = "returned",
    away: dt.timedelta | None = None,
    step: dt.timedelta = dt.timedelta(days=1),
) -> list[Ticket]:
    """`count` tickets on `devices` (round robin), one every `step` from `declared_at`; resolved
    `away` later when given."""
    devices = list(devices)
    tickets = []
    for i in range(count if count is not None else len(devices)):
        device: Device = devices[i % len(devices)]
        at = declared_at + i * step
        tickets.append(
            Ticket(
                reference=f"R-T-{next(_numbers):06d}",
                device=device,
                reporter=reporter,
                establishment_id=device.establishment_id,
                category=category,
                description="Test",
                state=state,
                declared_at=at,
                resolved_at=at + away if away else None,
            )
        )
    return Ticket.objects.bulk_create(tickets)


def make_devices(count: int, **fields) -> list[Device]:
    start = next(_numbers) * 100_000
    return Device.objects.bulk_create(
        Device(serial_number=f"T{start + i:09d}", asset_tag=f"T-{start + i}", **fields) for i in range(count)
    )
