"""REST API under /api/v1/ (SPEC §6). Thin: selectors read, services write, errors map in one place."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from devices import permissions as fleet
from devices.models import Device, FaultCategory, normalise_serial
from devices.selectors import current_holdings, device_by_identifier, device_holder_assignment
from repairs import selectors, services
from repairs.exceptions import TicketChanged
from repairs.filters import TicketFilter
from repairs.models import Attachment, Ticket, TimelineEntry
from repairs.views import attachment_response

# Errors: one mapping for the whole API.


def error_response(exc: Exception) -> Response | None:
    """409 for "not from this state" and "changed meanwhile", 403 for "not you", 400 with the
    failing fields for a condition; None for anything else (DRF's handler takes it)."""
    if isinstance(exc, services.TransitionNotPossible | TicketChanged):
        message = str(exc.args[0]) if exc.args else ""
        code = "changed" if isinstance(exc, TicketChanged) else "not_possible"
        return Response({"detail": message, "code": code}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, services.ActionForbidden):
        return Response({"detail": exc.message, "code": "forbidden"}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        detail = " ".join(message for messages in errors.values() for message in messages)
        return Response({"detail": detail, "errors": errors, "code": "invalid"}, status=status.HTTP_400_BAD_REQUEST)
    return None


def exception_handler(exc, context):
    return error_response(exc) or drf_exception_handler(exc, context)


# Pagination without COUNT(*): one row more than the page tells whether there is a next page.


class NoCountPagination(BasePagination):
    page_size = 25
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        try:
            self.page = max(1, int(request.query_params.get("page", 1)))
            self.size = min(self.max_page_size, max(1, int(request.query_params.get("page_size", self.page_size))))
        except ValueError:
            raise serializers.ValidationError({"page": _("A page number is a positive whole number.")}) from None
        start = (self.page - 1) * self.size
        rows = list(queryset[start : start + self.size + 1])
        self.has_next = len(rows) > self.size
        return rows[: self.size]

    def _link(self, page: int | None) -> str | None:
        if page is None:
            return None
        return replace_query_param(self.request.build_absolute_uri(), "page", page)

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self._link(self.page + 1 if self.has_next else None),
                "previous": self._link(self.page - 1 if self.page > 1 else None),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }


# Serializers


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
            "return_channel",
            "carrier",
            "tracking_number",
            "first_responded_at",
            "resolved_at",
            "available_transitions",
            "timeline",
            "attachments",
        ]

    def get_available_transitions(self, ticket) -> list[str]:
        return [spec.name for spec in selectors.available_transitions(ticket=ticket, user=self.context["request"].user)]

    def get_timeline(self, ticket) -> list[dict]:
        entries = ticket.timeline.select_related("actor").order_by("at", "pk")
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


class UnknownDevice(APIException):
    status_code = 400
    default_code = "invalid"


# Views


class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    lookup_field = "reference"
    lookup_value_regex = r"R-\d{4}-\d{6}"
    filterset_class = TicketFilter
    pagination_class = NoCountPagination

    def get_queryset(self):
        return selectors.ticket_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return DeclareSerializer
        return TicketDetailSerializer if self.action == "retrieve" else TicketListSerializer

    def get_object(self) -> Ticket:
        ticket = selectors.ticket_detail(user=self.request.user, reference=self.kwargs["reference"])
        if ticket is None:
            raise Http404
        return ticket

    def detail_response(self, ticket: Ticket, status_code: int = status.HTTP_200_OK) -> Response:
        ticket = selectors.ticket_detail(user=self.request.user, reference=ticket.reference)
        data = TicketDetailSerializer(ticket, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    @extend_schema(request=DeclareSerializer, responses={201: TicketDetailSerializer})
    def create(self, request, *args, **kwargs):
        form = DeclareSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        device = device_by_identifier(identifier=data["device"])
        if device is None:
            raise UnknownDevice({"device": [_("No device has this serial number or asset tag.")]})
        ticket = services.ticket_declare(
            device=device,
            reporter=request.user,
            category=data["category"],
            description=data["description"],
            police_report=data["police_report"],
        )
        return self.detail_response(ticket, status.HTTP_201_CREATED)

    @extend_schema(request=TransitionSerializer, responses={200: TicketDetailSerializer})
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transitions(self, request, reference=None, name=None):
        ticket = self.get_object()
        form = TransitionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        fields = dict(form.validated_data)
        version = fields.pop("version", None)
        services.ticket_transition(ticket=ticket, actor=request.user, name=name, expected_version=version, **fields)
        return self.detail_response(ticket)

    @extend_schema(request=LoanerSerializer, responses={200: TicketDetailSerializer})
    @action(detail=True, methods=["post"], url_path="loaner")
    def loaner(self, request, reference=None):
        ticket = self.get_object()
        form = LoanerSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.ticket_lend_loaner(ticket=ticket, actor=request.user, device=form.validated_data.get("device"))
        return self.detail_response(ticket)

    @extend_schema(request=None, responses={200: TicketDetailSerializer})
    @action(detail=True, methods=["post"], url_path="loaner/collect")
    def collect_loaner(self, request, reference=None):
        ticket = self.get_object()
        services.ticket_collect_loaner(ticket=ticket, actor=request.user)
        return self.detail_response(ticket)

    @extend_schema(request=CommentSerializer, responses={201: TimelineEntrySerializer})
    @action(detail=True, methods=["post"], url_path="comments")
    def comments(self, request, reference=None):
        ticket = self.get_object()
        form = CommentSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        entry = services.ticket_comment(ticket=ticket, actor=request.user, text=form.validated_data["text"])
        return Response(TimelineEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: TimelineEntrySerializer})
    @action(detail=True, methods=["get"], url_path=r"comments/(?P<comment_id>\d+)")
    def comment(self, request, reference=None, comment_id=None):
        ticket = self.get_object()
        entry = get_object_or_404(
            TimelineEntry.objects.select_related("actor"), pk=comment_id, ticket=ticket, kind=TimelineEntry.Kind.COMMENT
        )
        return Response(TimelineEntrySerializer(entry).data)

    @extend_schema(
        request={"multipart/form-data": inline_serializer("Upload", {"file": serializers.FileField()})},
        responses={201: AttachmentSerializer},
    )
    @action(detail=True, methods=["post"], url_path="attachments")
    def attachments(self, request, reference=None):
        ticket = self.get_object()
        attachment = services.ticket_attach(ticket=ticket, actor=request.user, upload=request.FILES.get("file"))
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)", url_name="attachment")
    def attachment(self, request, reference=None, attachment_id=None):
        ticket = self.get_object()
        attachment = get_object_or_404(Attachment, pk=attachment_id, ticket=ticket)
        return attachment_response(attachment)


class CoverageSerializer(serializers.Serializer):
    kind = serializers.CharField()
    provider = serializers.CharField()
    contract_ref = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    claims_cap = serializers.IntegerField(allow_null=True)
    claims_used = serializers.IntegerField()


class DeviceSerializer(serializers.ModelSerializer):
    model = serializers.CharField(source="model.__str__")
    establishment = serializers.CharField(source="establishment.uai", default=None)
    image = serializers.SerializerMethodField()
    coverages = CoverageSerializer(many=True)
    holder = serializers.SerializerMethodField()
    tickets = serializers.SerializerMethodField()

    class Meta:
        model = Device
        fields = [
            "serial_number",
            "asset_tag",
            "model",
            "establishment",
            "status",
            "delivered_on",
            "image",
            "coverages",
            "holder",
            "tickets",
        ]

    def get_image(self, device) -> dict | None:
        if device.image is None:
            return None
        return {"version": device.image.version, "academie": device.image.academie, "current": device.image.is_current}

    def get_holder(self, device) -> dict | None:
        assignment = device_holder_assignment(device=device)
        if assignment is None:
            return None
        return {"username": assignment.student.get_username(), "since": assignment.handed_over_at}

    def get_tickets(self, device) -> list[dict]:
        tickets = selectors.ticket_list(user=self.context["request"].user).filter(device=device)
        return TicketListSerializer(tickets, many=True).data


class DeviceDetailView(APIView):
    @extend_schema(responses=DeviceSerializer)
    def get(self, request, serial: str):
        device = get_object_or_404(
            fleet.visible_devices(user=request.user).select_related("model", "establishment", "image"),
            serial_number=normalise_serial(serial),
        )
        return Response(DeviceSerializer(device, context={"request": request}).data)


class MeView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "username": serializers.CharField(),
                "name": serializers.CharField(),
                "role": serializers.CharField(allow_null=True),
                "establishments": serializers.ListField(child=serializers.DictField()),
                "zone": serializers.CharField(allow_null=True),
                "devices": serializers.ListField(child=serializers.CharField()),
            },
        )
    )
    def get(self, request):
        user = request.user
        profile = fleet.profile_of(user)
        role = fleet.role_of(user)
        establishments = []
        if profile and profile.establishment_id:
            establishments = [{"uai": profile.establishment.uai, "name": profile.establishment.name}]
        held = current_holdings(student=user).values_list("device__serial_number", flat=True)
        return Response(
            {
                "username": user.get_username(),
                "name": user.get_full_name(),
                "role": role,
                "establishments": establishments,
                "zone": profile.zone.code if profile and profile.zone_id else None,
                "devices": list(held),
            }
        )
