"""Statements compiled once per process (config/compiled_sql.py): only the SQL is kept, never a row;
a key that leaves out something the SQL depends on is caught."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config import compiled_sql
from config.auth import DemoAwareModelBackend
from devices.models import Establishment
from repairs import selectors
from tests.repairs.factories import build_world, force_state

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def nothing_kept():
    compiled_sql.forget()
    yield
    compiled_sql.forget()


def test_a_kept_statement_reads_the_rows_again_at_every_call(settings):
    settings.COMPILED_SQL_CHECK = False  # the kept statement alone, as in production
    world = build_world()

    def names():
        return compiled_sql.evaluate(("names",), lambda: Establishment.objects.order_by("uai").values_list("name"))

    assert names() == [("Lycée Pierre-de-Fermat",), ("Lycée Joffre",)]
    world.establishment.name = "Lycée Fermat"
    world.establishment.save()
    with CaptureQueriesContext(connection) as queries:
        assert names() == [("Lycée Fermat",), ("Lycée Joffre",)]
        assert names() == [("Lycée Fermat",), ("Lycée Joffre",)]
    assert len(queries) == 2


def test_each_person_is_read_with_their_own_id_and_profile(settings):
    settings.COMPILED_SQL_CHECK = False
    world = build_world()
    backend = DemoAwareModelBackend()
    for person in (world.tech, world.student, world.manager, world.tech):
        user = backend.get_user(person.pk)
        assert (user.pk, user.username, user.profile.role) == (person.pk, person.username, person.profile.role)
        assert user.profile.zone_id == person.profile.zone_id
    get_user_model().objects.filter(pk=world.tech.pk).update(is_active=False, first_name="Renommé")
    assert backend.get_user(world.tech.pk) is None
    assert backend.get_user(10**9) is None


def test_counts_and_overdue_loaners_follow_the_writes_of_the_scope(settings):
    settings.COMPILED_SQL_CHECK = False
    world = build_world()
    assert selectors.scope_state_counts(user=world.tech) == {}
    ticket = world.declare()
    assert selectors.scope_state_counts(user=world.tech) == {"declared": 1}
    assert selectors.scope_state_counts(user=world.other_tech) == {}
    force_state(ticket, "diagnosing")
    assert selectors.scope_state_counts(user=world.tech) == {"diagnosing": 1}
    assert selectors.overdue_loaners_shown(user=world.tech) == []


def test_the_queue_shows_a_ticket_declared_since_the_last_page(client, settings):
    settings.COMPILED_SQL_CHECK = False
    world = build_world()
    client.force_login(world.tech)
    url = reverse("repairs:ticket_list")
    assert "Aucun ticket." in client.get(url).text
    ticket = world.declare()
    page = client.get(url).text
    assert ticket.reference in page and "Aucun ticket." not in page
    force_state(ticket, "cancelled")
    assert ticket.reference not in client.get(url).text
    client.force_login(world.other_tech)  # another zone: another statement
    world.declare(device=None)
    assert ticket.reference not in client.get(url).text


def test_a_key_that_leaves_out_what_the_sql_depends_on_is_caught():
    build_world()  # the test profile compares each kept statement with the queryset built again
    here = compiled_sql.evaluate(("bad key",), lambda: Establishment.objects.filter(uai="0310024H").values_list("name"))
    assert here == [("Lycée Pierre-de-Fermat",)]
    with pytest.raises(AssertionError, match="does not name all"):
        compiled_sql.evaluate(("bad key",), lambda: Establishment.objects.filter(uai="0340005B").values_list("name"))


def test_a_value_kept_apart_from_the_key_must_stand_alone_in_the_parameters(settings):
    settings.COMPILED_SQL_CHECK = False
    world = build_world()
    tech = world.tech.pk
    # The id is also a constant of the statement: it cannot be told apart, so nothing is kept.
    both = compiled_sql.evaluate(
        ("ambiguous",), lambda pk: get_user_model().objects.filter(pk=pk, id__gte=tech).values_list("pk"), tech
    )
    assert both == [(tech,)]
    assert compiled_sql._KEPT[(("ambiguous",), 1)] is None
    # A value used twice over (pk + 1) is not where the probe expects it: nothing is kept either.
    shifted = compiled_sql.evaluate(
        ("shifted",), lambda pk: get_user_model().objects.filter(pk=pk + 1).values_list("pk"), world.staff.pk - 1
    )
    assert shifted == [(world.staff.pk,)]
    assert compiled_sql._KEPT[(("shifted",), 1)] is None
