"""The spare pool's recommendation beside the actual pool, on the staff's establishment page (a
template tag rather than a context entry so that the page's view, in repairs, needs no import of
this app, which sits above it); the manager's tables of pools, drawn in Python (insights/html.py)."""

from django import template

from insights.html import moves_table as draw_moves_table
from insights.html import pool_table as draw_pool_table
from insights.selectors import establishment_pool

register = template.Library()


@register.inclusion_tag("insights/_pool_advice.html")
def pool_advice(establishment):
    return {"pool": establishment_pool(establishment=establishment) if establishment else None}


@register.simple_tag
def pool_table(pools, testid):
    return draw_pool_table(pools, testid=testid)


@register.simple_tag
def moves_table(moves):
    return draw_moves_table(moves)
