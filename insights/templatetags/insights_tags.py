"""The spare pool's recommendation beside the actual pool, on the staff's establishment page.

A template tag rather than a context entry so that the page's view (repairs) needs no import of
this app, which sits above it."""

from django import template

from insights.selectors import establishment_pool

register = template.Library()


@register.inclusion_tag("insights/_pool_advice.html")
def pool_advice(establishment):
    return {"pool": establishment_pool(establishment=establishment) if establishment else None}
