"""A use case checks who (403), then version and state (409), then its conditions (400), and only
then acts: nobody learns about a ticket's conditions by trying what they may not do, and a
refusal leaves no lock, no fleet change, no row behind."""

import pytest
from django.core.exceptions import ValidationError

from devices.models import Assignment, Device
from repairs import services
from repairs.models import Ticket, TimelineEntry
from tests.repairs.factories import build_world, force_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def diagnosing():
    """A ticket in diagnosis, with the spare pool empty: a swap would fail its condition."""
    world = build_world()
    Device.objects.filter(pk=world.spare.pk).update(status=Device.Status.RETIRED)
    ticket = world.declare()
    services.ticket_start_diagnosis(ticket=ticket, actor=world.tech)
    return world, Ticket.objects.get(pk=ticket.pk)


def unchanged(ticket: Ticket, world) -> tuple:
    fresh = Ticket.objects.get(pk=ticket.pk)
    holder = Assignment.objects.get(student=world.student, returned_at__isnull=True).device_id
    return fresh.state, fresh.version, TimelineEntry.objects.filter(ticket=ticket).count(), holder


def test_a_student_asking_for_a_swap_on_an_empty_pool_is_told_no_not_about_the_pool(diagnosing):
    world, ticket = diagnosing
    before = unchanged(ticket, world)
    with pytest.raises(services.ActionForbidden):
        services.ticket_swap(ticket=ticket, actor=world.student)
    assert unchanged(ticket, world) == before


def test_a_swap_from_the_wrong_state_is_a_conflict_before_the_pool_is_looked_at(diagnosing):
    world, ticket = diagnosing
    ticket = force_state(ticket, "ready_for_return")
    with pytest.raises(services.TransitionNotPossible):
        services.ticket_swap(ticket=ticket, actor=world.tech)


def test_a_swap_on_a_stale_page_is_a_conflict_before_the_pool_is_looked_at(diagnosing):
    world, ticket = diagnosing
    with pytest.raises(services.TicketChanged):
        services.ticket_swap(ticket=ticket, actor=world.tech, expected_version=ticket.version - 1)


def test_an_allowed_swap_on_an_empty_pool_is_refused_for_its_condition(diagnosing):
    world, ticket = diagnosing
    before = unchanged(ticket, world)
    with pytest.raises(ValidationError, match="Aucun ordinateur de réserve"):
        services.ticket_swap(ticket=ticket, actor=world.tech)
    assert unchanged(ticket, world) == before


def test_a_loaner_asked_by_someone_who_may_not_is_refused_before_the_pool(diagnosing):
    world, ticket = diagnosing
    with pytest.raises(services.ActionForbidden):
        services.ticket_lend_loaner(ticket=ticket, actor=world.other_staff)


def test_a_forbidden_comment_on_a_closed_ticket_is_forbidden_not_closed():
    world = build_world()
    ticket = force_state(world.declare(), "returned")
    with pytest.raises(services.ActionForbidden):
        services.ticket_comment(ticket=ticket, actor=world.other_student, text="Bonjour")
    with pytest.raises(services.TransitionNotPossible):
        services.ticket_comment(ticket=ticket, actor=world.student, text="Bonjour")


def test_a_stale_priority_change_by_an_outsider_is_forbidden_not_a_conflict():
    world = build_world()
    ticket = world.declare()
    with pytest.raises(services.ActionForbidden):
        services.ticket_set_priority(ticket=ticket, actor=world.other_tech, priority="high", expected_version=99)
