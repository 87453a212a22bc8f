"""/api/v1/tickets/: list, declare, detail, transitions, loaners, comments, attachments."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from repairs import selectors, services
from repairs.api.common import NoCountPagination
from repairs.api.serializers import (
    AttachmentSerializer,
    CommentSerializer,
    DeclareSerializer,
    LoanerSerializer,
    TicketDetailSerializer,
    TicketListSerializer,
    TimelineEntrySerializer,
    TransitionSerializer,
)
from repairs.filters import TicketFilter
from repairs.models import Attachment, Ticket, TimelineEntry
from repairs.signals import file_read
from repairs.views.common import attachment_response


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

    def retrieve(self, request, *args, **kwargs):
        ticket = self.get_object()
        file_read.send(sender=Ticket, reader=request.user, ticket=ticket)
        return Response(TicketDetailSerializer(ticket, context=self.get_serializer_context()).data)

    def detail_response(self, ticket: Ticket, status_code: int = status.HTTP_200_OK) -> Response:
        ticket = selectors.ticket_detail(user=self.request.user, reference=ticket.reference)
        data = TicketDetailSerializer(ticket, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    @extend_schema(request=DeclareSerializer, responses={201: TicketDetailSerializer})
    def create(self, request, *args, **kwargs):
        form = DeclareSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        device = selectors.declarable_device(user=request.user, identifier=data["device"])
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
        services.ticket_lend_loaner(
            ticket=ticket,
            actor=request.user,
            device=form.validated_data.get("device"),
            due_on=form.validated_data.get("due_on"),
        )
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
