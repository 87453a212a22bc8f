from django import template

from repairs import widgets

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


@register.simple_tag
def technician_options(technicians):
    """The <option>s of the technicians a manager assigns tickets to."""
    return widgets.technician_options(technicians)
