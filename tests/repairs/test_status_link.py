"""The status link without an account: a secret per ticket, in the declaration message and
on the printed receipt; the page shows reference, state, next step and dates and nothing personal;
a wrong or revoked link is the site's plain 404; throttled per address; the family answers the quote
there."""

import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from pypdf import PdfReader

from notifications.models import Notification
from repairs import services
from repairs.models import Part, Ticket
from repairs.services import ActionForbidden
from tests.repairs.factories import build_world, world_fixtures

pytestmark = pytest.mark.django_db
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()  # the per-address counters of the throttle
    yield
    cache.clear()


def build_status_world():
    world = build_world()
    world.student.first_name, world.student.last_name = "Inès", "Garcia"
    world.student.email = "ines@example.org"
    world.student.save()
    return world


module_world, world = world_fixtures(build_status_world)


def status_path(ticket) -> str:
    return f"/s/{Ticket.objects.get(pk=ticket.pk).status_token}/"


def test_each_ticket_gets_its_own_long_url_safe_secret(world):
    first, second = world.declare(), world.declare(category="keyboard")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", first.status_token)
    assert first.status_token != second.status_token


def test_the_page_shows_reference_state_next_step_and_dates_and_nothing_personal(world):
    ticket = world.declare(description="Écran noir depuis la chute dans le bus.")
    services.ticket_request_device(ticket=ticket, actor=world.tech)
    response = Client().get(status_path(ticket))
    assert response.status_code == 200
    page = response.content.decode()
    assert ticket.reference in page
    assert "En attente de l’appareil" in page
    assert "Apportez l’ordinateur" in page
    assert "Déclaré le" in page and "Dernière mise à jour" in page
    personal = ("Garcia", "Inès", "eleve", "chute dans le bus", world.device.serial_number, world.establishment.name)
    for secret in personal:
        assert secret not in page, secret
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "same-origin"
    assert "noindex" in response["X-Robots-Tag"]


def test_a_wrong_token_is_the_same_404_as_any_unknown_page(world):
    world.declare()
    anonymous = Client()
    wrong = anonymous.get("/s/" + "A" * 43 + "/")
    malformed = anonymous.get("/s/../etc/")
    unknown = anonymous.get("/no-such-page/")
    assert wrong.status_code == malformed.status_code == unknown.status_code == 404

    def page(response, path: str) -> bytes:  # the per-request bits: CSRF token, the path to come back to
        return CSRF_FIELD.sub(b"", response.content).replace(path.encode(), b"PATH")

    assert page(wrong, "/s/" + "A" * 43 + "/") == page(unknown, "/no-such-page/")


def test_a_new_link_revokes_the_old_one(world):
    ticket = world.declare()
    old = status_path(ticket)
    with pytest.raises(ActionForbidden):
        services.ticket_status_link_renew(ticket=ticket, actor=world.student)
    assert Client().get(old).status_code == 200
    client = Client()
    client.force_login(world.staff)
    response = client.post(f"/tickets/{ticket.reference}/status-link/", {"version": ticket.version}, follow=True)
    assert "le précédent ne fonctionne plus" in response.content.decode()
    new = status_path(ticket)
    assert new != old
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    entry = ticket.timeline.latest("pk")
    assert entry.name == "status_link" and Ticket.objects.get(pk=ticket.pk).status_token not in str(entry.payload)


def test_more_than_thirty_requests_a_minute_from_one_address_get_429(world, settings):
    settings.STATUS_PAGE_RATE_PER_MINUTE = 30
    ticket = world.declare()
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [client.get("/s/" + f"{n:043d}" + "/").status_code for n in range(29)]
    statuses.append(client.get(status_path(ticket)).status_code)
    assert statuses == [404] * 29 + [200]
    refused = client.get(status_path(ticket))
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Trop de demandes" in refused.content.decode()
    assert Client(REMOTE_ADDR="198.51.100.2").get(status_path(ticket)).status_code == 200


def test_the_family_accepts_the_quote_from_the_page_with_its_csrf_token(world):
    ticket = world.declare(category="accidental_damage")
    services.ticket_start_diagnosis(ticket=ticket, actor=world.tech)
    Part.objects.create(reference="SCR-14", label="Dalle 14 pouces", unit_price=Decimal("89.90"))
    services.ticket_add_part(ticket=ticket, actor=world.tech, part="SCR-14")
    services.ticket_quote_issue(ticket=ticket, actor=world.tech)
    family = Client(enforce_csrf_checks=True)
    page = family.get(status_path(ticket)).content.decode()
    assert "89,90 €" in page and "J’accepte le devis" in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    forged = Client(enforce_csrf_checks=True).post(status_path(ticket) + "quote/", {"decision": "accept", "number": 1})
    assert forged.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).quote_state == "pending"
    answered = family.post(
        status_path(ticket) + "quote/", {"decision": "accept", "number": 1, "csrfmiddlewaretoken": token}, follow=True
    )
    assert "le devis est accepté" in answered.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).quote_state == "accepted"
    assert "J’accepte le devis" not in answered.content.decode()
    desk = Client()
    desk.force_login(world.tech)
    history = desk.get(f"/tickets/{ticket.reference}/").content.decode().split('data-testid="timeline"')[1]
    assert "la famille" in history and "par la famille, via le lien de suivi" in history
    pdf = family.get(status_path(ticket) + "quotes/1.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert f"{ticket.reference}-D1" in text and "89,90 €" in text


def test_the_declaration_email_and_sms_carry_the_link(world, django_capture_on_commit_callbacks):
    profile = world.student.profile
    profile.notify_by_sms, profile.phone = True, "0612345678"
    profile.save()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = world.declare()
    link = f"http://127.0.0.1:8000{status_path(ticket)}"
    sms = Notification.objects.get(event="ticket.declared", channel="sms")
    assert link in sms.body
    assert link in mail.outbox[0].body


def test_the_receipt_prints_the_link_for_the_family(world):
    ticket = world.declare()
    client = Client()
    client.force_login(world.staff)
    response = client.get(f"/tickets/{ticket.reference}/receipt.pdf")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(reader.pages[0].extract_text().split())
    assert len(reader.pages) == 1
    assert ticket.reference in text and "Suivre la réparation sans compte" in text
    assert f"http://testserver{status_path(ticket)}" in text.replace(" ", "")
    client.force_login(world.other_staff)
    assert client.get(f"/tickets/{ticket.reference}/receipt.pdf").status_code == 404
