"""The ticket page's costs and quotes (templates/repairs/_partials/ticket_costs.html as it was),
and what repairs/ticket_html.py and this module write the way a template writes it."""

from __future__ import annotations

import datetime as dt
import functools

from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaksbr
from django.utils.formats import get_format
from django.utils.html import conditional_escape
from django.utils.timezone import get_current_timezone_name, template_localtime
from django.utils.translation import get_language

from repairs.pricing import euros
from repairs.templatetags.repairs_tags import minutes
from repairs.ticket_words import _
from repairs.widgets import Drawings, format_datetime

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
KEPT_INITIALS = (type(None), int, str, dt.date, dt.datetime)


def esc(value) -> str:
    """What a template writes for `{{ value }}`: text escaped, safe strings as they are."""
    return str(conditional_escape(value))


# The named formats a page writes its moments in; "c" is Django's ISO form.
NAMED_FORMATS = frozenset({"DATETIME_FORMAT", "SHORT_DATETIME_FORMAT"})


@functools.lru_cache(maxsize=64)
def _format(name: str, language: str | None) -> str:
    return get_format(name, language)


def when(value, format_string: str) -> str:
    """`{{ value|date:format_string }}`, escaped (the filter wants the local time). A moment is
    written as the filter writes it, without its lookup of the format and its split of it on
    every call (a page has some twenty)."""
    local = template_localtime(value)
    if isinstance(local, dt.datetime):
        if format_string == "c":
            return esc(local.isoformat())
        if format_string in NAMED_FORMATS:
            return esc(format_datetime(local, _format(format_string, get_language())))
    return esc(date_filter(local, format_string))


@functools.lru_cache(maxsize=64)
def _labels(model, name: str, language: str | None) -> dict:
    return {value: str(label) for value, label in model._meta.get_field(name).flatchoices}


def display(instance, name: str) -> str:
    """`{{ instance.get_<name>_display }}`, the labels of the field's choices read once per process
    and language."""
    value = getattr(instance, name)
    return esc(_labels(instance._meta.concrete_model, name, get_language()).get(value, value))


def lines_of(value) -> str:
    """`{{ value|linebreaksbr }}`."""
    return str(linebreaksbr(value, autoescape=True))


def person(user) -> str:
    """`{{ user.get_full_name|default:user.username }}`."""
    return esc(user.get_full_name() or user.username)


def csrf_input(token: str) -> str:
    """`{% csrf_token %}`."""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(token)}">'


def form_field(form, name: str) -> str:
    """`<label for="{{ form.x.id_for_label }}">{{ form.x.label }}</label>{{ form.x }}`."""
    return _drawn(form, name, lambda: _label_and_input(form, name))


def form_input(form, name: str) -> str:
    """`{{ form.x }}`."""
    return _drawn(form, name, lambda: str(form[name]), labelled=False)


def _label_and_input(form, name: str) -> str:
    field = form[name]
    return f'<label for="{esc(field.id_for_label)}">{esc(field.label)}</label>{field}'


# An unbound form's field is drawn the same for the same form, field, initial value and language:
# the page's forms (a comment, a file, the version and dates of its actions) drawn once per key.
_FIELDS = Drawings(2048)


def _drawn(form, name: str, draw, *, labelled: bool = True) -> str:
    initial = form.initial.get(name, form.fields[name].initial)
    if form.is_bound or form.prefix or callable(initial) or not isinstance(initial, KEPT_INITIALS):
        return draw()
    # A moment is shown in the current time zone, a date in the language's format.
    key = (
        type(form),
        name,
        labelled,
        form.auto_id,
        type(initial),
        initial,
        get_language(),
        get_current_timezone_name(),
    )
    return _FIELDS.get(key, draw)


def _money(value) -> str:
    return esc(euros(value))


def ticket_costs(c: dict, ticket, base: str, csrf: str) -> str:
    """The costs card for the page's context `c` (`base`: the ticket's address)."""
    record = c["may_record_costs"]
    action = f'<th scope="col"><span class="visually-hidden">{_("Action")}</span></th>' if record else ""
    out = [
        '\n<section class="card" aria-labelledby="costs-title" data-testid="costs">\n'
        f'  <h2 id="costs-title">{_("Costs")}</h2>\n'
        '  <table class="responsive-table">\n'
        f'    <thead><tr><th scope="col">{_("Part")}</th><th scope="col">{_("Quantity")}</th>'
        f'<th scope="col">{_("Unit price")}</th><th scope="col">{_("Amount")}</th>{action}</tr></thead>\n'
        "    <tbody>\n    "
    ]
    version = esc(ticket.version)
    for line in c["lines"]:
        label = esc(line.part.label)
        out.append(
            "\n      <tr>\n"
            f'        <td data-label="{_("Part")}">{label} '
            f'<span class="muted">{esc(line.part.reference)}</span></td>\n'
            f'        <td data-label="{_("Quantity")}">{esc(line.quantity)}</td>\n'
            f'        <td data-label="{_("Unit price")}">{_money(line.unit_price)}</td>\n'
            f'        <td data-label="{_("Amount")}">{_money(line.total)}</td>\n        '
        )
        if record:
            remove = _("Remove %(label)s") % {"label": label}
            out.append(
                f'<td><form method="post" action="{base}parts/{line.pk}/remove/">{csrf}'
                f'<input type="hidden" name="version" value="{version}">'
                f'<button type="submit" class="secondary">{remove}</button></form></td>'
            )
        out.append("\n      </tr>\n    ")
    if not c["lines"]:
        out.append(f'<tr><td colspan="5" class="muted">{_("No part recorded.")}</td></tr>')
    rate = c["rate"]
    if rate is not None:
        labour_rate = " × " + _("%(rate)s/h") % {"rate": _money(rate)}
    elif ticket.coverage:
        labour_rate = f" ({_('no hourly rate set for this coverage')})"
    else:
        labour_rate = ""
    out.append(
        "\n    </tbody>\n  </table>\n"
        '  <dl class="facts">\n'
        f"    <dt>{_('Labour')}</dt><dd>{esc(minutes(ticket.labour_minutes))}{labour_rate} = "
        f"{_money(ticket.labour_cost)}</dd>\n"
        f"    <dt>{_('Parts')}</dt><dd>{_money(ticket.parts_cost)}</dd>\n"
        f'    <dt>{_("Cost of the ticket")}</dt><dd><strong data-testid="cost">{_money(ticket.cost)}</strong></dd>\n'
        "  </dl>\n  "
    )
    if record:
        out.append(_cost_forms(c, base, csrf, version))
    out.append("\n\n  ")
    if ticket.coverage == "family" or c["quotes"]:
        out.append(_quotes(c, ticket, base, csrf, version))
    out.append("\n</section>\n")
    return "".join(out)


def _cost_forms(c: dict, base: str, csrf: str, version: str) -> str:
    options = [
        f'<option value="{esc(part.reference)}">{esc(part.reference)} — {esc(part.label)} '
        f"({_money(part.unit_price)})</option>\n        "
        for part in c["price_list"]
    ]
    if not options:
        options = [f'<option value="">{_("The price list is empty (Administration)")}</option>']
    return (
        '\n  <div class="grid">\n'
        f'    <form method="post" action="{base}parts/">{csrf}\n'
        f'      <input type="hidden" name="version" value="{version}">\n'
        f'      <label for="id_part">{_("Part (price list)")}</label>\n'
        '      <select name="part" id="id_part" required>\n'
        f"        {''.join(options)}\n"
        "      </select>\n"
        f"      {form_field(c['part_form'], 'quantity')}\n"
        f'      <button type="submit" class="secondary">{_("Add the part")}</button>\n'
        "    </form>\n"
        f'    <form method="post" action="{base}labour/">{csrf}\n'
        f"      {form_input(c['labour_form'], 'version')}\n"
        f"      {form_field(c['labour_form'], 'minutes')}\n"
        f'      <button type="submit" class="secondary">{_("Record the labour time")}</button>\n'
        "    </form>\n  </div>\n  "
    )


def _quotes(c: dict, ticket, base: str, csrf: str, version: str) -> str:
    quotes = c["quotes"]
    out = [f"\n  <h3>{_('Quote for the family')}</h3>\n  "]
    if ticket.coverage == "family" and not quotes:
        notice = _("A repair charged to the family starts only once the family accepted a quote.")
        out.append(f'<p class="help">{notice}</p>')
    out.append('\n  <ul data-testid="quotes">\n    ')
    for quote in quotes:
        title = _("Quote %(reference)s of %(date)s: %(total)s") % {
            "reference": esc(quote.reference),
            "total": _money(quote.total),
            "date": when(quote.issued_at, "SHORT_DATE_FORMAT"),
        }
        decided = ""
        if quote.decided_at:
            decided = f" ({display(quote, 'decided_via')}, {when(quote.decided_at, 'SHORT_DATETIME_FORMAT')})"
        out.append(
            f"\n    <li>{title}\n      — <strong>{display(quote, 'status')}</strong>{decided}\n"
            f'      · <a href="{base}quotes/{quote.number}.pdf">{_("PDF")}</a></li>\n    '
        )
    out.append("\n  </ul>\n  ")
    pending = c["pending_quote"]
    if pending and c["may_record_quote_decision"]:
        out.append(
            f'\n  <form method="post" action="{base}quotes/decision/">{csrf}\n'
            f'    <input type="hidden" name="version" value="{version}">'
            f'<input type="hidden" name="number" value="{esc(pending.number)}">\n'
            f"    <p>{_('The family answered at school or on the phone:')}</p>\n"
            '    <button type="submit" name="decision" value="accept">'
            f"{_('The family accepts the quote')}</button>\n"
            '    <button type="submit" name="decision" value="refuse" class="secondary">'
            f"{_('The family refuses the quote')}</button>\n"
            "  </form>\n  "
        )
    out.append("\n  ")
    if c["may_issue_quote"]:
        issue = (
            _("Issue a new quote from these parts and this labour")
            if quotes
            else _("Issue the quote from these parts and this labour")
        )
        out.append(
            f'\n  <form method="post" action="{base}quotes/">{csrf}'
            f'<input type="hidden" name="version" value="{version}">\n'
            f'    <button type="submit">{issue}</button></form>\n  '
        )
    out.append("\n  ")
    return "".join(out)
