"""Who is told what about a ticket, on which channel, through the real services."""

import pytest
from django.db import transaction
from django.utils import translation

from devices.models import Profile, Role
from notifications.channels import LocmemSMSBackend
from notifications.models import Notification
from notifications.services import digests_send
from repairs import services
from repairs.messages import announce, announce_sla
from repairs.models import Ticket, TimelineEntry
from tests.devices.factories import make_person
from tests.notifications import celery_helpers
from tests.repairs.factories import build_world, force_state, world_fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def setup(settings):
    settings.SMS_BACKEND = "notifications.channels.LocmemSMSBackend"
    settings.SITE_URL = "https://sav.example.org"
    LocmemSMSBackend.outbox.clear()
    with celery_helpers.eager():
        yield


def build_messages_world():
    world = build_world()
    for person in (world.student, world.staff, world.tech, world.manager, world.other_staff):
        person.email = f"{person.username}@example.org"
        person.save()
    return world


module_world, world = world_fixtures(build_messages_world)


def prefer(user, **fields) -> None:
    Profile.objects.filter(user=user).update(**fields)


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related("establishment", "device", "replacement", "loaner").get(pk=ticket.pk)


def rows(**filters) -> list[tuple[str, str, str]]:
    """(event, recipient, channel) of the outbox, in order."""
    return list(
        Notification.objects.filter(**filters).order_by("pk").values_list("event", "recipient__username", "channel")
    )


def walk(ticket: Ticket, actor, *names: str, **fields) -> Ticket:
    for name in names:
        services.ticket_transition(ticket=fresh(ticket), actor=actor, name=name, **fields.get(name, {}))
    return fresh(ticket)


# Declaration


def test_a_declaration_writes_one_row_for_the_reporter_in_the_same_transaction(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        ticket = world.declare()
        assert rows() == [("ticket.declared", "eleve", "email")]  # before commit: same transaction
    assert len(callbacks) == 1
    row = Notification.objects.get()
    assert row.idempotency_key == f"{TimelineEntry.objects.get(ticket=ticket).pk}:{world.student.pk}:email"
    assert row.link == f"https://sav.example.org/tickets/{ticket.reference}/"
    assert ticket.reference in row.subject
    assert ticket.reference in row.body and row.link in row.body
    assert row.link in row.html_body


def test_a_refused_declaration_writes_nothing_and_enqueues_nothing(world, django_capture_on_commit_callbacks):
    world.declare()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(services.ValidationError):
        world.declare()  # the same fault again: refused, rolled back
    assert callbacks == []
    assert Notification.objects.count() == 1


def test_a_declaration_rolled_back_after_the_fact_leaves_no_row(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        world.declare()
        raise RuntimeError("the request failed later")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert not Ticket.objects.exists()


def test_a_declaration_by_staff_tells_the_staff_member_and_the_student(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = world.declare(by=world.staff)
    assert rows() == [("ticket.declared", "eleve", "email"), ("ticket.declared", "referent", "email")]
    assert sorted(email.to[0] for email in mailoutbox) == ["eleve@example.org", "referent@example.org"]
    assert all(ticket.reference in email.subject for email in mailoutbox)


def test_the_declaration_message_is_french_and_says_what_happens_next(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = world.declare()
    [email] = mailoutbox
    assert email.subject == f"Ticket {ticket.reference} déclaré : Écran"
    assert email.body.startswith("Bonjour,\n\n")  # no name: a message may be read by someone else
    assert "La suite" in email.body
    assert world.device.serial_number in email.body
    assert f"https://sav.example.org/tickets/{ticket.reference}/" in email.body
    html = email.alternatives[0][0]
    assert '<html lang="fr">' in html
    assert f'href="https://sav.example.org/tickets/{ticket.reference}/"' in html


def test_a_recipient_who_reads_english_gets_english(world, mailoutbox, django_capture_on_commit_callbacks):
    prefer(world.student, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = world.declare()
    assert mailoutbox[0].subject == f"Ticket {ticket.reference} declared: Screen"
    assert mailoutbox[0].body.startswith("Hello,")
    assert translation.get_language() == "fr"  # rendering did not leak its language


# Preferences


def test_sms_only_people_get_an_sms_and_no_email(world, mailoutbox, django_capture_on_commit_callbacks):
    prefer(world.student, notify_by_email=False, notify_by_sms=True, phone="+33639980001")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = world.declare()
    assert rows() == [("ticket.declared", "eleve", "sms")]
    assert mailoutbox == []
    [sms] = LocmemSMSBackend.outbox
    assert sms["to"] == "+33639980001"
    assert ticket.reference in sms["text"]
    assert len(sms["text"]) <= 200


def test_people_may_have_both_email_and_sms(world):
    prefer(world.student, notify_by_sms=True, phone="+33639980001")
    world.declare()
    assert rows() == [("ticket.declared", "eleve", "email"), ("ticket.declared", "eleve", "sms")]


def test_people_without_an_address_are_skipped_for_that_channel(world):
    world.student.email = ""
    world.student.save()
    prefer(world.student, notify_by_sms=True, phone="")
    world.declare()
    assert rows() == []


def test_inactive_people_are_not_told(world):
    world.student.is_active = False
    world.student.save()
    world.declare(by=world.staff)
    assert rows() == [("ticket.declared", "referent", "email")]


# Transitions


def test_a_device_request_tells_the_student_where_to_bring_it(world, mailoutbox, django_capture_on_commit_callbacks):
    ticket = world.declare()
    with django_capture_on_commit_callbacks(execute=True):
        walk(ticket, world.staff, "request_device", request_device={"note": "Passe au CDI mardi."})
    assert rows(event="ticket.device_requested") == [("ticket.device_requested", "eleve", "email")]
    email = mailoutbox[-1]
    assert "Lycée Pierre-de-Fermat" in email.body
    assert "chargeur" in email.body
    assert "Passe au CDI" not in email.body  # typed text stays on the ticket's page


def test_the_ready_shipped_and_returned_steps_tell_the_student(world):
    ticket = world.declare(by=world.staff)
    ticket = walk(ticket, world.tech, "start_diagnosis", "start_repair", "finish_repair")
    assert rows(event="ticket.ready_for_return") == [("ticket.ready_for_return", "eleve", "email")]
    walk(ticket, world.tech, "ship", ship={"carrier": "Colissimo", "tracking_number": "6A12345678901"})
    shipped = Notification.objects.get(event="ticket.shipped")
    assert shipped.recipient == world.student
    assert "Colissimo" in shipped.body and "6A12345678901" in shipped.body
    walk(ticket, world.tech, "deliver")
    assert rows(event="ticket.returned") == [
        ("ticket.returned", "eleve", "email"),
        ("ticket.returned", "referent", "email"),
    ]


def test_a_swap_tells_the_student_about_the_replacement(world):
    ticket = world.declare()
    walk(ticket, world.tech, "start_diagnosis", "swap")
    ready = Notification.objects.get(event="ticket.ready_for_return")
    assert ready.recipient == world.student  # now holding the replacement
    assert world.spare.serial_number in ready.body


def test_a_loaner_is_announced_to_the_student(world):
    ticket = world.declare()
    services.ticket_lend_loaner(ticket=fresh(ticket), actor=world.staff)
    loaner = Notification.objects.get(event="ticket.loaner_lent")
    assert loaner.recipient == world.student
    assert world.spare.serial_number in loaner.body
    services.ticket_collect_loaner(ticket=fresh(ticket), actor=world.staff)
    assert rows(event__contains="collect") == []  # nothing to tell anyone


def test_a_cancellation_tells_the_reporter_but_not_the_one_who_cancelled(world):
    by_staff = world.declare(by=world.staff)
    walk(by_staff, world.tech, "cancel")
    assert rows(event="ticket.cancelled") == [("ticket.cancelled", "referent", "email")]
    by_student = world.declare(category="battery")
    walk(by_student, world.student, "cancel")
    assert rows(event="ticket.cancelled") == [("ticket.cancelled", "referent", "email")]


def test_closing_without_a_fault_tells_the_reporter_without_the_note(world):
    ticket = world.declare()
    walk(ticket, world.tech, "start_diagnosis", "close_no_fault", close_no_fault={"note": "Tests matériels OK."})
    closed = Notification.objects.get(event="ticket.closed_no_fault")
    assert closed.recipient == world.student
    assert "Tests matériels OK." not in closed.body and ticket.reference in closed.body


def test_steps_inside_the_workshop_tell_nobody_directly(world):
    ticket = world.declare()
    before = Notification.objects.count()
    walk(ticket, world.tech, "start_diagnosis", "order_parts", order_parts={"parts": ["Écran 14 pouces"]})
    assert Notification.objects.count() == before


def test_a_comment_tells_the_reporter_and_the_student_but_not_its_author(world):
    ticket = world.declare(by=world.staff)
    services.ticket_comment(ticket=fresh(ticket), actor=world.tech, text="Quel est le mot de passe BIOS ?")
    assert rows(event="ticket.comment") == [
        ("ticket.comment", "eleve", "email"),
        ("ticket.comment", "referent", "email"),
    ]
    services.ticket_comment(ticket=fresh(ticket), actor=world.student, text="Je ne sais pas.")
    assert rows(event="ticket.comment", recipient=world.student) == [("ticket.comment", "eleve", "email")]


def test_announcing_the_same_entry_twice_writes_nothing_more(world):
    ticket = world.declare(by=world.staff)
    entry = TimelineEntry.objects.get(ticket=ticket)
    with transaction.atomic():
        announce(entry=entry)
    assert Notification.objects.count() == 2


# Daily digest


def test_digest_staff_get_every_event_of_their_establishment_in_one_daily_email(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    prefer(world.staff, daily_digest=True)
    prefer(world.other_staff, daily_digest=True)  # another establishment: hears nothing of ours
    with django_capture_on_commit_callbacks(execute=True):
        ticket = world.declare(by=world.staff)
        walk(ticket, world.tech, "start_diagnosis", "start_repair")
    # No message per event for the digest reader; the student still gets theirs.
    assert [email.to for email in mailoutbox] == [["eleve@example.org"]]
    assert rows(channel="digest") == [
        ("ticket.declared", "referent", "digest"),
        ("ticket.start_diagnosis", "referent", "digest"),
        ("ticket.start_repair", "referent", "digest"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send() == 1
    digest = mailoutbox[-1]
    assert digest.to == ["referent@example.org"]
    assert "3 événements" in digest.subject
    assert digest.body.count(f"https://sav.example.org/tickets/{ticket.reference}/") == 3
    assert f"{ticket.reference} déclaré" in digest.body


def test_the_digest_is_for_school_staff_only(world):
    prefer(world.student, daily_digest=True)
    world.declare()
    assert rows() == [("ticket.declared", "eleve", "email")]


# SLA


def test_an_sla_warning_tells_each_recipient_once(world, django_capture_on_commit_callbacks, mailoutbox):
    ticket = world.declare()
    ticket = force_state(ticket, "declared", assignee=world.tech)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            announce_sla(
                ticket=ticket, target="first_response", threshold="warning", recipients=[world.tech, world.manager]
            )
        announce_sla(ticket=ticket, target="first_response", threshold="breach", recipients=[world.tech, None])
    assert rows(event__startswith="sla.") == [
        ("sla.first_response.warning", "tech", "email"),
        ("sla.first_response.warning", "manager", "email"),
        ("sla.first_response.breach", "tech", "email"),
    ]
    warning = next(email for email in mailoutbox if email.to == ["manager@example.org"])
    assert ticket.reference in warning.subject
    assert "Alerte SLA" in warning.subject


def test_an_sla_notice_refuses_an_unknown_target(world):
    ticket = world.declare()
    with pytest.raises(ValueError):
        announce_sla(ticket=ticket, target="lunch", threshold="warning", recipients=[world.tech])


# Cost


def test_announcing_an_event_takes_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    prefer(world.student, notify_by_sms=True, phone="+33639980001")
    for username in ("referent-2", "referent-3", "referent-4"):
        staff = make_person(
            Role.STAFF, establishment=world.establishment, username=username, email=f"{username}@example.org"
        )
        prefer(staff, daily_digest=True)
    ticket = world.declare(by=world.staff)
    entry = TimelineEntry.objects.get(ticket=ticket)
    Notification.objects.all().delete()
    entry = TimelineEntry.objects.select_related("ticket__establishment", "ticket__device", "actor").get(pk=entry.pk)
    # 2 queries find the people (holders; people and profiles), 3 per row (savepoint, insert,
    # release), 2 for the test's own savepoint.
    with django_assert_max_num_queries(2 + 3 * 6 + 2), transaction.atomic():
        announce(entry=entry)
    assert Notification.objects.count() == 6  # student email + sms, staff email, three digests
