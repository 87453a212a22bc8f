"""The queue at scale: what it shows (rows, order, counts) is what the plain definitions give,
page after page by cursor or by number, in at most ten queries whatever the filter or the page."""

import datetime as dt
import random
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from devices.models import FaultCategory
from repairs import selectors, services
from repairs.models import StateCount, Ticket
from repairs.states import FINAL_STATES, OPEN_STATES, Priority, State
from repairs.triggers import triggers_drop, triggers_ensure
from tests.devices.factories import DeviceFactory
from tests.once import kept_for_the_module
from tests.repairs.factories import build_world

pytestmark = pytest.mark.django_db

# Filters as people combine them; each is checked against its plain definition below.
FILTERS = [
    {},
    {"sort": "due"},
    {"state": ["diagnosing"]},
    {"state": list(OPEN_STATES)},
    {"state": ["declared", "in_repair"], "sort": "-declared"},
    {"state": ["returned", "diagnosing"], "sort": "declared"},
    {"sla": "breached"},
    {"sla": "at_risk"},
    {"sla": "ok", "sort": "-declared"},
    {"assigned_to": "none"},
    {"assigned_to": "me"},
    {"establishment": "0310024h"},
    {"category": ["screen", "battery"], "priority": ["high"]},
    {"search": "clignote", "state": list(OPEN_STATES)},
]


def write_crowd(world) -> list[Ticket]:
    """Sixty-six tickets in every state, two establishments and the depot, with due dates in
    any order (some equal, some missing), breaches, risks and assignees."""
    rng = random.Random(12)
    now = timezone.now()
    places = [world.establishment] * 30 + [world.other_establishment] * 30 + [None] * 6
    devices = [DeviceFactory(establishment=place) for place in places]
    due_dates = [now + dt.timedelta(hours=rng.randrange(-200, 200)) for _ in range(30)]
    rows = []
    for n, device in enumerate(devices):
        state = rng.choice(State.values)
        rows.append(
            Ticket(
                reference=f"R-2026-{900000 + n:06d}",
                device=device,
                reporter=world.staff,
                establishment=device.establishment,
                category=rng.choice(FaultCategory.values),
                description=rng.choice(["L'écran clignote.", "Le clavier ne répond plus.", "Batterie morte."]),
                priority=rng.choice(Priority.values),
                assignee=rng.choice([None, world.tech, world.other_tech]),
                state=state,
                declared_at=now - dt.timedelta(days=rng.randrange(1, 40), minutes=n),
                resolution_due_at=None if n % 11 == 0 else rng.choice(due_dates),
                first_response_breached=rng.random() < 0.2,
                resolution_breached=rng.random() < 0.2,
                sla_at_risk=rng.random() < 0.3,
            )
        )
    Ticket.objects.bulk_create(rows)
    return rows


@pytest.fixture(scope="module")
def kept(django_db_setup, django_db_blocker):
    """The world and its crowd, written once for the module (each test's changes are undone after it)."""

    def write():
        world = build_world()
        return world, write_crowd(world)

    with kept_for_the_module(django_db_blocker, write) as written:
        yield written


@pytest.fixture
def world(kept):
    return kept[0]


@pytest.fixture
def crowd(kept):
    return kept[1]


def old_sla(status: str) -> Q:
    breached = Q(first_response_breached=True) | Q(resolution_breached=True)
    if status == "breached":
        return breached
    if status == "at_risk":
        return Q(sla_at_risk=True) & ~breached & ~Q(state__in=FINAL_STATES)
    return ~breached & Q(sla_at_risk=False)


def old_list(user, params: dict, *, default_open: bool) -> list[str]:
    """The queue as the plain definitions read: scope, filters, sort (no due date first)."""
    qs = selectors.visible_tickets(user=user)
    if not params and default_open:
        qs = qs.filter(state__in=OPEN_STATES)
    if "state" in params:
        qs = qs.filter(state__in=params["state"])
    if "sla" in params:
        qs = qs.filter(old_sla(params["sla"]))
    if params.get("assigned_to") == "none":
        qs = qs.filter(assignee__isnull=True)
    if params.get("assigned_to") == "me":
        qs = qs.filter(assignee=user)
    if "establishment" in params:
        qs = qs.filter(establishment__uai=params["establishment"].upper())
    for name in ("category", "priority"):
        if name in params:
            qs = qs.filter(**{f"{name}__in": params[name]})
    if "search" in params:
        qs = qs.filter(description__icontains=params["search"])
    sort = params.get("sort", "due")
    order = {
        "due": (F("resolution_due_at").asc(nulls_first=True), "pk"),
        "-declared": ("-declared_at", "-pk"),
        "declared": ("declared_at", "pk"),
    }[sort]
    return list(qs.order_by(*order).values_list("reference", flat=True))


def old_counts(user, params: dict) -> dict[str, int]:
    qs = Ticket.objects.filter(reference__in=old_list(user, params, default_open=False))
    rows = qs.filter(state__in=OPEN_STATES).values("state").annotate(n=Count("pk")).order_by()
    return {row["state"]: row["n"] for row in rows}


def walk_web(client, params: dict) -> tuple[list[str], list[dict]]:
    """Every page of the web queue by its "next" links: the references, and each page's context."""
    references, pages = [], []
    response = client.get(reverse("repairs:ticket_list"), params)
    while True:
        assert response.status_code == 200
        pages.append(response.context)
        references += [t.reference for t in response.context["tickets"]]
        if not response.context["has_next"]:
            return references, pages
        response = client.get(reverse("repairs:ticket_list") + "?" + response.context["next_query"])


def people(world):
    """A zone technician, a manager, school staff and a student: the four shapes of scope."""
    return [world.tech, world.manager, world.staff, world.student]


def test_web_queue_shows_the_same_rows_order_and_counts_as_the_plain_definitions(client, world, crowd, monkeypatch):
    monkeypatch.setattr("repairs.views.queue.QUEUE_PAGE_SIZE", 12)
    for user in people(world):
        client.force_login(user)
        for params in FILTERS:
            references, pages = walk_web(client, params)
            assert references == old_list(user, params, default_open=True), (user.username, params)
            expected = old_counts(user, params or {"state": list(OPEN_STATES)})
            assert pages[0]["counts"] == expected, (user.username, params)
            assert [page["page"] for page in pages] == list(range(1, len(pages) + 1))


def test_web_queue_pages_by_typed_number_are_the_pages_its_links_reach_for_everyone(client, world, crowd, monkeypatch):
    # A typed page number reads the ids of the rows it skips, then the page's rows by id.
    monkeypatch.setattr("repairs.views.queue.QUEUE_PAGE_SIZE", 5)
    for user in people(world):
        client.force_login(user)
        for params in ({"sort": "due"}, {"sort": "declared", "state": list(OPEN_STATES)}, {"sort": "-declared"}):
            _references, pages = walk_web(client, params)
            for number, page in enumerate([*pages, None], start=1):
                typed = client.get(reverse("repairs:ticket_list"), {**params, "page": number}).context
                expected = [t.reference for t in page["tickets"]] if page else []
                assert [t.reference for t in typed["tickets"]] == expected, (user.username, params, number)
                assert typed["has_next"] == (page is not None and page["has_next"])


def test_web_queue_pages_by_number_and_by_cursor_agree_both_ways(client, world, crowd, monkeypatch):
    monkeypatch.setattr("repairs.views.queue.QUEUE_PAGE_SIZE", 6)
    client.force_login(world.manager)
    _references, pages = walk_web(client, {"sort": "-declared"})
    assert len(pages) > 4
    for number, page in enumerate(pages, start=1):
        by_number = client.get(reverse("repairs:ticket_list"), {"sort": "-declared", "page": number}).context
        assert [t.reference for t in by_number["tickets"]] == [t.reference for t in page["tickets"]]
    # And back from the last page by the "previous" links, by cursor until page 2.
    context, seen = pages[-1], []
    while context["page"] > 1:
        previous = context["previous_query"]
        assert ("cursor=" in previous) == (context["page"] > 2)
        context = client.get(reverse("repairs:ticket_list") + "?" + previous).context
        seen.append([t.reference for t in context["tickets"]])
    assert seen == [[t.reference for t in page["tickets"]] for page in pages[-2::-1]]


def test_a_tampered_cursor_shows_the_first_page_with_a_message(client, world, crowd):
    client.force_login(world.manager)
    response = client.get(reverse("repairs:ticket_list"), {"sort": "due", "page": 3, "cursor": "not-a-cursor"})
    assert response.status_code == 200 and response.context["page"] == 1
    assert any("first page" in str(m) or "première page" in str(m) for m in response.context["messages"])
    first = client.get(reverse("repairs:ticket_list"), {"sort": "due"}).context
    assert [t.reference for t in response.context["tickets"]] == [t.reference for t in first["tickets"]]


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def walk_api(client, params: dict) -> list[str]:
    references, url, query = [], "/api/v1/tickets/", {**params, "page_size": 12}
    while url:
        body = client.get(url, query).json()
        references += [row["reference"] for row in body["results"]]
        url, query = body["next"], None
    return references


def test_api_list_walks_the_same_rows_as_the_plain_definitions(world, crowd):
    for user in people(world):
        client = api(user)
        for params in FILTERS:
            expected = old_list(user, params, default_open=False)
            assert walk_api(client, params) == expected, (user.username, params)


def test_api_links_carry_a_cursor_and_the_page_number_still_answers(world, crowd):
    client = api(world.manager)
    body = client.get("/api/v1/tickets/", {"page_size": 5, "sort": "declared"}).json()
    query = parse_qs(urlsplit(body["next"]).query)
    assert query["page"] == ["2"] and query["cursor"]
    by_cursor = client.get(body["next"]).json()
    by_number = client.get("/api/v1/tickets/", {"page_size": 5, "sort": "declared", "page": 2}).json()
    assert by_cursor["results"] == by_number["results"]
    back = client.get(by_cursor["previous"]).json()
    assert back["results"] == body["results"] and back["previous"] is None


@pytest.mark.parametrize(
    "query",
    [
        {"cursor": "garbage"},
        {"cursor": "W10"},  # valid base64 of "[]"
        {"cursor": "x" * 500},
    ],
)
def test_api_refuses_a_cursor_it_did_not_make_with_a_json_400(world, crowd, query):
    response = api(world.manager).get("/api/v1/tickets/", query)
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_api_refuses_a_cursor_made_for_another_order(world, crowd):
    client = api(world.manager)
    following = client.get("/api/v1/tickets/", {"page_size": 5, "sort": "declared"}).json()["next"]
    cursor = parse_qs(urlsplit(following).query)["cursor"][0]
    response = client.get("/api/v1/tickets/", {"sort": "-declared", "cursor": cursor})
    assert response.status_code == 400 and "cursor" in response.json()["errors"]


def test_web_queue_takes_at_most_ten_queries_whatever_the_filter_or_page(
    client, world, crowd, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr("repairs.views.queue.QUEUE_PAGE_SIZE", 5)
    for user in people(world):
        client.force_login(user)
        for params in FILTERS:
            with django_assert_max_num_queries(10):
                first = client.get(reverse("repairs:ticket_list"), params)
            if first.context["has_next"]:
                with django_assert_max_num_queries(10):
                    client.get(reverse("repairs:ticket_list") + "?" + first.context["next_query"])
            with django_assert_max_num_queries(10):
                client.get(reverse("repairs:ticket_list"), {**params, "page": 3})


def test_api_list_takes_at_most_ten_queries_whatever_the_filter_or_page(world, crowd, django_assert_max_num_queries):
    for user in people(world):
        client = api(user)
        for params in FILTERS:
            with django_assert_max_num_queries(10):
                body = client.get("/api/v1/tickets/", {**params, "page_size": 5}).json()
            if body["next"]:
                with django_assert_max_num_queries(10):
                    client.get(body["next"])


def counted_by_rows() -> dict[tuple, int]:
    rows = StateCount.objects.filter(tickets__gt=0).values_list("establishment_id", "state", "tickets")
    return {(place, state): n for place, state, n in rows}


def counted_by_tickets() -> dict[tuple, int]:
    rows = Ticket.objects.values_list("establishment_id", "state").annotate(n=Count("pk")).order_by()
    return {(place, state): n for place, state, n in rows}


def test_the_rows_of_tickets_per_state_follow_every_kind_of_write(world, crowd):
    assert counted_by_rows() == counted_by_tickets()
    ticket = world.declare(by=world.staff)
    services.ticket_start_diagnosis(ticket=ticket, actor=world.tech)  # a transition through the services
    Ticket.objects.filter(state="diagnosing").update(state="in_repair")  # raw SQL
    moved = list(Ticket.objects.filter(establishment=world.establishment).values_list("pk", flat=True)[:3])
    Ticket.objects.filter(pk__in=moved).update(establishment=world.other_establishment)
    Ticket.objects.filter(state="returned").delete()
    assert counted_by_rows() == counted_by_tickets()


def test_a_dropped_trigger_is_put_back_and_the_counts_rebuilt_after_migrate(world, crowd):
    triggers_drop(connection, part="counts")  # what a table rebuild on SQLite did with Django's own backend
    Ticket.objects.filter(state="declared").update(state="cancelled")
    assert counted_by_rows() != counted_by_tickets()
    assert triggers_ensure(using="default") == ["counts"]
    assert counted_by_rows() == counted_by_tickets()
    assert triggers_ensure(using="default") == []
