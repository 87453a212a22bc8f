"""Text search: what a person types finds the tickets they mean, accents and case aside, on
SQLite (FTS5) and PostgreSQL (tsvector) alike, and stays right as tickets change."""

import pytest
from django.db import connection
from django.urls import reverse

from devices.models import Device
from devices.services import assignment_hand_over
from repairs.models import Ticket
from repairs.search import search_words, ticket_search
from repairs.triggers import triggers_drop, triggers_ensure
from tests.devices.factories import DeviceFactory, make_person
from tests.repairs.factories import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def found(text: str) -> set[str]:
    return set(ticket_search(queryset=Ticket.objects.all(), text=text).values_list("reference", flat=True))


@pytest.fixture
def tickets(world):
    """Three tickets: a screen one declared by Éloïse Lefèvre on her laptop, a keyboard one
    declared by staff on another student's laptop, a battery one on a spare at school."""
    eloise = make_person("student", establishment=world.establishment, first_name="Éloïse", last_name="Lefèvre")
    hers = DeviceFactory(establishment=world.establishment, status=Device.Status.ASSIGNED, asset_tag="RO-777001")
    assignment_hand_over(device=hers, student=eloise)
    noe = make_person("student", establishment=world.establishment, first_name="Noé", last_name="Castaño")
    his = DeviceFactory(establishment=world.establishment, serial_number="PF00424242")
    assignment_hand_over(device=his, student=noe)
    screen = world.declare(device=hers, by=eloise, description="L'écran reste noir au démarrage.")
    keyboard = world.declare(
        device=Device.objects.get(pk=his.pk), by=world.staff, category="keyboard", description="Touche É bloquée."
    )
    battery = world.declare(
        device=DeviceFactory(establishment=world.establishment), by=world.staff, category="battery",
        description="La batterie ne tient plus.",
    )  # fmt: skip
    return {"screen": screen, "keyboard": keyboard, "battery": battery}


def test_accents_and_case_are_ignored_both_ways(tickets):
    screen = tickets["screen"].reference
    assert found("ecran") == {screen}
    assert found("ÉCRAN") == {screen}
    assert found("demarrage noir") == {screen}
    assert found("lefevre") == {screen}  # the student who declared it, and holds the laptop
    assert found("Eloise Lefèvre") == {screen}
    assert found("castano") == {tickets["keyboard"].reference}  # holds the laptop; staff declared it


def test_words_match_the_start_of_words_and_all_must_match(tickets):
    assert found("ecr") == {tickets["screen"].reference}
    assert found("ecran batterie") == set()
    assert found("crant") == set()  # the middle of a word is not a word


def test_identifiers_are_found_as_typed(tickets):
    keyboard = tickets["keyboard"]
    assert found(keyboard.reference) == {keyboard.reference}
    assert found(keyboard.reference.lower()) == {keyboard.reference}
    assert found("pf00424242") == {keyboard.reference}
    assert found("RO-777001") == {tickets["screen"].reference}
    assert found("777001") == {tickets["screen"].reference}


@pytest.mark.parametrize("text", ['"', "écran*", "NEAR(écran", "a OR b", "-écran", "écran:*", "'); DROP TABLE x; --"])
def test_what_a_search_language_would_read_as_syntax_is_only_words(tickets, text):
    assert found(text) <= {t.reference for t in tickets.values()}  # no error, no syntax


def test_no_word_finds_nothing(tickets):
    assert search_words("  -- ** ") == []
    assert found("-- **") == set()


def test_the_words_follow_a_ticket_that_changes_or_goes(tickets, world):
    battery = tickets["battery"]
    Ticket.objects.filter(pk=battery.pk).update(description="Le chargeur chauffe.")
    assert found("chargeur") == {battery.reference}
    assert found("batterie") == set()
    other = DeviceFactory(establishment=world.establishment, serial_number="PF00999999")
    Ticket.objects.filter(pk=battery.pk).update(device=other)
    assert found("pf00999999") == {battery.reference}
    Ticket.objects.filter(pk=battery.pk).delete()
    assert found("chargeur") == set()


def test_the_queue_search_box_and_the_api_use_the_same_search(client, tickets, world):
    client.force_login(world.staff)
    page = client.get(reverse("repairs:ticket_list"), {"search": "Ecran"})
    assert [t.reference for t in page.context["tickets"]] == [tickets["screen"].reference]
    client.force_login(world.tech)
    body = client.get("/api/v1/tickets/", {"search": "lefevre"}).json()
    assert [row["reference"] for row in body["results"]] == [tickets["screen"].reference]


def test_a_search_longer_than_two_hundred_characters_is_refused_clearly(client, world):
    client.force_login(world.tech)
    response = client.get("/api/v1/tickets/", {"search": "é" * 201})
    assert response.status_code == 400 and "search" in response.json()
    page = client.get(reverse("repairs:ticket_list"), {"search": "é" * 201})
    assert page.status_code == 200 and page.context["filters"].errors["search"]
    assert list(page.context["tickets"]) == []


def test_triggers_dropped_by_a_table_rebuild_are_put_back_after_migrate(tickets):
    for part in ("search", "counts"):
        triggers_drop(connection, part=part)
    screen = tickets["screen"]
    Ticket.objects.filter(pk=screen.pk).update(description="Clavier mouillé.")  # no trigger: the words are stale
    assert found("clavier") == set()
    assert sorted(triggers_ensure(using="default")) == ["counts", "search"]
    assert found("clavier") == {screen.reference}
    assert triggers_ensure(using="default") == []


def test_a_search_matching_more_tickets_than_the_cap_says_so_instead_of_counting(client, tickets, world, monkeypatch):
    from repairs import selectors

    client.force_login(world.staff)
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 1)
    page = client.get(reverse("repairs:ticket_list"), {"search": "ecran"})  # one match: counted
    assert page.context["counts"] == {"declared": 1} and page.context["counts_capped"] is None
    assert "Plus de" not in page.content.decode()
    # Past the cap the page says so rather than showing a sample's counts as totals, and it
    # still lists every match.
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 0)
    page = client.get(reverse("repairs:ticket_list"), {"search": "ecran"})
    assert page.context["counts_capped"] == 0
    assert "Plus de 0 tickets ouverts correspondent" in page.content.decode()
    assert [t.reference for t in page.context["tickets"]] == [tickets["screen"].reference]
