"""The manager's tables of pools drawn in Python (insights/html.py) say what the template they
replace said: same elements, attributes, texts and escaping; only the blanks between tags differ."""

import datetime as dt

import pytest
from django.template import engines
from django.utils import translation

from devices.models import Device, Role
from insights.html import _tenths, moves_table, pool_table
from insights.pools import pool_plan
from tests.devices.factories import DeviceModelFactory, EstablishmentFactory, ZoneFactory, make_person
from tests.insights.factories import NOW, make_devices, make_tickets
from tests.repairs.test_widgets import same

pytestmark = pytest.mark.django_db

# The template the tables were drawn with before, word for word.
OLD_TABLE = """{% load i18n %}<table class="responsive-table" data-testid="{{ testid }}">
  <thead><tr>
    <th scope="col">{% translate "Establishment" %}</th><th scope="col">{% translate "Zone" %}</th>
    <th scope="col" class="num">{% translate "Failures a week" %}</th><th scope="col" class="num">{% translate "Spares out on average" %}</th>
    <th scope="col" class="num">{% translate "Pool" %}</th><th scope="col" class="num">{% translate "Recommended" %}</th><th scope="col" class="num">{% translate "In September" %}</th><th scope="col" class="num">{% translate "Gap" %}</th>
  </tr></thead>
  <tbody>
  {% for pool in pools %}
    <tr>
      <td data-label="{% translate 'Establishment' %}">{% if pool.is_depot %}{% translate "Depot" %}{% else %}{{ pool.name }} <span class="muted">{{ pool.uai }}</span>{% endif %}</td>
      <td data-label="{% translate 'Zone' %}">{{ pool.zone }}</td>
      <td class="num" data-label="{% translate 'Failures a week' %}">{{ pool.weekly_rate|floatformat:1 }}</td>
      <td class="num" data-label="{% translate 'Spares out on average' %}">{{ pool.load|floatformat:1 }}</td>
      <td class="num" data-label="{% translate 'Pool' %}">{{ pool.pool }}</td>
      <td class="num" data-label="{% translate 'Recommended' %}">{{ pool.recommended }}</td>
      <td class="num" data-label="{% translate 'In September' %}">{{ pool.recommended_peak }}</td>
      <td class="num" data-label="{% translate 'Gap' %}">{% if pool.gap > 0 %}+{% endif %}{{ pool.gap }}</td>
    </tr>
  {% empty %}<tr><td colspan="8">{% translate "None." %}</td></tr>{% endfor %}
  </tbody>
</table>"""  # noqa: E501


OLD_MOVES = """{% load i18n %}
  <table class="responsive-table" data-testid="moves">
    <thead><tr><th scope="col">{% translate "From" %}</th><th scope="col">{% translate "To" %}</th><th scope="col">{% translate "Zone" %}</th><th scope="col" class="num">{% translate "Spares" %}</th></tr></thead>
    <tbody>
    {% for move in moves %}
      <tr><td data-label="{% translate 'From' %}">{{ move.source|default:_("Depot") }}</td><td data-label="{% translate 'To' %}">{{ move.target }}</td><td data-label="{% translate 'Zone' %}">{{ move.zone }}</td><td class="num" data-label="{% translate 'Spares' %}">{{ move.count }}</td></tr>
    {% empty %}<tr><td colspan="4">{% translate "No move needed." %}</td></tr>{% endfor %}
    </tbody>
  </table>"""  # noqa: E501


@pytest.fixture
def plan():
    zone = ZoneFactory(code="z-html")
    busy = EstablishmentFactory(zone=zone, name="Lycée <b>Jean</b> & fils", uai="0310201A")
    quiet = EstablishmentFactory(zone=zone, name="Lycée calme", uai="0310202B")
    model = DeviceModelFactory()
    devices = make_devices(6, model=model, establishment=busy, status=Device.Status.ASSIGNED)
    make_devices(7, model=model, establishment=quiet, status=Device.Status.SPARE)
    make_devices(12, model=model, establishment=None, status=Device.Status.SPARE)
    far = EstablishmentFactory(zone=ZoneFactory(code="z-far"), name="Lycée <i>lointain</i>", uai="0310203C")
    reporter = make_person(Role.STAFF, establishment=busy)
    start = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)
    far_devices = make_devices(3, model=model, establishment=far, status=Device.Status.ASSIGNED)
    make_tickets(far_devices, reporter=reporter, count=9, declared_at=start, step=dt.timedelta(days=5))
    make_tickets(
        devices, reporter=reporter, count=17, declared_at=start, step=dt.timedelta(hours=50), away=dt.timedelta(days=9)
    )
    return pool_plan(now=NOW)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_tables_are_the_templates_tables(plan, language):
    template = engines["django"].from_string(OLD_TABLE)
    with translation.override(language):
        for pools, testid in ((plan.top_ups, "top-ups"), (plan.reliefs, "reliefs"), (plan.pools, "pools"), ([], "x")):
            expected = template.render({"pools": pools, "testid": testid})
            assert same(pool_table(pools, testid=testid)) == same(expected)
    assert plan.top_ups and plan.reliefs  # each kind of row drawn: a gap above and below zero, the depot


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_moves_are_the_templates_moves(plan, language):
    template = engines["django"].from_string(OLD_MOVES)
    with translation.override(language):
        for moves in (plan.moves, []):
            assert same(moves_table(moves)) == same(template.render({"moves": moves}))
    assert any(m.source_id is None for m in plan.moves) and any(m.source_id for m in plan.moves)


@pytest.mark.parametrize("value", [0.0, 0.05, 0.15, 0.25, 1.45, 2.675, 9.95, 12.3456, 999.96, 1234.56, -0.04, 1 / 3])
def test_tenths_are_floatformats(value):
    template = engines["django"].from_string("{{ value|floatformat:1 }}")
    for language, separator in (("fr", ","), ("en", ".")):
        with translation.override(language):
            assert _tenths(value, separator) == template.render({"value": value})
