"""The ticket page's content drawn in Python (repairs/ticket_html.py) is the markup of the template
it replaced, byte for byte: the whole page is compared with that template rendered with the same
context, for every role, in both languages, on tickets with every kind of link."""

import ast
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation

from devices.models import Role, WarrantyCoverage
from repairs import services
from repairs.models import Part, Ticket
from repairs.ticket_words import MESSAGES, _
from tests.devices.factories import CoverageFactory, DeviceFactory, MasterImageFactory
from tests.images import image_bytes
from tests.repairs.factories import build_world, force_state, world_fixtures

pytestmark = pytest.mark.django_db


# templates/repairs/ticket_detail.html before its content was drawn in Python, word for word, with
# its costs (templates/repairs/_partials/ticket_costs.html) written where it included them.
OLD_PAGE = """{% extends "base.html" %}
{% load i18n humanize repairs_tags %}
{% block title %}{{ ticket.reference }}{% endblock %}
{% block content %}
<h1>{% translate "Ticket" %} {{ ticket.reference }} <span class="badge" data-testid="state">{{ ticket.get_state_display }}</span></h1>
<div class="grid">
  <section class="card" aria-labelledby="facts-title">
    <h2 id="facts-title">{% translate "The fault" %}</h2>
    <dl class="facts">
      <dt>{% translate "Category" %}</dt><dd>{{ ticket.get_category_display }}</dd>
      <dt>{% translate "Priority" %}</dt><dd>{{ ticket.get_priority_display }}</dd>
      <dt>{% translate "Declared" %}</dt><dd><time datetime="{{ ticket.declared_at|date:'c' }}">{{ ticket.declared_at|date:"DATETIME_FORMAT" }}</time> ({{ ticket.declared_at|naturaltime }}) {% translate "by" %} {{ ticket.reporter.get_full_name|default:ticket.reporter.username }}</dd>
      <dt>{% translate "Laptop" %}</dt><dd><a href="{% url 'repairs:device' ticket.device.serial_number %}">{{ ticket.device.model }} — {{ ticket.device.asset_tag }}</a></dd>
      <dt>{% translate "Establishment" %}</dt><dd>{{ ticket.establishment.name|default:_("Depot") }}</dd>
      <dt>{% translate "Assigned to" %}</dt><dd>{% if ticket.assignee %}{{ ticket.assignee.get_full_name|default:ticket.assignee.username }}{% else %}{% translate "nobody" %}{% endif %}</dd>
      {% if ticket.coverage %}<dt>{% translate "Coverage" %}</dt><dd data-testid="coverage">{{ ticket.get_coverage_display }}{% if ticket.coverage_overridden %} ({% translate "decided by the technician" %}){% endif %}
        {% if internal and ticket.coverage_reason %}<div class="help">{{ ticket.coverage_reason|linebreaksbr }}</div>{% endif %}</dd>{% endif %}
      {% if ticket.police_report %}<dt>{% translate "Police report" %}</dt><dd>{{ ticket.police_report }}</dd>{% endif %}
      {% if ticket.resolution_due_at and not ticket.is_final %}<dt>{% translate "Due" %}</dt><dd>{% include "repairs/_partials/sla_badge.html" %}</dd>{% endif %}
    </dl>
    <p>{{ ticket.description|linebreaksbr }}</p>
  </section>

  {% if transitions or loaner_form or can_collect_loaner or loaner_due_form or priority_form or can_take or due_form or manufacturer_return %}
  <section class="card actions" aria-labelledby="actions-title">
    <h2 id="actions-title">{% translate "What you can do" %}</h2>
    {% for spec, fields in transitions %}
      <details>
        <summary>{{ spec.label }}</summary>
        <form method="post" action="{% url 'repairs:transition' ticket.reference spec.name %}">
          {% csrf_token %}
          {{ fields }}
          <button type="submit" data-transition="{{ spec.name }}">{{ spec.label }}</button>
        </form>
      </details>
    {% endfor %}
    {% if can_take %}
      <form method="post" action="{% url 'repairs:take' ticket.reference %}">{% csrf_token %}<button type="submit" class="secondary">{% translate "Take this ticket" %}</button></form>
    {% endif %}
    {% if loaner_form %}
      <details><summary>{% translate "Lend a loaner" %}</summary>
        <form method="post" action="{% url 'repairs:lend_loaner' ticket.reference %}">{% csrf_token %}
          {{ loaner_form.version }}
          <label for="{{ loaner_form.device.id_for_label }}">{{ loaner_form.device.label }}</label>{{ loaner_form.device }}
          <label for="{{ loaner_form.due_on.id_for_label }}">{{ loaner_form.due_on.label }}</label>{{ loaner_form.due_on }}
          <button type="submit">{% translate "Lend" %}</button>
        </form>
      </details>
    {% endif %}
    {% if can_collect_loaner %}
      <form method="post" action="{% url 'repairs:collect_loaner' ticket.reference %}">{% csrf_token %}<button type="submit" class="secondary">{% blocktranslate with tag=ticket.loaner.asset_tag %}Loaner {{ tag }} is back{% endblocktranslate %}</button></form>
    {% endif %}
    {% if loaner_due_form %}
      <details><summary>{% translate "Change the loaner's due date" %}</summary>
        <form method="post" action="{% url 'repairs:loaner_due' ticket.reference %}">{% csrf_token %}
          {{ loaner_due_form.version }}
          <label for="{{ loaner_due_form.due_on.id_for_label }}">{{ loaner_due_form.due_on.label }}</label>{{ loaner_due_form.due_on }}
          <button type="submit" class="secondary">{% translate "Change the due date" %}</button>
        </form>
      </details>
    {% endif %}
    {% if manufacturer_return %}
      <form method="post" action="{% url 'repairs:manufacturer_return' ticket.reference %}">{% csrf_token %}<input type="hidden" name="version" value="{{ ticket.version }}">
        <button type="submit" class="secondary">{% translate "Laptop back from the manufacturer" %}</button></form>
    {% endif %}
    {% if priority_form %}
      <form method="post" action="{% url 'repairs:priority' ticket.reference %}">{% csrf_token %}
        {{ priority_form.version }}
        <label for="{{ priority_form.priority.id_for_label }}">{{ priority_form.priority.label }}</label>{{ priority_form.priority }}
        <button type="submit" class="secondary">{% translate "Change the priority" %}</button>
      </form>
    {% endif %}
    {% if due_form %}
      <details><summary>{% translate "Set the resolution due date by hand" %}</summary>
        <form method="post" action="{% url 'repairs:due_date' ticket.reference %}">{% csrf_token %}
          {{ due_form.version }}
          <label for="{{ due_form.due_at.id_for_label }}">{{ due_form.due_at.label }}</label>{{ due_form.due_at }}
          <label for="{{ due_form.reason.id_for_label }}">{{ due_form.reason.label }}</label>{{ due_form.reason }}
          <button type="submit" class="secondary">{% translate "Set the due date" %}</button>
        </form>
      </details>
    {% endif %}
  </section>
  {% endif %}
</div>

<div class="grid">
  {% if internal %}
  <section class="card" aria-labelledby="laptop-title" data-testid="laptop">
    <h2 id="laptop-title">{% translate "The laptop" %}</h2>
    <dl class="facts">
      <dt>{% translate "Serial number" %}</dt><dd>{{ ticket.device.serial_number }}</dd>
      <dt>{% translate "Status" %}</dt><dd>{{ ticket.device.get_status_display }}</dd>
      <dt>{% translate "Master image" %}</dt><dd data-testid="image">{% if image.image %}{{ image.image.name }} {{ image.image.version }} —
        {% if image.is_current %}<span class="badge ok">{% translate "current" %}</span>{% else %}<span class="badge at_risk">{% translate "outdated" %}</span>{% if image.current %} ({% blocktranslate with version=image.current.version %}current: {{ version }}{% endblocktranslate %}){% endif %}{% endif %}
        {% else %}{% translate "none recorded" %}{% if image.current %} ({% blocktranslate with version=image.current.version %}current: {{ version }}{% endblocktranslate %}){% endif %}{% endif %}</dd>
    </dl>
    <h3>{% translate "Warranties" %}</h3>
    <ul data-testid="warranties">
      {% for row in warranties %}
      <li>{{ row.coverage.get_kind_display }} — {{ row.coverage.provider }}{% if row.coverage.contract_ref %} ({{ row.coverage.contract_ref }}){% endif %},
        {% blocktranslate with start=row.coverage.starts_on|date:"SHORT_DATE_FORMAT" end=row.coverage.ends_on|date:"SHORT_DATE_FORMAT" %}from {{ start }} to {{ end }}{% endblocktranslate %}
        {% if row.active_then %}<span class="badge ok">{% translate "active at declaration" %}</span>{% else %}<span class="badge">{% translate "not active at declaration" %}</span>{% endif %}
        {% if row.coverage.claims_cap %} — {% blocktranslate with used=row.coverage.claims_used cap=row.coverage.claims_cap %}{{ used }} of {{ cap }} claims used{% endblocktranslate %}{% endif %}
        {% if row.used %} <strong>{% translate "(covers this repair)" %}</strong>{% endif %}
      </li>
      {% empty %}<li>{% translate "No warranty recorded." %}</li>{% endfor %}
    </ul>
  </section>
  {% endif %}

  <section class="card" aria-labelledby="repair-title" data-testid="repair">
    <h2 id="repair-title">{% translate "The repair" %}</h2>
    <dl class="facts">
      {% if internal and ticket.rma_number %}<dt>{% translate "Manufacturer RMA number" %}</dt><dd>{{ ticket.rma_number }}</dd>{% endif %}
      {% if internal and ticket.parts %}<dt>{% translate "Parts ordered" %}</dt><dd><ul>{% for part in ticket.parts %}<li>{{ part }}</li>{% endfor %}</ul></dd>{% endif %}
      {% for image in reimages %}<dt>{% translate "Re-imaged" %}</dt><dd>{{ image.from|default:"—" }} → {{ image.to }}{% if image.device != ticket.device.serial_number %} ({{ image.device }}){% endif %}</dd>{% endfor %}
      {% if ticket.replacement %}<dt>{% translate "Replacement" %}</dt><dd>{{ ticket.replacement.asset_tag }} ({{ ticket.replacement.serial_number }})</dd>{% endif %}
      {% if ticket.returned_unrepaired %}<dt>{% translate "Outcome" %}</dt><dd>{% translate "Handed back unrepaired: the quote was refused" %}</dd>{% endif %}
      {% if ticket.tracking_number %}<dt>{% translate "Shipment" %}</dt><dd>{{ ticket.carrier }} {{ ticket.tracking_number }}</dd>{% endif %}
      {% if ticket.loaner %}<dt>{% translate "Loaner" %}</dt><dd data-testid="loaner">{{ ticket.loaner.asset_tag }}{% if ticket.loaner_out %} — {% translate "lent" %}{% if ticket.loaner_due_on %}, {% blocktranslate with date=ticket.loaner_due_on|date:"SHORT_DATE_FORMAT" %}due back on {{ date }}{% endblocktranslate %}{% if loaner_overdue %} <span class="badge breached">{% translate "overdue" %}</span>{% endif %}{% endif %}{% else %} — {% translate "returned" %}{% endif %}</dd>{% endif %}
    </dl>
    {% if not ticket.rma_number and not ticket.parts and not reimages and not ticket.replacement and not ticket.loaner and not ticket.tracking_number and not ticket.returned_unrepaired %}<p class="muted">{% translate "Nothing recorded yet." %}</p>{% endif %}
  </section>
</div>

{% if costs_shown %}{% load i18n repairs_tags %}
<section class="card" aria-labelledby="costs-title" data-testid="costs">
  <h2 id="costs-title">{% translate "Costs" %}</h2>
  <table class="responsive-table">
    <thead><tr><th scope="col">{% translate "Part" %}</th><th scope="col">{% translate "Quantity" %}</th><th scope="col">{% translate "Unit price" %}</th><th scope="col">{% translate "Amount" %}</th>{% if may_record_costs %}<th scope="col"><span class="visually-hidden">{% translate "Action" %}</span></th>{% endif %}</tr></thead>
    <tbody>
    {% for line in lines %}
      <tr>
        <td data-label="{% translate 'Part' %}">{{ line.part.label }} <span class="muted">{{ line.part.reference }}</span></td>
        <td data-label="{% translate 'Quantity' %}">{{ line.quantity }}</td>
        <td data-label="{% translate 'Unit price' %}">{{ line.unit_price|euros }}</td>
        <td data-label="{% translate 'Amount' %}">{{ line.total|euros }}</td>
        {% if may_record_costs %}<td><form method="post" action="{% url 'repairs:remove_part' ticket.reference line.pk %}">{% csrf_token %}<input type="hidden" name="version" value="{{ ticket.version }}"><button type="submit" class="secondary">{% blocktranslate with label=line.part.label %}Remove {{ label }}{% endblocktranslate %}</button></form></td>{% endif %}
      </tr>
    {% empty %}<tr><td colspan="5" class="muted">{% translate "No part recorded." %}</td></tr>{% endfor %}
    </tbody>
  </table>
  <dl class="facts">
    <dt>{% translate "Labour" %}</dt><dd>{{ ticket.labour_minutes|minutes }}{% if rate is not None %} × {% blocktranslate with rate=rate|euros %}{{ rate }}/h{% endblocktranslate %}{% elif ticket.coverage %} ({% translate "no hourly rate set for this coverage" %}){% endif %} = {{ ticket.labour_cost|euros }}</dd>
    <dt>{% translate "Parts" %}</dt><dd>{{ ticket.parts_cost|euros }}</dd>
    <dt>{% translate "Cost of the ticket" %}</dt><dd><strong data-testid="cost">{{ ticket.cost|euros }}</strong></dd>
  </dl>
  {% if may_record_costs %}
  <div class="grid">
    <form method="post" action="{% url 'repairs:add_part' ticket.reference %}">{% csrf_token %}
      <input type="hidden" name="version" value="{{ ticket.version }}">
      <label for="id_part">{% translate "Part (price list)" %}</label>
      <select name="part" id="id_part" required>
        {% for part in price_list %}<option value="{{ part.reference }}">{{ part.reference }} — {{ part.label }} ({{ part.unit_price|euros }})</option>
        {% empty %}<option value="">{% translate "The price list is empty (Administration)" %}</option>{% endfor %}
      </select>
      <label for="{{ part_form.quantity.id_for_label }}">{{ part_form.quantity.label }}</label>{{ part_form.quantity }}
      <button type="submit" class="secondary">{% translate "Add the part" %}</button>
    </form>
    <form method="post" action="{% url 'repairs:labour' ticket.reference %}">{% csrf_token %}
      {{ labour_form.version }}
      <label for="{{ labour_form.minutes.id_for_label }}">{{ labour_form.minutes.label }}</label>{{ labour_form.minutes }}
      <button type="submit" class="secondary">{% translate "Record the labour time" %}</button>
    </form>
  </div>
  {% endif %}

  {% if ticket.coverage == "family" or quotes %}
  <h3>{% translate "Quote for the family" %}</h3>
  {% if ticket.coverage == "family" and not quotes %}<p class="help">{% translate "A repair charged to the family starts only once the family accepted a quote." %}</p>{% endif %}
  <ul data-testid="quotes">
    {% for quote in quotes %}
    <li>{% blocktranslate with reference=quote.reference total=quote.total|euros date=quote.issued_at|date:"SHORT_DATE_FORMAT" %}Quote {{ reference }} of {{ date }}: {{ total }}{% endblocktranslate %}
      — <strong>{{ quote.get_status_display }}</strong>{% if quote.decided_at %} ({{ quote.get_decided_via_display }}, {{ quote.decided_at|date:"SHORT_DATETIME_FORMAT" }}){% endif %}
      · <a href="{% url 'repairs:quote_pdf' ticket.reference quote.number %}">{% translate "PDF" %}</a></li>
    {% endfor %}
  </ul>
  {% if pending_quote and may_record_quote_decision %}
  <form method="post" action="{% url 'repairs:quote_decision' ticket.reference %}">{% csrf_token %}
    <input type="hidden" name="version" value="{{ ticket.version }}"><input type="hidden" name="number" value="{{ pending_quote.number }}">
    <p>{% translate "The family answered at school or on the phone:" %}</p>
    <button type="submit" name="decision" value="accept">{% translate "The family accepts the quote" %}</button>
    <button type="submit" name="decision" value="refuse" class="secondary">{% translate "The family refuses the quote" %}</button>
  </form>
  {% endif %}
  {% if may_issue_quote %}
  <form method="post" action="{% url 'repairs:quote_issue' ticket.reference %}">{% csrf_token %}<input type="hidden" name="version" value="{{ ticket.version }}">
    <button type="submit">{% if quotes %}{% translate "Issue a new quote from these parts and this labour" %}{% else %}{% translate "Issue the quote from these parts and this labour" %}{% endif %}</button></form>
  {% endif %}
  {% endif %}
</section>
{% endif %}

<section class="card" aria-labelledby="status-link-title">
  <h2 id="status-link-title">{% translate "Status link without an account" %}</h2>
  <p class="help">{% translate "Whoever holds this link (a parent, a student without their laptop) follows the repair: state, next step, dates, and the quote if the family pays. No name is shown." %}</p>
  <label for="status-url">{% translate "Status link" %}</label>
  <input type="text" id="status-url" readonly value="{{ status_url }}">
  <p><a class="button secondary" href="{% url 'repairs:receipt' ticket.reference %}">{% translate "Print the receipt (PDF)" %}</a></p>
  {% if may_renew_status_link %}
  <form method="post" action="{% url 'repairs:status_link_renew' ticket.reference %}">{% csrf_token %}<input type="hidden" name="version" value="{{ ticket.version }}">
    <button type="submit" class="secondary">{% translate "Replace the link (the current one stops working)" %}</button></form>
  {% endif %}
</section>

<section class="card" aria-labelledby="history-title">
  <h2 id="history-title">{% translate "History" %}</h2>
  <ol class="timeline" data-testid="timeline">
    {% for line in timeline %}
    <li>
      <div class="when"><time datetime="{{ line.entry.at|date:'c' }}" title="{{ line.entry.at|date:'DATETIME_FORMAT' }}">{{ line.entry.at|naturaltime }}</time> · {{ line.entry.at|date:"SHORT_DATETIME_FORMAT" }} · {{ line.who }}</div>
      <div><strong>{{ line.title }}</strong>{% if line.details %}<ul class="details">{% for detail in line.details %}<li>{{ detail }}</li>{% endfor %}</ul>{% endif %}</div>
      {% if line.entry.note and line.entry.kind != "declared" %}<p>{{ line.entry.note|linebreaksbr }}</p>{% endif %}
    </li>
    {% endfor %}
  </ol>
</section>

<section class="card" aria-labelledby="files-title">
  <h2 id="files-title">{% translate "Photos and documents" %}</h2>
  <ul class="thumbs">
    {% for attachment in attachments %}
    <li><a href="{% url 'repairs:attachment' ticket.reference attachment.pk %}">
      {% if attachment.content_type == "image/jpeg" or attachment.content_type == "image/png" or attachment.content_type == "image/webp" %}
        <img src="{% url 'repairs:attachment' ticket.reference attachment.pk %}?inline=1" alt="{{ attachment.original_name }}" loading="lazy">
      {% else %}{{ attachment.original_name }}{% endif %}</a></li>
    {% empty %}<li class="muted">{% translate "No file." %}</li>{% endfor %}
  </ul>
  {% if attach_form %}
  <form method="post" enctype="multipart/form-data" action="{% url 'repairs:attach' ticket.reference %}">{% csrf_token %}
    <label for="{{ attach_form.file.id_for_label }}">{{ attach_form.file.label }}</label>{{ attach_form.file }}
    <button type="submit" class="secondary">{% translate "Send the file" %}</button>
  </form>
  {% endif %}
</section>

{% if comment_form %}
<section class="card">
  <form method="post" action="{% url 'repairs:comment' ticket.reference %}">{% csrf_token %}
    <label for="{{ comment_form.text.id_for_label }}">{{ comment_form.text.label }}</label>{{ comment_form.text }}
    <button type="submit">{% translate "Send the comment" %}</button>
  </form>
</section>
{% endif %}
{% endblock %}
"""  # noqa: E501


def build_markup_world():
    world = build_world()
    world.tech.first_name, world.tech.last_name = "Zoé", "<b>O'Neil</b> & fils"
    world.tech.save()
    CoverageFactory(
        device=world.device,
        kind=WarrantyCoverage.Kind.ACCIDENTAL,
        provider="Assur<école>",
        contract_ref="AE-2025-001",
        claims_cap=2,
        starts_on=dt.date(2025, 9, 1),
        ends_on=dt.date(2026, 8, 31),
    )
    return world


module_world, world = world_fixtures(build_markup_world)


def fresh(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def worked(world):
    """Diagnosed, parts ordered, to the manufacturer and back, re-imaged at the end."""
    ticket = world.declare(description='Écran <cassé>\n& "rayé"')
    services.ticket_start_diagnosis(ticket=ticket, actor=world.tech)
    services.ticket_set_priority(ticket=fresh(ticket), actor=world.tech, priority="urgent")
    services.ticket_order_parts(ticket=fresh(ticket), actor=world.tech, parts=["Dalle <14>", "Nappe & co"])
    services.ticket_start_repair(ticket=fresh(ticket), actor=world.tech)
    services.ticket_send_to_manufacturer(ticket=fresh(ticket), actor=world.tech, rma_number="RMA-<4410>")
    services.ticket_receive_from_manufacturer(ticket=fresh(ticket), actor=world.tech)
    newer = MasterImageFactory(academie="toulouse", version="2026.2")
    world.image.is_current = False
    world.image.save()
    newer.is_current = True
    newer.save()
    services.ticket_finish_repair(ticket=fresh(ticket), actor=world.tech, reimage=True)
    return fresh(ticket)


def costed(world, media):
    """Charged to the family: a part, labour, a refused quote and a pending one, files, a comment,
    a loaner overdue."""
    Part.objects.create(reference="SCR-14", label='Dalle <14"> & co', unit_price=Decimal("1289.90"))
    ticket = world.declare(by=world.staff, category="accidental_damage")
    services.ticket_start_diagnosis(
        ticket=ticket, actor=world.tech, coverage="family", coverage_reason="Chute\n<b>2</b>"
    )
    services.ticket_add_part(ticket=fresh(ticket), actor=world.tech, part="SCR-14", quantity=2)
    services.ticket_set_labour(ticket=fresh(ticket), actor=world.tech, minutes=95)
    services.ticket_quote_issue(ticket=fresh(ticket), actor=world.tech)
    services.ticket_quote_decide(ticket=fresh(ticket), actor=world.staff, accepted=False, number=1)
    services.ticket_quote_issue(ticket=fresh(ticket), actor=world.tech)
    photo = SimpleUploadedFile("photo <1>.png", image_bytes("PNG"), content_type="image/png")
    services.ticket_attach(ticket=fresh(ticket), actor=world.staff, upload=photo)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    upload = SimpleUploadedFile("facture & <devis>.pdf", pdf, content_type="application/pdf")
    services.ticket_attach(ticket=fresh(ticket), actor=world.staff, upload=upload)
    services.ticket_comment(ticket=fresh(ticket), actor=world.staff, text='Vu <b>écran</b> & "clavier"\nligne 2')
    services.ticket_lend_loaner(ticket=fresh(ticket), actor=world.staff)
    Ticket.objects.filter(pk=ticket.pk).update(loaner_due_on=timezone.localdate() - dt.timedelta(days=3))
    return fresh(ticket)


def plain_tickets(world):
    late = force_state(world.declare(category="keyboard"), "in_repair", resolution_breached=True)
    Ticket.objects.filter(pk=late.pk).update(assignee=world.tech, police_report="PV <12> & co")
    risky = force_state(world.declare(category="battery"), "diagnosing", sla_at_risk=True)
    closed = force_state(world.declare(category="other"), "returned")
    depot = world.declare(device=DeviceFactory(establishment=None), by=world.manager, category="network")
    return [fresh(t) for t in (late, risky, closed, depot)]


def masked(html: str) -> str:
    """CSRF tokens change on every request and the relative times with the clock."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)
    html = re.sub(r'(title="[^"]*">)[^<]*(</time>)', r"\1WHEN\2", html)
    return re.sub(r"(</time> \()[^)]*(\))", r"\1WHEN\2", html)


def same_as_the_old_template(client, user, ticket, language) -> str:
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(f"/tickets/{ticket.reference}/")
    if response.status_code == 404:  # another establishment's ticket: nothing drawn
        return ""
    assert response.status_code == 200
    context = {key: response.context[key] for key in response.context.keys()}  # noqa: SIM118 - a list of contexts
    with translation.override(language):
        old = engines["django"].from_string(OLD_PAGE).render(context, request=response.wsgi_request)
    new = response.content.decode()
    assert masked(new) == masked(old)
    return new


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_page_is_the_markup_of_the_template_it_replaced(client, world, language, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    tickets = [worked(world), costed(world, tmp_path), *plain_tickets(world)]
    people = world.people()
    assert set(people) >= {Role.STUDENT, Role.STAFF, Role.TECHNICIAN, Role.MANAGER, Role.SUPERVISOR}
    shown = ""
    for user in people.values():
        for ticket in tickets:
            shown += same_as_the_old_template(client, user, ticket, language)
    # What the comparison went through: every card, form and kind of line at least once.
    for seen in (
        'data-testid="costs"',
        'name="decision"',
        "?inline=1",
        "badge breached",
        "badge at_risk",
        "data-transition=",
        "id_due_at",
        "id_part",
        "&lt;b&gt;O&#x27;Neil",
        "Assur&lt;école&gt;",
        "status-link/",
        "loaner/due/",
        "priority/",
        "PV &lt;12&gt;",
    ):
        assert seen in shown, seen
    assert "Dalle &lt;14&quot;&gt; &amp; co" in shown and "<br>" in shown


def test_a_translation_with_an_apostrophe_is_written_as_the_template_wrote_it():
    with translation.override("en"):
        assert _("Change the loaner's due date") == "Change the loaner's due date"


def test_every_word_of_the_page_is_named_for_makemessages():
    """The modules write their words in f-strings, where makemessages does not look."""
    from pathlib import Path

    import repairs

    literal = re.compile(r"""_\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+|(?:'(?:[^'\\]|\\.)*'\s*)+)\)""")
    written = set()
    for path in Path(repairs.__file__).parent.glob("ticket_*html.py"):
        source = path.read_text()
        written |= {ast.literal_eval(f"({match.group(1)})") for match in literal.finditer(source)}
    assert len(written) > 80
    assert written == set(MESSAGES)


def test_the_addresses_written_from_the_tickets_are_those_of_the_url_names(world):
    ticket = world.declare()
    base = reverse("repairs:ticket", args=[ticket.reference])
    for name, args, suffix in (
        ("transition", ["start_diagnosis"], "transitions/start_diagnosis/"),
        ("take", [], "take/"),
        ("lend_loaner", [], "loaner/"),
        ("collect_loaner", [], "loaner/collect/"),
        ("loaner_due", [], "loaner/due/"),
        ("manufacturer_return", [], "manufacturer-return/"),
        ("priority", [], "priority/"),
        ("due_date", [], "due/"),
        ("receipt", [], "receipt.pdf"),
        ("status_link_renew", [], "status-link/"),
        ("attachment", [7], "attachments/7/"),
        ("attach", [], "attachments/"),
        ("comment", [], "comments/"),
        ("remove_part", [3], "parts/3/remove/"),
        ("add_part", [], "parts/"),
        ("labour", [], "labour/"),
        ("quote_pdf", [2], "quotes/2.pdf"),
        ("quote_decision", [], "quotes/decision/"),
        ("quote_issue", [], "quotes/"),
    ):
        assert reverse(f"repairs:{name}", args=[ticket.reference, *args]) == base + suffix


def test_a_form_field_drawn_once_is_drawn_again_for_another_value_language_or_time_zone():
    from django.utils.html import escape

    from repairs.forms import CommentForm, TicketDueDateForm
    from repairs.html_parts import form_field, form_input

    def fresh_drawing(form, name):
        field = form[name]
        return f'<label for="{escape(field.id_for_label)}">{escape(field.label)}</label>{field}'

    moment = dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)
    for zone in ("Europe/Paris", "UTC", "Europe/Paris"):
        with timezone.override(zone):
            for language in ("fr", "en", "fr"):
                with translation.override(language):
                    for version in (1, 2, 1):
                        form = TicketDueDateForm(initial={"due_at": moment, "reason": "<b>", "version": version})
                        assert form_field(form, "due_at") == fresh_drawing(form, "due_at")
                        assert form_field(form, "reason") == fresh_drawing(form, "reason")
                        assert form_input(form, "version") == str(form["version"])
                    assert form_field(CommentForm(), "text") == fresh_drawing(CommentForm(), "text")
    bound = CommentForm(data={"text": "<i>déjà écrit</i>"})
    assert form_field(bound, "text") == fresh_drawing(bound, "text") and "déjà écrit" in form_field(bound, "text")
