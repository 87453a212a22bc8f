"""Tickets in the admin: read-only records whose only way to change is a transition through the
services (never a raw state edit), with the timeline inline."""

from django.contrib import admin
from django.utils.translation import gettext as _

from config.read_only_admin import ReadOnlyAdminMixin
from devices import permissions as fleet
from repairs import selectors, services
from repairs.admin_actions import apply_to_each, ask_for_fields
from repairs.forms import TransitionForm
from repairs.models import Attachment, Ticket, TimelineEntry
from repairs.states import TRANSITIONS


def transition_action(name: str, label: str):
    def run(modeladmin, request, queryset):
        form = TransitionForm(request.POST if "apply" in request.POST else None, transition=name)
        if not form.is_bound or not form.is_valid():
            return ask_for_fields(modeladmin, request, queryset, form=form, title=label)
        done = apply_to_each(
            modeladmin,
            request,
            queryset,
            lambda ticket: services.ticket_transition(
                ticket=ticket, actor=request.user, name=name, **form.service_fields()
            ),
        )
        if done:
            modeladmin.message_user(
                request, _("“%(action)s” done on %(count)d ticket(s).") % {"action": label, "count": done}
            )
        return None

    run.__name__ = f"transition_{name}"
    run.short_description = label
    return run


class TimelineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TimelineEntry
    extra = 0
    fields = ["at", "actor", "kind", "name", "source", "target", "note", "payload"]
    readonly_fields = fields
    can_delete = False


class AttachmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False


# Tickets change only through transitions (the actions below), never by editing fields.
@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "state",
        "category",
        "priority",
        "device",
        "establishment",
        "assignee",
        "declared_at",
        "resolution_due_at",
    ]
    list_filter = ["state", "category", "priority", "coverage", "establishment__academie", "resolution_breached"]
    search_fields = ["=reference", "=device__serial_number", "=device__asset_tag", "establishment__uai"]
    list_select_related = ["device", "establishment", "assignee"]
    show_full_result_count = False
    list_per_page = 50
    date_hierarchy = "declared_at"
    inlines = [TimelineInline, AttachmentInline]
    actions = [transition_action(spec.name, spec.label) for spec in TRANSITIONS]

    def get_queryset(self, request):
        return selectors.visible_tickets(user=request.user).select_related("device", "establishment", "assignee")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_module_permission(self, request):
        return fleet.can_view_reference_data(request.user)

    def has_view_permission(self, request, obj=None):
        return fleet.can_view_reference_data(request.user)


# SLA policies, closures, notices, report exports; and the managers' due-date action on tickets.
from repairs.sla.admin import set_resolution_due  # noqa: E402 (registers the SLA admin classes)

TicketAdmin.actions = [*TicketAdmin.actions, set_resolution_due]

# The price list, labour rates, and a ticket's parts and quotes.
from repairs.costs_admin import QuoteInline, TicketPartInline  # noqa: E402

TicketAdmin.inlines = [*TicketAdmin.inlines, TicketPartInline, QuoteInline]
