from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

from repairs import ticket_table as tables
from repairs import widgets
from repairs.html_parts import Drawings
from repairs.pricing import euros as format_euros
from repairs.states import State

register = template.Library()


@register.simple_tag
def ticket_table(tickets, selectable=False):
    """`{% ticket_table tickets selectable=… %}`: the table of tickets, drawn in Python (repairs/ticket_table.py)."""
    return tables.ticket_rows(tickets, selectable=bool(selectable))


# (language, establishments) → the queue's empty filter form, drawn. Django builds the form (a copy
# of each filter and field) and renders its eight fields on every page; unfilled, it is the same
# for the same establishments, which are read from the database on each request: a renamed one
# is another key. A filled form (values, errors) is drawn each time.
_EMPTY_FILTER_FORMS = Drawings(256)
QUEUE_FILTERS = "repairs/_partials/queue_filters.html"


@register.simple_tag
def queue_filters(filters):
    """`{% queue_filters filters %}`: the fields of the queue's filter form."""
    pairs = getattr(filters, "establishment_pairs", None)
    if filters.is_bound or pairs is None:
        return render_to_string(QUEUE_FILTERS, {"filters": filters})
    return _EMPTY_FILTER_FORMS.get(
        (get_language(), pairs), lambda: render_to_string(QUEUE_FILTERS, {"filters": filters})
    )


# (language, addresses, counts) → the counts by state drawn: the counts are read on each request,
# the drawing of the same counts in the same language is the same (a loop of lookups per state).
_STATE_COUNTS = Drawings(1024)


@register.simple_tag
def state_counts(counts):
    """`{% state_counts counts %}`: _partials/state_counts.html for these counts, drawn once per value."""
    key = (get_language(), get_urlconf(), get_script_prefix(), tuple(counts.items()))
    context = {"counts": counts, "states": State}
    return _STATE_COUNTS.get(key, lambda: render_to_string("repairs/_partials/state_counts.html", context))


@register.filter
def get(mapping, key):
    """`{{ counts|get:state }}`: a dict lookup with a variable key."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def split(value: str) -> list[str]:
    return value.split()


@register.filter
def field(form, name: str):
    """`{{ form|field:name }}`: a bound field by a variable name."""
    return form[name]


@register.filter
def euros(value) -> str:
    """`{{ ticket.cost|euros }}`: "1 234,50 €" in French."""
    return format_euros(value)


@register.filter
def minutes(value) -> str:
    """`{{ ticket.labour_minutes|minutes }}`: "1 h 30" / "45 min"."""
    value = int(value or 0)
    hours, rest = divmod(value, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


@register.simple_tag
def technician_options(technicians):
    """The <option>s of the technicians a manager assigns tickets to."""
    return widgets.technician_options(technicians)
