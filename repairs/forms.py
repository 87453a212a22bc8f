"""Forms of the web pages (and the admin's transition form). They validate input shapes only:
the rules live in the services."""

import functools

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from devices.models import FaultCategory
from repairs.states import TRANSITIONS_BY_NAME, Coverage, Priority
from repairs.uploads import MAX_ATTACHMENT_BYTES
from repairs.widgets import (
    MemoSelect,
    QuickDateInput,
    QuickDateTimeInput,
    QuickFileInput,
    QuickHiddenInput,
    QuickNumberInput,
    QuickTextarea,
    QuickTextInput,
)

MAX_PHOTOS = 5


class TransitionForm(forms.Form):
    """The optional fields of the API's transition endpoint; each transition shows those it takes."""

    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    coverage = forms.ChoiceField(label=_("Coverage (override)"), required=False, choices=[("", "—"), *Coverage.choices])
    coverage_reason = forms.CharField(label=_("Reason for the override"), required=False)
    parts = forms.CharField(label=_("Parts (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    rma_number = forms.CharField(label=_("RMA number"), required=False)
    replacement = forms.CharField(label=_("Replacement serial (empty: from the pool)"), required=False)
    police_report = forms.CharField(label=_("Police report reference"), required=False)
    reimage = forms.BooleanField(label=_("Re-imaged with the current master image"), required=False)
    carrier = forms.CharField(label=_("Carrier"), required=False)
    tracking_number = forms.CharField(label=_("Tracking number"), required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, transition: str, **kwargs):
        super().__init__(*args, **kwargs)
        accepted = {*TRANSITIONS_BY_NAME[transition].fields, "version"}
        for name in list(self.fields):
            if name not in accepted:
                del self.fields[name]

    def service_fields(self) -> dict:
        data = {key: value for key, value in self.cleaned_data.items() if key != "version"}
        if "parts" in data:
            data["parts"] = [line for line in data["parts"].splitlines() if line.strip()]
        return data


# What a transition's form draws is the same for every ticket but its version: the hidden field's
# value. Drawn once per transition and language by Django's own widgets, with this in its place.
_VERSION_SLOT = "__version__"


@functools.lru_cache(maxsize=128)
def _transition_fields(name: str, language: str | None) -> str:
    form = TransitionForm(transition=name, initial={"version": _VERSION_SLOT})
    return render_to_string("repairs/_partials/transition_fields.html", {"form": form})


def transition_fields(name: str, *, version: int) -> SafeString:
    """The fields of transition `name`'s form on a ticket page, as repairs/_partials/transition_fields.html
    draws them (labels in the active language), for a ticket at `version`."""
    drawn = _transition_fields(name, get_language())
    return mark_safe(drawn.replace(_VERSION_SLOT, str(int(version))))  # noqa: S308 - Django's own escaped output


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf", "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("At most %(max)d files.") % {"max": MAX_PHOTOS})
        for upload in files:
            if upload.size > MAX_ATTACHMENT_BYTES:
                raise forms.ValidationError(
                    _("%(name)s is too large (at most %(mb)d MB).")
                    % {"name": upload.name, "mb": MAX_ATTACHMENT_BYTES // (1024 * 1024)}
                )
        return files


class DeclareForm(forms.Form):
    device = forms.CharField(
        label=_("Laptop"),
        help_text=_("Serial number or asset tag (on the sticker under the laptop)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    category = forms.ChoiceField(label=_("What is wrong?"), choices=FaultCategory.choices, widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("Describe the fault"),
        help_text=_("What happens, since when, what you already tried."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
    police_report = forms.CharField(label=_("Police report reference (theft or loss)"), required=False, max_length=64)
    photos = MultipleFileField(
        label=_("Photos (up to 5)"), required=False, help_text=_("Photos (JPEG, PNG, HEIC, WebP) or PDF, 10 MB each.")
    )


# The forms of the ticket page draw with repairs.widgets' Quick widgets: Django's markup, without a
# template per field on every page.
VERSION = QuickHiddenInput


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Add a comment"), widget=QuickTextarea(attrs={"rows": 3}), max_length=5000)


class AttachForm(forms.Form):
    file = forms.FileField(
        label=_("Add a photo or a PDF"), widget=QuickFileInput(attrs={"accept": "image/*,application/pdf"})
    )


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, widget=MemoSelect)
    version = forms.IntegerField(required=False, widget=VERSION)


DATE_INPUT = QuickDateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class LoanerForm(forms.Form):
    device = forms.CharField(
        label=_("Loaner serial (empty: first spare of the pool)"), required=False, widget=QuickTextInput
    )
    due_on = forms.DateField(label=_("Due back on"), required=False, widget=DATE_INPUT, input_formats=DATE_FORMATS)
    version = forms.IntegerField(required=False, widget=VERSION)


class LoanerDueForm(forms.Form):
    due_on = forms.DateField(label=_("Loaner due back on"), widget=DATE_INPUT, input_formats=DATE_FORMATS)
    version = forms.IntegerField(required=False, widget=VERSION)


class PartForm(forms.Form):
    """A part of the price list used on the ticket (the choices are set by the page)."""

    part = forms.CharField(label=_("Part (price list reference)"), max_length=32)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=99, initial=1, widget=QuickNumberInput)
    version = forms.IntegerField(required=False, widget=VERSION)


class LabourForm(forms.Form):
    minutes = forms.IntegerField(label=_("Labour time (minutes)"), min_value=0, max_value=6000, widget=QuickNumberInput)
    version = forms.IntegerField(required=False, widget=VERSION)


class VersionForm(forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class QuoteDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("refuse", _("Refuse"))])
    number = forms.IntegerField(min_value=1, max_value=32767, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PreferencesForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), required=False)
    phone = forms.CharField(label=_("Mobile phone"), required=False, max_length=20)
    notify_by_email = forms.BooleanField(label=_("Tell me by email"), required=False)
    notify_by_sms = forms.BooleanField(label=_("Tell me by SMS"), required=False)
    daily_digest = forms.BooleanField(
        label=_("One email a day for my establishment instead of one per event"), required=False
    )
    language = forms.ChoiceField(
        label=_("Language of messages"),
        required=False,
        choices=[("", _("French (default)")), ("fr", "Français"), ("en", "English")],
    )


class DueDateForm(forms.Form):
    """A manager's resolution due date, set by hand (ticket page and admin action)."""

    due_at = forms.DateTimeField(
        label=_("Resolution due on"),
        required=False,
        widget=QuickDateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        help_text=_("Europe/Paris time. Empty: back to the policy's due date."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=QuickTextarea(attrs={"rows": 3}))


class TicketDueDateForm(DueDateForm):
    """The same, on the ticket page, with the version shown so a stale page is refused."""

    version = forms.IntegerField(required=False, widget=VERSION)
