from django import template

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
