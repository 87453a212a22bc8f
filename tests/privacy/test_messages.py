"""E-mails and SMS say which ticket and what to do next, never a name or a typed text: the
message may be read by someone else (a shared phone, a parent's inbox)."""

import pytest

from notifications.channels import LocmemSMSBackend
from notifications.models import Notification
from repairs import services
from repairs.models import Ticket
from tests.notifications import celery_helpers

pytestmark = pytest.mark.django_db

NAMES = ("Léa", "Dupont-Secret", "Marc", "Technix")
TYPED = ("Mon écran est tombé chez mamie", "Apporte le chargeur au CDI mardi", "Rien trouvé au test mémoire")


@pytest.fixture(autouse=True)
def setup(settings):
    settings.SMS_BACKEND = "notifications.channels.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    with celery_helpers.eager():
        yield


def test_no_message_carries_a_name_a_description_or_a_comment(world):
    from devices.models import Profile

    world.student.first_name, world.student.last_name, world.student.email = "Léa", "Dupont-Secret", "lea@example.org"
    world.student.save()
    world.staff.first_name, world.staff.email = "Marc", "marc@example.org"
    world.staff.save()
    world.tech.first_name, world.tech.last_name = "Technix", "Atelier"
    world.tech.save()
    Profile.objects.filter(user=world.student).update(notify_by_sms=True, phone="0612345678")
    ticket = world.declare(by=world.staff, description=TYPED[0])
    services.ticket_comment(ticket=Ticket.objects.get(pk=ticket.pk), actor=world.tech, text=TYPED[1])
    services.ticket_transition(
        ticket=Ticket.objects.get(pk=ticket.pk), actor=world.tech, name="request_device", note=TYPED[1]
    )
    services.ticket_transition(ticket=Ticket.objects.get(pk=ticket.pk), actor=world.staff, name="receive_device")
    services.ticket_transition(
        ticket=Ticket.objects.get(pk=ticket.pk), actor=world.tech, name="close_no_fault", note=TYPED[2]
    )
    rows = list(Notification.objects.all())
    assert {row.channel for row in rows} == {"email", "sms"}
    assert {row.event for row in rows} >= {"ticket.declared", "ticket.comment", "ticket.closed_no_fault"}
    for row in rows:
        text = " ".join((row.subject, row.body, row.html_body))
        assert ticket.reference in text, row.event
        for secret in NAMES + TYPED:
            assert secret not in text, (row.event, row.channel, secret)
