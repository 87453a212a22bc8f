"""The HTML drawn in Python (repairs/widgets.py, repairs/ticket_table.py) says what the templates it replaces said: same
elements, attributes, texts and escaping; only the blanks between tags differ."""

import datetime as dt
import re

import pytest
from django import forms
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation

from repairs.listrows import as_rows
from repairs.models import Ticket
from repairs.ticket_table import ticket_rows
from repairs.widgets import Choices, QuickCheckboxes, QuickSelect, QuickTextInput
from tests.devices.factories import DeviceFactory, make_person
from tests.repairs.factories import build_world, force_state

pytestmark = pytest.mark.django_db

# The template the ticket tables were drawn with before, word for word.
OLD_ROWS = """{% load i18n %}
<table class="responsive-table">
  <thead><tr>
    {% if selectable %}<th scope="col"><span class="visually-hidden">{% translate "Select" %}</span></th>{% endif %}
    <th scope="col">{% translate "Reference" %}</th><th scope="col">{% translate "State" %}</th>
    <th scope="col">{% translate "Fault" %}</th><th scope="col">{% translate "Laptop" %}</th>
    <th scope="col">{% translate "Establishment" %}</th><th scope="col">{% translate "Priority" %}</th>
    <th scope="col">{% translate "Assigned to" %}</th><th scope="col">{% translate "Due" %}</th>
  </tr></thead>
  <tbody>
  {% for ticket in tickets %}
    <tr>
      {% if selectable %}<td><input type="checkbox" name="tickets" value="{{ ticket.reference }}" id="select-{{ ticket.reference }}" form="bulk-form"><label for="select-{{ ticket.reference }}" class="visually-hidden">{% blocktranslate with reference=ticket.reference %}Select {{ reference }}{% endblocktranslate %}</label></td>{% endif %}
      <td data-label="{% translate 'Reference' %}"><a href="{% url 'repairs:ticket' ticket.reference %}">{{ ticket.reference }}</a></td>
      <td data-label="{% translate 'State' %}">{{ ticket.get_state_display }}</td>
      <td data-label="{% translate 'Fault' %}">{{ ticket.get_category_display }}</td>
      <td data-label="{% translate 'Laptop' %}">{{ ticket.device.asset_tag }} <span class="muted">{{ ticket.device.serial_number }}</span></td>
      <td data-label="{% translate 'Establishment' %}">{{ ticket.establishment.name|default:_("Depot") }}</td>
      <td data-label="{% translate 'Priority' %}">{{ ticket.get_priority_display }}</td>
      <td data-label="{% translate 'Assigned to' %}">{% if ticket.assignee %}{{ ticket.assignee.get_full_name|default:ticket.assignee.username }}{% else %}<span class="muted">{% translate "nobody" %}</span>{% endif %}</td>
      <td data-label="{% translate 'Due' %}">{% include "repairs/_partials/sla_badge.html" %}</td>
    </tr>
  {% empty %}
    <tr><td colspan="9">{% translate "No ticket." %}</td></tr>
  {% endfor %}
  </tbody>
</table>"""  # noqa: E501


def same(html: str) -> str:
    """Blanks between tags and runs of blanks do not change what a browser shows."""
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", str(html)))).strip()


@pytest.fixture
def tickets():
    world = build_world()
    world.other_tech.first_name, world.other_tech.last_name = "Zoé", "<b>Dupont</b>"
    world.other_tech.save()
    plain = world.declare()
    depot = world.declare(device=DeviceFactory(establishment=None), by=world.manager, category="battery")
    late = force_state(world.declare(by=world.staff, category="keyboard"), "in_repair", resolution_breached=True)
    Ticket.objects.filter(pk=late.pk).update(assignee=world.other_tech)
    risky = force_state(world.declare(by=world.staff, category="network"), "diagnosing", sla_at_risk=True)
    Ticket.objects.filter(pk=risky.pk).update(assignee=make_person("technician", zone=world.tech.profile.zone))
    closed = force_state(world.declare(by=world.staff, category="other"), "returned", sla_at_risk=True)
    Ticket.objects.filter(pk=depot.pk).update(resolution_due_at=None)
    Ticket.objects.filter(pk=plain.pk).update(resolution_due_at=timezone.now() + dt.timedelta(days=2))
    ids = [t.pk for t in (plain, depot, late, risky, closed)]
    return list(Ticket.objects.filter(pk__in=ids).select_related("device", "establishment", "assignee"))


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("selectable", [True, False])
def test_ticket_rows_say_what_the_template_said(tickets, selectable, language):
    old = engines["django"].from_string(OLD_ROWS)
    with translation.override(language):
        for shown in (tickets, []):
            assert same(ticket_rows(shown, selectable=selectable)) == same(
                old.render({"tickets": shown, "selectable": selectable})
            )


def test_quick_select_and_checkboxes_say_what_django_said():
    choices = [("", "Tous"), ("0310024H", "Lycée <Fermat> & co"), ("0340005B", "Lycée Joffre")]
    for value in (None, "0340005B", "0310024H"):
        attrs = {"id": "id_establishment"}
        django = forms.Select(choices=choices).render("establishment", value, attrs)
        assert same(QuickSelect(choices=choices).render("establishment", value, attrs)) == same(django)
    boxes = [("declared", "Déclaré"), ("in_repair", "En réparation <atelier>")]
    for value in ([], ["in_repair"], ["declared", "in_repair"]):
        attrs = {"id": "id_state"}
        django = forms.CheckboxSelectMultiple(choices=boxes).render("state", value, attrs)
        assert same(QuickCheckboxes(choices=boxes).render("state", value, attrs)) == same(django)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_rows_read_as_plain_values_draw_the_same_table_as_model_instances(tickets, language):
    ids = [ticket.pk for ticket in tickets]
    instances = Ticket.objects.filter(pk__in=ids).select_related("device", "establishment", "assignee").order_by("pk")
    rows = as_rows(Ticket.objects.filter(pk__in=ids).order_by("pk"))
    assert [row.reference for row in rows] == [ticket.reference for ticket in instances]
    with translation.override(language):
        for selectable in (True, False):
            assert ticket_rows(rows, selectable=selectable) == ticket_rows(instances, selectable=selectable)


def test_quick_select_says_what_django_said_for_any_choices_and_selection():
    pairs = [("", "Tous"), ("a", "A & <b>"), ("b", 'B "quoted"'), ("a", "A again"), (None, "Nothing"), (3, 3)]
    values = [None, "", "a", "b", ["a", "b"], ["b", "a"], "3", 3, "missing", ["missing", "b"]]
    for multiple in (False, True):
        django_widget, quick_widget = (forms.SelectMultiple, QuickSelect) if multiple else (forms.Select, QuickSelect)
        for value in values:
            attrs = {"id": "id_x", "class": "wide"}
            django = django_widget(choices=pairs).render("x", value, attrs)
            quick = quick_widget(choices=Choices(pairs))
            quick.allow_multiple_selected = multiple
            assert same(quick.render("x", value, attrs)) == same(django), (multiple, value)


def test_option_groups_are_left_to_django():
    grouped = [("Toulouse", [("0310024H", "Fermat")]), ("Montpellier", [("0340005B", "Joffre")])]
    django = forms.Select(choices=grouped).render("establishment", "0340005B")
    assert same(QuickSelect(choices=grouped).render("establishment", "0340005B")) == same(django)


def test_the_queue_shows_an_establishment_renamed_since_the_last_page(client):
    """The <option>s are drawn once per list of establishments read from the database: a renamed
    or new establishment is a new list, drawn again on the next page, never the old drawing."""
    world = build_world()
    client.force_login(world.manager)
    url = reverse("repairs:ticket_list")
    assert 'value="0310024H">Lycée Pierre-de-Fermat (0310024H)</option>' in client.get(url).text
    world.establishment.name = "Lycée Fermat <rénové>"
    world.establishment.save()
    page = client.get(url, {"establishment": "0310024H"}).text
    assert 'value="0310024H" selected>Lycée Fermat &lt;rénové&gt; (0310024H)</option>' in page
    assert "Lycée Pierre-de-Fermat" not in page
    assert "Lycée Pierre-de-Fermat" not in client.get(url).text


def test_the_menu_follows_the_role_of_each_person_in_one_process(client):
    world = build_world()
    menus = {}
    for person in (world.student, world.manager, world.student):
        client.force_login(person)
        menus.setdefault(person.username, []).append([item["url"] for item in client.get("/").context["nav_items"]])
    assert menus["eleve"][0] == menus["eleve"][1]
    assert reverse("repairs:reports") in menus["manager"][0]
    assert reverse("repairs:reports") not in menus["eleve"][0]
    assert reverse("distribution:my_laptop") in menus["eleve"][0]


def test_dates_in_the_tables_are_formatted_as_django_formats_them():
    from django.utils.dateformat import format as django_format
    from django.utils.formats import get_format

    from repairs.html_parts import format_datetime

    moments = [
        dt.datetime(2026, 3, 29, 1, 59, tzinfo=dt.UTC),  # the change to summer time in Paris
        dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC),
        dt.datetime(2025, 12, 31, 23, 5, 9, 123, tzinfo=dt.UTC),
        dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC),
    ]
    for language in ("fr", "en"):
        with translation.override(language):
            formats = [
                get_format("SHORT_DATETIME_FORMAT"),
                get_format("DATETIME_FORMAT"),
                "c",
                r"j \d\e F Y à H\hi",
                "P",
                r"d/m/Y H:i",  # the French short format, drawn without DateFormat
                "j/n/y G:i",
                r"Y-m-d \à H\hi",
            ]
            for moment in moments:
                local = timezone.localtime(moment)
                for spec in formats:
                    assert format_datetime(local, spec) == django_format(local, spec), (language, spec)


def test_quick_checkboxes_say_what_django_said_for_any_selection_and_attributes():
    boxes = [("declared", "Déclaré"), ("in_repair", "En réparation <atelier>"), ("x&y", 'Quote "q"'), (None, "Aucun")]
    values = [None, [], ["in_repair"], ["declared", "in_repair"], ["missing"], ["x&y", "missing"], [""]]
    # With an id, as forms always give one (auto_id).
    for attrs in ({"id": "id_state"}, {"id": "id_state", "class": "wide", "required": True}):
        for value in values:
            django = forms.CheckboxSelectMultiple(choices=boxes).render("state", value, dict(attrs))
            quick = QuickCheckboxes(choices=Choices(boxes)).render("state", value, dict(attrs))
            assert same(quick) == same(django), (attrs, value)


def test_quick_text_input_says_what_django_said():
    given = [None, "", "ecran", "Fermat <\"&> 'x'", 0]
    attrs_cases = [
        {"maxlength": "200", "aria-describedby": "id_search_helptext", "id": "id_search"},
        {"id": "id_q", "required": True, "disabled": False, "placeholder": "Nom & prénom"},
        {"id": "id_q", "data-x": None},  # Django writes None as "None": left to Django
    ]
    for attrs in attrs_cases:
        for value in given:
            django = forms.TextInput(attrs={"class": "wide"}).render("search", value, dict(attrs))
            quick = QuickTextInput(attrs={"class": "wide"}).render("search", value, dict(attrs))
            assert same(quick) == same(django), (attrs, value)


def test_the_empty_filter_form_is_drawn_once_per_language_and_list_of_establishments(rf):
    """The unfilled form is kept drawn: what the template draws for the same language and
    establishments, and drawn again for another language or another list."""
    from django.template.loader import render_to_string

    from repairs.filters import TicketFilter
    from repairs.selectors import ticket_list
    from repairs.templatetags.repairs_tags import QUEUE_FILTERS, queue_filters

    world = build_world()
    request = rf.get("/tickets/")
    request.user = world.manager
    drawn = {}
    for language in ("fr", "en", "fr"):
        with translation.override(language):
            filters = TicketFilter(None, queryset=ticket_list(user=world.manager), request=request, html=True)
            expected = render_to_string(QUEUE_FILTERS, {"filters": filters})
            assert queue_filters(filters) == expected
            drawn.setdefault(language, expected)
    assert drawn["fr"] != drawn["en"]
    world.other_establishment.name = "Lycée Joffre <neuf>"
    world.other_establishment.save()
    filters = TicketFilter(None, queryset=ticket_list(user=world.manager), request=request, html=True)
    with translation.override("fr"):
        assert "Lycée Joffre &lt;neuf&gt; (0340005B)" in queue_filters(filters)
    bound = TicketFilter({"search": "x" * 300}, queryset=ticket_list(user=world.manager), request=request, html=True)
    with translation.override("fr"):
        assert bound.is_valid() is False
        assert 'class="errorlist"' in queue_filters(bound)


def test_counts_by_state_are_drawn_as_the_partial_draws_them_for_each_count_and_language():
    from django.template.loader import render_to_string

    from repairs.states import State
    from repairs.templatetags.repairs_tags import state_counts

    for language in ("fr", "en", "fr"):
        with translation.override(language):
            for counts in ({}, {"declared": 3}, {"declared": 4, "in_repair": 1200}, {"declared": 3}):
                expected = render_to_string("repairs/_partials/state_counts.html", {"counts": counts, "states": State})
                assert state_counts(counts) == expected
    with translation.override("fr"):
        assert "<strong>4</strong> Déclaré" in state_counts({"declared": 4})
        assert "<strong>5</strong> Déclaré" in state_counts({"declared": 5})


def test_a_row_drawn_before_is_drawn_again_when_its_values_change(tickets):
    ids = [ticket.pk for ticket in tickets]

    def table():
        return ticket_rows(as_rows(Ticket.objects.filter(pk__in=ids).order_by("pk")), selectable=True)

    with translation.override("fr"):
        before = table()
        assert table() == before
        world_tech = next(t.assignee for t in tickets if t.assignee and t.assignee.last_name == "<b>Dupont</b>")
        world_tech.last_name = "Durand"
        world_tech.save()
        Ticket.objects.filter(pk=ids[0]).update(priority="low")
        after = table()
        assert "Zoé Durand" in after and "Dupont" not in after
        assert after != before
        instances = Ticket.objects.filter(pk__in=ids).select_related("device", "establishment", "assignee")
        assert after == ticket_rows(instances.order_by("pk"), selectable=True)
        with timezone.override("America/Cayenne"):
            assert table() == ticket_rows(instances.order_by("pk"), selectable=True) != after


def test_the_ticket_pages_quick_inputs_say_what_django_said_to_the_byte():
    from django.utils.safestring import mark_safe

    from repairs.widgets import (
        MemoSelect,
        QuickDateInput,
        QuickDateTimeInput,
        QuickFileInput,
        QuickHiddenInput,
        QuickNumberInput,
        QuickTextarea,
    )

    moment = dt.datetime(2026, 12, 7, 9, 5)
    cases = [
        (forms.TextInput(), QuickTextInput(), [None, "", "A & <b>", 'x"y', mark_safe("<i>ok</i>"), 0]),
        (forms.HiddenInput(), QuickHiddenInput(), [None, "", 0, 7, 12345, "__version__"]),
        (
            forms.NumberInput(attrs={"min": 0, "max": 6000}),
            QuickNumberInput(attrs={"min": 0, "max": 6000}),
            [None, 0, 45, "12"],
        ),
        (
            forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            QuickDateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            [None, "", dt.date(2026, 1, 9), "09/01/2026"],
        ),
        (
            forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            QuickDateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            [None, moment, "2026-12-07T09:05"],
        ),
        (
            forms.Textarea(attrs={"rows": 3}),
            QuickTextarea(attrs={"rows": 3}),
            [None, "", "Élève <b>prévenu</b>\n& co", 0],
        ),
    ]
    files = {"accept": "image/*,application/pdf"}
    cases.append((forms.ClearableFileInput(attrs=files), QuickFileInput(attrs=files), [None, ""]))
    priorities = [("low", "Basse"), ("normal", "Normale <b>"), ("urgent", "Urgente")]
    select = MemoSelect(choices=priorities)
    cases.append((forms.Select(choices=priorities), select, [None, "", "normal", "urgent", "missing", "normal"]))
    for django_widget, quick_widget, values in cases:
        for value in values:
            for attrs in ({"id": "id_x"}, {"id": "id_x", "required": True, "aria-describedby": "x_help"}, None):
                django = django_widget.render("x", value, attrs)
                assert quick_widget.render("x", value, attrs) == django, (type(quick_widget), value, attrs)
    with translation.override("en"):
        from repairs.forms import PriorityForm

        english = str(PriorityForm(initial={"priority": "high"})["priority"])
    with translation.override("fr"):
        french = str(PriorityForm(initial={"priority": "high"})["priority"])
    assert ">High</option>" in english and ">Haute</option>" in french


# The loop the ticket page drew each transition's fields with before, word for word.
OLD_TRANSITION_FIELDS = """{% for field in form %}
            {% if field.is_hidden %}{{ field }}{% elif field.field.widget.input_type == "checkbox" %}
              <label for="{{ field.id_for_label }}">{{ field }} {{ field.label }}</label>
            {% else %}
              <label for="{{ field.id_for_label }}">{{ field.label }}</label>{{ field }}
            {% endif %}
          {% endfor %}"""


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_transition_form_drawn_once_is_the_form_django_draws(language):
    from repairs.forms import TransitionForm, transition_fields
    from repairs.states import TRANSITIONS

    with translation.override(language):
        for spec in TRANSITIONS:
            for version in (0, 3, 1234):
                form = TransitionForm(transition=spec.name, initial={"version": version})
                django = engines["django"].from_string(OLD_TRANSITION_FIELDS).render({"form": form})
                assert transition_fields(spec.name, version=version) == django, (spec.name, version)
