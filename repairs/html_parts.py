"""What a template writes, for the markup drawn in Python: the queue's tables and widgets
(repairs/widgets.py, repairs/ticket_table.py), the ticket page (repairs/ticket_*html.py) and the
manager's tables (insights/html.py). Each helper writes the bytes of the template tag or filter it
names, without the per-call work that made the templates cost more than the pages' queries."""

from __future__ import annotations

import datetime as dt
import functools
import html

from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaksbr
from django.utils.dateformat import DateFormat, re_escaped, re_formatchars
from django.utils.dates import MONTHS
from django.utils.formats import get_format
from django.utils.html import conditional_escape
from django.utils.timezone import get_current_timezone_name, template_localtime
from django.utils.translation import get_language

from repairs.states import FINAL_STATES

KEPT_INITIALS = (type(None), int, str, dt.date, dt.datetime)


def escape(value) -> str:
    """Text escaped, even a safe string: what django.utils.html.escape does, without its SafeString
    per call."""
    return html.escape(str(value))


def esc(value) -> str:
    """What a template writes for `{{ value }}`: text escaped, safe strings as they are."""
    return str(conditional_escape(value))


class Drawings:
    """Markup drawn once per process for each key, at most `limit` keys (emptied when full rather
    than ordered by use). The key must name all that the drawing depends on."""

    def __init__(self, limit: int):
        self.limit = limit
        self._drawn: dict = {}

    def clear(self) -> None:
        self._drawn.clear()

    def get(self, key, draw):
        drawn = self._drawn.get(key)
        if drawn is None:
            if len(self._drawn) >= self.limit:
                self._drawn.clear()
            drawn = self._drawn[key] = draw()
        return drawn


@functools.lru_cache(maxsize=16)
def _format_pieces(format_string: str) -> tuple[tuple[bool, str], ...]:
    """A date format split as django.utils.dateformat splits it on every call: (True, specifier)
    or (False, literal text without its escaping backslashes)."""
    pieces = []
    for index, piece in enumerate(re_formatchars.split(format_string)):
        if index % 2:
            pieces.append((True, piece))
        elif piece:
            pieces.append((False, re_escaped.sub(r"\1", piece)))
    return tuple(pieces)


# The specifiers of the usual short formats ("d/m/Y H:i" in French) as DateFormat writes them,
# without building a DateFormat (its time zone lookups) for each row.
_PLAIN_SPECIFIERS = {
    "d": lambda v: f"{v.day:02d}",
    "j": lambda v: str(v.day),
    "m": lambda v: f"{v.month:02d}",
    "n": lambda v: str(v.month),
    "y": lambda v: f"{v.year % 100:02d}",
    "Y": lambda v: f"{v.year:04d}",
    "G": lambda v: str(v.hour),
    "H": lambda v: f"{v.hour:02d}",
    "i": lambda v: f"{v.minute:02d}",
    "F": lambda v: str(MONTHS[v.month]),  # the French long format's month, in the active language
}


@functools.lru_cache(maxsize=16)
def _plain_format(format_string: str) -> bool:
    return all(piece in _PLAIN_SPECIFIERS for spec, piece in _format_pieces(format_string) if spec)


def format_datetime(value, format_string: str) -> str:
    """django.utils.dateformat.format(value, format_string) for a datetime, with the format split
    once per process rather than once per row (the table has fifty)."""
    pieces = _format_pieces(format_string)
    if _plain_format(format_string):
        return "".join(_PLAIN_SPECIFIERS[piece](value) if spec else piece for spec, piece in pieces)
    formatter = DateFormat(value)
    return "".join(str(getattr(formatter, piece)()) if spec else piece for spec, piece in pieces)


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
def choice_labels(model, name: str, language: str | None) -> dict:
    """The labels of the choices of `model`'s field `name` by value, as text in `language` (the
    active one): read once per process and language rather than once per value shown."""
    return {value: str(label) for value, label in model._meta.get_field(name).flatchoices}


def display(instance, name: str) -> str:
    """`{{ instance.get_<name>_display }}`."""
    value = getattr(instance, name)
    return esc(choice_labels(instance._meta.concrete_model, name, get_language()).get(value, value))


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


def sla_badge_kind(ticket) -> str | None:
    """Which badge sla_badge.html shows: the targets missed ("late_both", "late_resolution",
    "late_first"), "at_risk" for an open ticket near one, or None. The queue's rows and the ticket
    page draw it from this one answer."""
    late = (ticket.first_response_breached, ticket.resolution_breached)
    if any(late):
        return {(True, True): "late_both", (False, True): "late_resolution", (True, False): "late_first"}[late]
    if ticket.sla_at_risk and ticket.state not in FINAL_STATES:
        return "at_risk"
    return None
