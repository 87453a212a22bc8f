"""The desk's forms: what a person types. The rules are the services'; these only read input."""

from django import forms
from django.utils.translation import gettext_lazy as _

from devices.models import FaultCategory
from distribution.models import Condition
from distribution.services import CHANNEL_CARRIER, CHANNEL_DESK, RETURN_CATEGORIES


class HandoverForm(forms.Form):
    student = forms.CharField(
        label=_("Student"),
        max_length=150,
        help_text=_("Student number (scan the card) or name."),
    )
    # The candidate picked when several students matched the name typed.
    student_pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    device = forms.CharField(
        label=_("Laptop"), max_length=64, help_text=_("Serial number or asset tag (scan the label).")
    )
    charter_signed = forms.BooleanField(label=_("Charter signed"), required=False)
    channel = forms.ChoiceField(
        label=_("Hand-over"),
        choices=[(CHANNEL_DESK, _("At the desk")), (CHANNEL_CARRIER, _("Home delivery by carrier"))],
        initial=CHANNEL_DESK,
        required=False,
    )
    carrier = forms.CharField(label=_("Carrier"), max_length=40, required=False)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64, required=False)
    reimage = forms.ChoiceField(choices=[("", ""), ("yes", "yes"), ("no", "no")], required=False)
    return_previous = forms.BooleanField(label=_("The student returns the previous laptop now"), required=False)

    def reimage_decision(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("reimage") or "")


class ReturnForm(forms.Form):
    device = forms.CharField(
        label=_("Laptop"), max_length=64, help_text=_("Serial number or asset tag (scan the label).")
    )
    condition = forms.ChoiceField(label=_("Condition"), choices=Condition.choices, widget=forms.RadioSelect)
    category = forms.ChoiceField(
        label=_("What is damaged"),
        choices=[("", "—")] + [(value, label) for value, label in FaultCategory.choices if value in RETURN_CATEGORIES],
        required=False,
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False)
