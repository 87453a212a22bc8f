from django import template

from repairs.pricing import euros as format_euros

register = template.Library()


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
