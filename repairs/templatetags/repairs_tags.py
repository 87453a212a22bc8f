from django import template

from repairs import widgets
from repairs.pricing import euros as format_euros

register = template.Library()


@register.simple_tag
def ticket_table(tickets, selectable=False):
    """`{% ticket_table tickets selectable=… %}`: the table of tickets, drawn in Python (repairs/widgets.py)."""
    return widgets.ticket_rows(tickets, selectable=bool(selectable))


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
