"""SLA reference data in the admin (policies, closures), the notices and report exports as
records, and the managers' action that sets a ticket's resolution due date by hand (through the
service). Registered from repairs/admin.py."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from devices.admin import ScopedModelAdmin
from repairs import services
from repairs.admin_actions import apply_to_each, ask_for_fields
from repairs.forms import DueDateForm
from repairs.models import PAUSABLE_STATES, Closure, ReportExport, SlaNotice, SlaPolicy
from repairs.states import State


class SlaPolicyForm(forms.ModelForm):
    pause_states = forms.MultipleChoiceField(
        label=gettext_lazy("States that pause the clock"),
        choices=[(value, State(value).label) for value in PAUSABLE_STATES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "priority",
            "category",
            "first_response_hours",
            "resolution_hours",
            "workday_start",
            "workday_end",
            "working_days",
            "skip_school_holidays",
            "pause_states",
        ]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ScopedModelAdmin):
    form = SlaPolicyForm
    list_display = [
        "name",
        "priority",
        "category",
        "first_response_hours",
        "resolution_hours",
        "workday_start",
        "workday_end",
        "working_days",
        "skip_school_holidays",
    ]
    list_filter = ["priority", "category", "skip_school_holidays"]


@admin.register(Closure)
class ClosureAdmin(ScopedModelAdmin):
    list_display = ["starts_on", "ends_on", "establishment", "reason"]
    list_filter = ["establishment__academie"]
    search_fields = ["establishment__uai", "establishment__name", "reason"]
    autocomplete_fields = ["establishment"]
    date_hierarchy = "starts_on"


class ReadOnlyAdmin(ScopedModelAdmin):
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SlaNotice)
class SlaNoticeAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "target", "threshold", "at"]
    list_filter = ["target", "threshold"]
    list_select_related = ["ticket"]
    search_fields = ["=ticket__reference"]


@admin.register(ReportExport)
class ReportExportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "label", "requested_by", "status", "page_count", "finished_at"]
    list_filter = ["kind", "status"]
    exclude = ["file"]  # served to the requester by the report pages, not from here


@admin.action(description=gettext_lazy("Set the resolution due date by hand"))
def set_resolution_due(modeladmin, request, queryset):
    form = DueDateForm(request.POST if "apply" in request.POST else None)
    if not form.is_bound or not form.is_valid():
        return ask_for_fields(modeladmin, request, queryset, form=form, title=_("Set the resolution due date by hand"))
    done = apply_to_each(
        modeladmin,
        request,
        queryset,
        lambda ticket: services.ticket_set_resolution_due(
            ticket=ticket,
            actor=request.user,
            due_at=form.cleaned_data["due_at"],
            reason=form.cleaned_data["reason"],
        ),
    )
    if done:
        modeladmin.message_user(request, _("Due date set on %(count)d ticket(s).") % {"count": done})
    return None
