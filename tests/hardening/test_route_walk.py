"""Every URL pattern of the project, read from the URLconf, walked with hostile path values (NUL,
very long, unicode, huge integers, traversal) by every kind of person: never a 5xx.

Each pattern is tried with every parameter hostile at once, then one parameter at a time with
the others set to things that exist (a real ticket, device, establishment), so the walk reaches
the views and not only the router."""

import re
from urllib.parse import quote, unquote

import pytest
from django.contrib.admindocs.views import extract_views_from_urlpatterns, simplify_regex
from django.test import Client
from django.urls import Resolver404, get_resolver, resolve

from tests.once import kept_for_the_module
from tests.repairs.factories import build_world

PATTERNS = sorted(
    {simplify_regex(regex) for _view, regex, _ns, _name in extract_views_from_urlpatterns(get_resolver().url_patterns)}
)
APP_PATTERNS = [p for p in PATTERNS if not p.startswith("/admin/")]
ADMIN_PATTERNS = [p for p in PATTERNS if p.startswith("/admin/")]
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
HOSTILE = {
    "nul": "AB\x00C",
    "long": "A" * 5000,
    "unicode": "é漢字🙂\u202e",
    "huge-integer": "9" * 30,
    "traversal": "../../etc/passwd",
    "negative": "-1",
}
ADMIN_HOSTILE = {key: HOSTILE[key] for key in ("nul", "long", "huge-integer")}
ROLES = ("anonymous", "student", "staff", "technician", "manager", "supervisor")


def fill(pattern: str, values: dict[str, str]) -> str:
    return PARAMETER.sub(lambda m: quote(values[m.group(1)], safe=""), pattern)


def variants(pattern: str, real: dict[str, str], hostile: dict[str, str]):
    names = PARAMETER.findall(pattern)
    if not names:
        yield pattern
        return
    for value in hostile.values():
        yield fill(pattern, dict.fromkeys(names, value))
        if len(names) > 1:
            for name in names:
                yield fill(pattern, {**{n: real.get(n, "1") for n in names}, name: value})


def reaches_a_view(path: str) -> bool:
    try:
        resolve(unquote(path))
    except Resolver404:
        return False
    return True


def walk(client, patterns, real, hostile, methods, *, every_404=True) -> list[tuple[str, str, int]]:
    """A path no pattern matches reaches no view: the 404 page answers it, the same for every
    method, and a role changes only the menu drawn around it. Such paths are requested once,
    with GET, and with `every_404=False` only a sample of them (one in 40)."""
    failures = []
    unmatched = 0
    for pattern in patterns:
        for path in variants(pattern, real, hostile):
            if reaches_a_view(path):
                tried = methods
            else:
                unmatched += 1
                tried = methods[:1] if every_404 or unmatched % 40 == 1 else ()
            for method in tried:
                status = getattr(client, method)(path).status_code
                if status >= 500:
                    failures.append((method, path[:120], status))
    return failures


@pytest.fixture(scope="module")
def kept(django_db_setup, django_db_blocker):
    """The people and things, written once for the module (what a walk writes is undone after it)."""
    with kept_for_the_module(django_db_blocker, write_people_and_things) as written:
        yield written


@pytest.fixture
def people_and_things(kept, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return kept


def write_people_and_things():
    world = build_world()
    ticket = world.declare()
    real = {
        "reference": ticket.reference,
        "serial": world.device.serial_number,
        "asset_tag": world.device.asset_tag,
        "uai": world.establishment.uai,
        "name": "start_diagnosis",
        "app_label": "repairs",
        "object_id": str(ticket.pk),
        "id": str(world.student.pk),
    }
    people = {
        "anonymous": None,
        "student": world.student,
        "staff": world.staff,
        "technician": world.tech,
        "manager": world.manager,
        "supervisor": world.supervisor,
    }
    return people, real


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_hostile_path_gets_a_server_error_from_the_application(role, people_and_things):
    people, real = people_and_things
    # every unmatched path for the visitor and the manager (the longest menu), a sample for the rest
    every_404 = role in ("anonymous", "manager")
    assert walk(client_for(people[role]), APP_PATTERNS, real, HOSTILE, ("get", "post"), every_404=every_404) == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", ("anonymous", "technician", "manager"))
def test_no_hostile_path_gets_a_server_error_from_the_admin(role, people_and_things):
    people, real = people_and_things
    user = people[role]
    if user is not None:
        user = type(user).objects.get(pk=user.pk)  # the module's instance stays as it was written
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    assert walk(client_for(user), ADMIN_PATTERNS, real, ADMIN_HOSTILE, ("get",)) == []
