"""The shapes of the tickets API: what is read from a request, what a ticket looks like."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from devices import permissions as fleet
from devices.models import FaultCategory, Role
from repairs import permissions, selectors
from repairs.models import Attachment, Ticket, TicketPart, TimelineEntry
from repairs.timeline import hidden_from


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {"username": {"type": "string"}, "name": {"type": "string"}},
    }
)
class UserField(serializers.Field):
    def to_representation(self, user):
        return {"username": user.get_username(), "name": user.get_full_name()} if user else None


class TicketListSerializer(serializers.ModelSerializer):
    device = serializers.CharField(source="device.serial_number", read_only=True)
    asset_tag = serializers.CharField(source="device.asset_tag", read_only=True)
    model = serializers.CharField(source="device.model.__str__", read_only=True)
    establishment = serializers.CharField(source="establishment.uai", read_only=True, default=None)
    establishment_name = serializers.CharField(source="establishment.name", read_only=True, default=None)
    assignee = serializers.CharField(source="assignee.username", read_only=True, default=None)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    sla = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "reference",
            "state",
            "state_label",
            "category",
            "priority",
            "device",
            "asset_tag",
            "model",
            "establishment",
            "establishment_name",
            "assignee",
            "declared_at",
            "first_response_due_at",
            "resolution_due_at",
            "sla",
            "version",
        ]

    def get_sla(self, ticket) -> str:
        if ticket.first_response_breached or ticket.resolution_breached:
            return "breached"
        return "at_risk" if ticket.sla_at_risk and not ticket.is_final else "ok"


class TimelineEntrySerializer(serializers.ModelSerializer):
    actor = UserField()

    class Meta:
        model = TimelineEntry
        fields = ["id", "at", "actor", "kind", "name", "source", "target", "note", "payload"]


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "uploaded_at", "url"]

    def get_url(self, attachment) -> str:
        return reverse("api:ticket-attachment", args=[attachment.ticket.reference, attachment.pk])


class TicketDetailSerializer(TicketListSerializer):
    reporter = UserField()
    costs = serializers.SerializerMethodField()
    status_url = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    loaner = serializers.CharField(source="loaner.serial_number", read_only=True, default=None)
    replacement = serializers.CharField(source="replacement.serial_number", read_only=True, default=None)

    class Meta(TicketListSerializer.Meta):
        fields = [
            *TicketListSerializer.Meta.fields,
            "description",
            "reporter",
            "coverage",
            "coverage_reason",
            "coverage_overridden",
            "parts",
            "rma_number",
            "police_report",
            "replacement",
            "loaner",
            "loaner_out",
            "loaner_due_on",
            "return_channel",
            "carrier",
            "tracking_number",
            "first_responded_at",
            "resolved_at",
            "quote_state",
            "returned_unrepaired",
            "costs",
            "status_url",
            "available_transitions",
            "timeline",
            "attachments",
        ]

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "description": "null when the caller may not see costs (a student, unless the family pays)",
            "properties": {
                "parts": {"type": "array", "items": {"type": "object"}},
                "labour_minutes": {"type": "integer"},
                "parts_cost": {"type": "string"},
                "labour_cost": {"type": "string"},
                "total": {"type": "string"},
            },
        }
    )
    def get_costs(self, ticket) -> dict | None:
        if not permissions.may_see_costs(user=self.context["request"].user, ticket=ticket):
            return None
        lines = TicketPart.objects.filter(ticket=ticket).select_related("part")
        return {
            "parts": [
                {
                    "reference": line.part.reference,
                    "label": line.part.label,
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price),
                }
                for line in lines
            ],
            "labour_minutes": ticket.labour_minutes,
            "parts_cost": str(ticket.parts_cost),
            "labour_cost": str(ticket.labour_cost),
            "total": str(ticket.cost),
        }

    def get_status_url(self, ticket) -> str:
        """The status link without an account, for whoever may see the ticket (to give to a family)."""
        return self.context["request"].build_absolute_uri(reverse("repairs:status", args=[ticket.status_token]))

    def get_available_transitions(self, ticket) -> list[str]:
        return [spec.name for spec in selectors.available_transitions(ticket=ticket, user=self.context["request"].user)]

    def get_timeline(self, ticket) -> list[dict]:
        user = self.context["request"].user
        internal = fleet.role_of(user) != Role.STUDENT
        costs_shown = permissions.may_see_costs(user=user, ticket=ticket)
        entries = [
            entry
            for entry in ticket.timeline.select_related("actor").order_by("at", "pk")
            if not hidden_from(entry, internal=internal, costs_shown=costs_shown)
        ]
        return TimelineEntrySerializer(entries, many=True).data

    def get_attachments(self, ticket) -> list[dict]:
        return AttachmentSerializer(ticket.attachments.select_related("ticket"), many=True).data


class DeclareSerializer(serializers.Serializer):
    """Only these fields are read: state, establishment, reporter, dates or assignee sent along
    are ignored, never applied."""

    device = serializers.CharField(help_text="serial number or asset tag")
    category = serializers.ChoiceField(choices=FaultCategory.choices)
    description = serializers.CharField()
    police_report = serializers.CharField(required=False, allow_blank=True, default="")


class TransitionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    coverage = serializers.CharField(required=False, allow_blank=True)
    coverage_reason = serializers.CharField(required=False, allow_blank=True, default="")
    parts = serializers.ListField(child=serializers.CharField(), required=False)
    rma_number = serializers.CharField(required=False, allow_blank=True)
    replacement = serializers.CharField(required=False, allow_blank=True)
    police_report = serializers.CharField(required=False, allow_blank=True)
    reimage = serializers.BooleanField(required=False, default=False)
    carrier = serializers.CharField(required=False, allow_blank=True)
    tracking_number = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, help_text="the version you read; 409 if it changed since")


class CommentSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)


class LoanerSerializer(serializers.Serializer):
    device = serializers.CharField(required=False, allow_blank=True, help_text="serial; a spare is picked if absent")
    due_on = serializers.DateField(
        required=False, allow_null=True, help_text="YYYY-MM-DD; default: LOANER_DEFAULT_DAYS days from today"
    )
