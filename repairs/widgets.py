"""HTML drawn in Python where Django's templates cost more than the page's queries.

Django renders every <option> and every checkbox through a template of its own, and a list row
through a dozen template lookups: the queue's establishment filter (370 options for a manager)
and its 50 rows took 20 to 50 ms a page, against a few ms of SQL. The markup is the same (tests
compare it with the templates it replaces); only the way it is produced changes.
"""

from __future__ import annotations

import functools
import html
from urllib.parse import quote

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.dateformat import DateFormat, re_escaped, re_formatchars
from django.utils.dates import MONTHS
from django.utils.formats import get_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from devices.models import FaultCategory
from repairs.states import FINAL_STATES, Priority, State


def _escape(value) -> str:
    return html.escape(str(value))  # what django.utils.html.escape does, without its SafeString per call


def _attrs(attrs: dict) -> str:
    """flatatt without its format_html per attribute: True → the bare name, False/None → nothing."""
    return "".join(
        f" {key}" if value is True else f' {key}="{_escape(value)}"'
        for key, value in attrs.items()
        if value is not None and value is not False
    )


class Choices(BaseChoiceIterator):
    """(value, label) pairs that Django takes as they are: a plain list is normalised again each
    time a widget is made or copied (the form copies its fields), 370 establishments twice a page,
    and deep-copied with each filter set."""

    def __init__(self, pairs):
        self.pairs = tuple(pairs)

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self):
        return len(self.pairs)

    def __deepcopy__(self, memo):
        # Each filter set and each form deep-copies its fields: pairs that never change (labels
        # translated when shown) are shared rather than rebuilt, lazy label by lazy label.
        return self


def _flat_pairs(choices) -> tuple[tuple[str, str], ...] | None:
    """The choices as the <option>s show them (value and label as text, in the current language),
    or None if they hold option groups."""
    pairs = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            return None
        pairs.append(("" if value is None else str(value), str(label)))
    return tuple(pairs)


@functools.lru_cache(maxsize=256)
def _option_tags(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, ...], tuple[str, ...], dict[str, list[int]]]:
    """Each <option> unselected and selected, and where each value stands. Keyed by the choices
    themselves (read from the database on each request), so a renamed establishment is a new key:
    what is kept is only the drawing of the same text, never the text."""
    plain = tuple(f'<option value="{_escape(v)}">{_escape(label)}</option>' for v, label in pairs)
    chosen = tuple(f'<option value="{_escape(v)}" selected>{_escape(label)}</option>' for v, label in pairs)
    where: dict[str, list[int]] = {}
    for index, (v, _label) in enumerate(pairs):
        where.setdefault(v, []).append(index)
    return plain, chosen, where


class QuickInput:
    """Django's <input> (its input.html) without its template, like the queue's other filters (0.08 →
    0.01 ms: the form renderer's two templates per field), for any input whose value is its
    format_value(): text, hidden, number, date."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        if any(v is None for v in final.values()):
            return super().render(name, value, attrs, renderer)  # Django writes those as "None"
        shown = self.format_value(value)
        given = "" if shown is None else f' value="{conditional_escape(shown)}"'
        return mark_safe(f'<input type="{_escape(self.input_type)}" name="{_escape(name)}"{given}{_attrs(final)}>')  # noqa: S308


class QuickTextInput(QuickInput, forms.TextInput):
    pass


class QuickHiddenInput(QuickInput, forms.HiddenInput):
    pass


class QuickNumberInput(QuickInput, forms.NumberInput):
    pass


class QuickDateInput(QuickInput, forms.DateInput):
    pass


class QuickDateTimeInput(QuickInput, forms.DateTimeInput):
    pass


class QuickTextarea(forms.Textarea):
    """Django's <textarea> (textarea.html) without its template."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        if any(v is None for v in final.values()):
            return super().render(name, value, attrs, renderer)
        shown = self.format_value(value)
        text = conditional_escape(shown) if shown else ""
        return mark_safe(f'<textarea name="{_escape(name)}"{_attrs(final)}>\n{text}</textarea>')  # noqa: S308


class QuickFileInput(forms.ClearableFileInput):
    """Django's file input (clearable_file_input.html) without its templates, for a form that holds
    no file yet (the only kind on a page: nothing to clear)."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        if self.is_initial(value) or self.allow_multiple_selected or any(v is None for v in final.values()):
            return super().render(name, value, attrs, renderer)
        return mark_safe(f'<input type="{_escape(self.input_type)}" name="{_escape(name)}"{_attrs(final)}>')  # noqa: S308


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


class MemoSelect(forms.Select):
    """Django's own <select>, drawn once per name, selection, attributes and choices (their labels
    as the active language says them) rather than through a template per option on every page."""

    _drawn = Drawings(256)

    def render(self, name, value, attrs=None, renderer=None):
        pairs = _flat_pairs(self.choices)
        given = {**self.attrs, **(attrs or {})}
        if pairs is None or not all(isinstance(v, str | int | bool) for v in given.values()):
            return super().render(name, value, attrs, renderer)
        key = (
            renderer,
            name,
            tuple(self.format_value(value)),
            tuple(given.items()),
            pairs,
            self.allow_multiple_selected,
        )
        return self._drawn.get(key, lambda: super(MemoSelect, self).render(name, value, attrs, renderer))


class QuickSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        pairs = _flat_pairs(self.choices)
        if pairs is None:
            return super().render(name, value, attrs, renderer)
        plain, chosen, where = _option_tags(pairs)
        # As Django's optgroups: the options whose value is among the selected ones, only the first
        # of them unless the select takes several.
        hits = sorted({index for v in self.format_value(value) for index in where.get(v, ())})
        if not self.allow_multiple_selected:
            hits = hits[:1]
        tags = list(plain)
        for index in hits:
            tags[index] = chosen[index]
        final = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final["multiple"] = True
        return mark_safe(f'<select name="{_escape(name)}"{_attrs(final)}>{"".join(tags)}</select>')  # noqa: S308


@functools.lru_cache(maxsize=64)
def _checkbox_tags(name: str, attrs: tuple, pairs: tuple[tuple[str, str], ...]):
    """Each checkbox unchecked and checked, and where each value stands, as Django's
    create_option() gives them: the widget's attributes, the id numbered by position."""
    plain, checked, where = [], [], {}
    for index, (value, label) in enumerate(pairs):
        option = dict(attrs)
        for tags, extra in ((plain, {}), (checked, {"checked": True})):
            drawn = {**option, **extra}
            if drawn.get("id"):
                drawn["id"] = f"{drawn['id']}_{index}"
            tags.append(
                f'<div><label for="{_escape(drawn.get("id", ""))}"><input type="checkbox" name="{_escape(name)}" '
                f'value="{_escape(value)}"{_attrs(drawn)}> {_escape(label)}</label></div>'
            )
        where.setdefault(value, []).append(index)
    return tuple(plain), tuple(checked), where


class QuickCheckboxes(forms.CheckboxSelectMultiple):
    def render(self, name, value, attrs=None, renderer=None):
        pairs = _flat_pairs(self.choices)
        final = self.build_attrs(self.attrs, attrs)
        if pairs is None or not all(isinstance(v, str | int | bool | None) for v in final.values()):
            return super().render(name, value, attrs, renderer)
        plain, checked, where = _checkbox_tags(name, tuple(final.items()), pairs)
        hits = {index for v in self.format_value(value) for index in where.get(v, ())}
        boxes = "".join(checked[i] if i in hits else tag for i, tag in enumerate(plain))
        wrapper = {"id": final.get("id"), "class": final.get("class") or None}
        return mark_safe(f"<div{_attrs(wrapper)}>{boxes}</div>")  # noqa: S308 - every value escaped above


_STATES, _CATEGORIES, _PRIORITIES = dict(State.choices), dict(FaultCategory.choices), dict(Priority.choices)


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


def _due(ticket, words: dict) -> str:
    """The due date and a badge saying which target was missed (sla_badge.html, drawn in Python)."""
    final = ticket.state in FINAL_STATES
    kind = sla_badge_kind(ticket)
    badge = f'<span class="badge {"at_risk" if kind == "at_risk" else "breached"}">{words[kind]}</span>' if kind else ""
    due = ticket.resolution_due_at
    if not due or final:
        return badge
    local = timezone.localtime(due)
    when = _escape(format_datetime(local, words["datetime_format"]))
    # Django's "c" format is the ISO form.
    return f'{badge}\n<time datetime="{_escape(local.isoformat())}">{when}</time>'


@functools.lru_cache(maxsize=8)
def _table_words(language: str | None) -> tuple[dict, list[str]]:
    """What every table says the same way in `language`: translated once per process, not per table."""
    words = {
        key: _escape(text)
        for key, text in {
            "select": _("Select"),
            "late_first": _("Late: first response"),
            "late_resolution": _("Late: resolution"),
            "late_both": _("Late: first response and resolution"),
            "at_risk": _("At risk"),
            "nobody": _("nobody"),
            "depot": _("Depot"),
        }.items()
    }
    # What every row says the same way, translated once per table rather than once per row.
    words["state"] = {key: _escape(label) for key, label in _STATES.items()}
    words["category"] = {key: _escape(label) for key, label in _CATEGORIES.items()}
    words["priority"] = {key: _escape(label) for key, label in _PRIORITIES.items()}
    words["select_one"] = _("Select %(reference)s")
    labels = [_escape(label) for label in (_("Reference"), _("State"), _("Fault"), _("Laptop"), _("Establishment"))]
    labels += [_escape(label) for label in (_("Priority"), _("Assigned to"), _("Due"))]
    return words, labels


_DRAWN_ROWS = Drawings(8192)


def ticket_rows(tickets, *, selectable: bool = False) -> SafeString:
    """The table of tickets of the queue, the homes and the device and establishment pages."""
    words, labels = _table_words(get_language())
    # Looked up per table (Django caches it per language): what date_format() looks up each call.
    words = {**words, "datetime_format": get_format("SHORT_DATETIME_FORMAT")}
    head = "".join(f'<th scope="col">{label}</th>' for label in labels)
    if selectable:
        head = f'<th scope="col"><span class="visually-hidden">{words["select"]}</span></th>{head}'
    link = reverse("repairs:ticket", args=["REFERENCE"])
    # A row read as plain values (repairs/listrows.py) is drawn once per process for the same
    # values, language, format, address and time zone: the values are read on each request.
    table_key = (selectable, get_language(), words["datetime_format"], link, timezone.get_current_timezone_name())
    rows = []
    for ticket in tickets:
        values = getattr(ticket, "values", None)
        if values is None:
            rows.append(_row(ticket, selectable=selectable, labels=labels, words=words, link=link))
            continue
        rows.append(
            _DRAWN_ROWS.get(
                (values, table_key),
                lambda ticket=ticket: _row(ticket, selectable=selectable, labels=labels, words=words, link=link),
            )
        )
    if not rows:
        rows = [f'<tr><td colspan="9">{_escape(_("No ticket."))}</td></tr>']
    body = "\n".join(rows)
    table = (
        f'<table class="responsive-table">\n  <thead><tr>{head}</tr></thead>\n  <tbody>\n{body}\n  </tbody>\n</table>'
    )
    return mark_safe(table)  # noqa: S308 - every value escaped on its way in


def _row(ticket, *, selectable: bool, labels: list[str], words: dict, link: str) -> str:
    reference = _escape(ticket.reference)
    cells = []
    if selectable:
        hidden = _escape(words["select_one"] % {"reference": ticket.reference})
        cells.append(
            f'<td><input type="checkbox" name="tickets" value="{reference}" id="select-{reference}" form="bulk-form">'
            f'<label for="select-{reference}" class="visually-hidden">{hidden}</label></td>'
        )
    assignee = ticket.assignee
    who = (
        _escape(assignee.get_full_name() or assignee.username)
        if assignee
        else f'<span class="muted">{words["nobody"]}</span>'
    )
    place = (
        _escape(ticket.establishment.name) if ticket.establishment_id and ticket.establishment.name else words["depot"]
    )
    device = ticket.device
    values = (
        f'<a href="{_escape(link.replace("REFERENCE", quote(ticket.reference)))}">{reference}</a>',
        words["state"].get(ticket.state) or _escape(ticket.state),
        words["category"].get(ticket.category) or _escape(ticket.category),
        f'{_escape(device.asset_tag)} <span class="muted">{_escape(device.serial_number)}</span>',
        place,
        words["priority"].get(ticket.priority) or _escape(ticket.priority),
        who,
        _due(ticket, words),
    )
    cells += [f'<td data-label="{label}">{value}</td>' for label, value in zip(labels, values, strict=True)]
    return f"    <tr>{''.join(cells)}</tr>"


def technician_options(technicians: list[tuple[str, str, str]]) -> SafeString:
    """The <option>s of the technicians a manager assigns tickets to: (username, name, zone)."""
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<option value="{_escape(username)}">{_escape(name)} ({_escape(zone)})</option>'
            for username, name, zone in technicians
        )
    )
