"""Form widgets drawn in Python where Django's templates cost more than the page's queries.

Django renders every <option> and every checkbox through a template of its own, and every input
through two: the queue's establishment filter (370 options for a manager) took more than the
page's SQL. The markup is the same (tests/repairs/test_widgets.py compares it with the templates
it replaces); only the way it is produced changes. The table of tickets is repairs/ticket_table.py.
"""

from __future__ import annotations

import functools

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from repairs.html_parts import Drawings, escape


def _attrs(attrs: dict) -> str:
    """flatatt without its format_html per attribute: True → the bare name, False/None → nothing."""
    return "".join(
        f" {key}" if value is True else f' {key}="{escape(value)}"'
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
    plain = tuple(f'<option value="{escape(v)}">{escape(label)}</option>' for v, label in pairs)
    chosen = tuple(f'<option value="{escape(v)}" selected>{escape(label)}</option>' for v, label in pairs)
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
        return mark_safe(f'<input type="{escape(self.input_type)}" name="{escape(name)}"{given}{_attrs(final)}>')  # noqa: S308


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
        return mark_safe(f'<textarea name="{escape(name)}"{_attrs(final)}>\n{text}</textarea>')  # noqa: S308


class QuickFileInput(forms.ClearableFileInput):
    """Django's file input (clearable_file_input.html) without its templates, for a form that holds
    no file yet (the only kind on a page: nothing to clear)."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        if self.is_initial(value) or self.allow_multiple_selected or any(v is None for v in final.values()):
            return super().render(name, value, attrs, renderer)
        return mark_safe(f'<input type="{escape(self.input_type)}" name="{escape(name)}"{_attrs(final)}>')  # noqa: S308


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
        return mark_safe(f'<select name="{escape(name)}"{_attrs(final)}>{"".join(tags)}</select>')  # noqa: S308


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
                f'<div><label for="{escape(drawn.get("id", ""))}"><input type="checkbox" name="{escape(name)}" '
                f'value="{escape(value)}"{_attrs(drawn)}> {escape(label)}</label></div>'
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


def technician_options(technicians: list[tuple[str, str, str]]) -> SafeString:
    """The <option>s of the technicians a manager assigns tickets to: (username, name, zone)."""
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<option value="{escape(username)}">{escape(name)} ({escape(zone)})</option>'
            for username, name, zone in technicians
        )
    )
