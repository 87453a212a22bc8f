"""A field that says `aria-describedby` points at a text the page shows: a screen reader reads
that text with the field, and a reference to nothing reads nothing."""

import re

import pytest

from tests.repairs.factories import build_world

pytestmark = pytest.mark.django_db

DESCRIBED = re.compile(r'aria-describedby="([^"]+)"')


def missing_descriptions(html: str) -> list[str]:
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    return [ref for refs in DESCRIBED.findall(html) for ref in refs.split() if ref not in ids]


@pytest.mark.parametrize(
    ("person", "path"),
    [("tech", "/tickets/"), ("manager", "/tickets/?search=ecran&assigned_to=me"), ("student", "/declare/")],
)
def test_every_described_field_has_its_description_on_the_page(client, person, path):
    world = build_world()
    client.force_login(getattr(world, person))
    html = client.get(path, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert DESCRIBED.search(html), "the page has no described field: the check would be empty"
    assert missing_descriptions(html) == []


def test_the_queue_explains_its_search_box_and_its_assignee_filter(client):
    world = build_world()
    client.force_login(world.tech)
    html = client.get("/tickets/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'id="id_search_helptext">Référence, numéro de série' in html
    assert "Un identifiant, « me » ou « none »" in html
