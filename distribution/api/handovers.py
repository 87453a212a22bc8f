"""/api/v1/distribution/handovers/ and returns/: the desk's use cases for scripts and other desks.

201 for a hand-over, 204 for its undo; a refusal answers its status with `rule` naming the rule
and `detail` saying it: 404 for a student or laptop the caller may not see, 403 for an undo by
someone else than its author, 409 for a laptop already assigned, in repair, retired or lost, a
student already equipped or an undo after ten minutes, 400 for a condition (charter, carrier,
establishment, outdated master image...).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from devices.models import Assignment
from distribution import lookup, services
from distribution.carriers import tracking_url
from distribution.exceptions import Invalid, NotVisible, Refusal
from distribution.models import Condition

CHANNEL_NAMES = {value: name for name, value in services.CHANNELS.items()}


class RefusalSerializer(serializers.Serializer):
    detail = serializers.CharField()
    rule = serializers.CharField(help_text="Which rule refused, e.g. charter_not_signed, device_assigned.")


class HandoverCreateSerializer(serializers.Serializer):
    student = serializers.CharField(
        max_length=150, help_text="The student's login, or the establishment's own student number."
    )
    device = serializers.CharField(max_length=64, help_text="Serial number or asset tag.")
    channel = serializers.ChoiceField(choices=list(services.CHANNELS), default=services.CHANNEL_DESK)
    carrier = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    tracking_number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    charter_signed = serializers.BooleanField(default=False)
    reimage = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="On an outdated master image: true re-images it now (recorded), false hands it over as it is; "
        "absent, the hand-over is refused with rule image_outdated.",
    )
    return_previous = serializers.BooleanField(
        default=False, help_text="The student gives back the laptop they hold in the same step."
    )


class HandoverSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    student = serializers.CharField(source="student.username")
    device = serializers.CharField(source="device.serial_number")
    asset_tag = serializers.CharField(source="device.asset_tag")
    channel = serializers.SerializerMethodField()
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()
    tracking_url = serializers.SerializerMethodField()
    handed_over_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    undo_until = serializers.SerializerMethodField()

    def get_channel(self, assignment) -> str:
        return CHANNEL_NAMES.get(assignment.channel, assignment.channel)

    def get_tracking_url(self, assignment) -> str | None:
        return tracking_url(carrier=assignment.carrier, tracking_number=assignment.tracking_number)

    def get_undo_until(self, assignment) -> str:
        return serializers.DateTimeField().to_representation(assignment.handed_over_at + services.UNDO_WINDOW)


class ReturnCreateSerializer(serializers.Serializer):
    device = serializers.CharField(max_length=64, help_text="Serial number or asset tag.")
    condition = serializers.ChoiceField(choices=Condition.values)
    category = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="When damaged: the repair ticket's category."
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


REFUSALS = {
    400: OpenApiResponse(RefusalSerializer, description="A condition fails; `rule` says which."),
    404: OpenApiResponse(RefusalSerializer, description="A student or laptop the caller may not see."),
    409: OpenApiResponse(RefusalSerializer, description="Already assigned, already equipped, in repair…"),
}


class RefusalAPIView(APIView):
    """Answers a service's refusal with its status, its rule and its words."""

    def handle_exception(self, exc):
        if isinstance(exc, Refusal):
            return Response({"detail": exc.message, "rule": exc.rule, **exc.details}, status=exc.status)
        return super().handle_exception(exc)


def _student(*, user, identifier: str):
    identifier = identifier.strip()
    found = list(
        lookup.desk_students(user=user)
        .filter(Q(username=identifier.lower()) | Q(profile__student_number=identifier))
        .select_related("profile__establishment")[:2]
    )
    if not found:
        raise NotVisible(_("No such student."), rule="student_not_found")
    if len(found) > 1:
        raise Invalid(
            _("Several students have this number in your establishments: give the login."), rule="student_ambiguous"
        )
    return found[0]


def _device(*, user, identifier: str):
    device = lookup.desk_device(user=user, identifier=identifier)
    if device is None:
        raise NotVisible(_("No such laptop."), rule="device_not_found")
    return device


class HandoverListView(RefusalAPIView):
    @extend_schema(
        request=HandoverCreateSerializer,
        responses={201: HandoverSerializer, **REFUSALS},
        summary="Hand a laptop over to a student",
    )
    def post(self, request):
        form = HandoverCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        student = _student(user=request.user, identifier=data["student"])
        device = _device(user=request.user, identifier=data["device"])
        result = services.handover_record(
            actor=request.user,
            student=student,
            device=device,
            charter_signed=data["charter_signed"],
            channel=data["channel"],
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
            reimage=data["reimage"],
            return_previous=data["return_previous"],
        )
        body = HandoverSerializer(result.assignment).data
        body["reimaged"] = result.reimaged
        return Response(body, status=status.HTTP_201_CREATED)


class HandoverDetailView(RefusalAPIView):
    @extend_schema(responses={200: HandoverSerializer, 404: REFUSALS[404]}, summary="A hand-over")
    def get(self, request, pk: int):
        return Response(HandoverSerializer(services.handover_for(user=request.user, assignment_id=pk)).data)

    @extend_schema(
        responses={
            204: None,
            403: OpenApiResponse(RefusalSerializer, description="Only its author may undo a hand-over."),
            404: REFUSALS[404],
            409: OpenApiResponse(RefusalSerializer, description="More than 10 minutes ago, or followed up since."),
        },
        summary="Undo a hand-over (its author, within 10 minutes)",
    )
    def delete(self, request, pk: int):
        assignment = services.handover_for(user=request.user, assignment_id=pk)
        services.handover_undo(actor=request.user, assignment=assignment)
        return Response(status=status.HTTP_204_NO_CONTENT)


class HandoverDeliveredView(RefusalAPIView):
    @extend_schema(
        request=None,
        responses={200: HandoverSerializer, 404: REFUSALS[404], 409: REFUSALS[409]},
        summary="Confirm that a parcel reached the student (staff, or the student)",
    )
    def post(self, request, pk: int):
        assignment = Assignment.objects.select_related("student__profile", "device").filter(pk=pk).first()
        if assignment is None:
            raise NotVisible(_("No such hand-over."), rule="handover_not_found")
        assignment = services.delivery_confirm(actor=request.user, assignment=assignment)
        assignment = Assignment.objects.select_related("student", "device").get(pk=assignment.pk)
        return Response(HandoverSerializer(assignment).data)


class ReturnListView(RefusalAPIView):
    @extend_schema(
        request=ReturnCreateSerializer,
        responses={
            201: inline_serializer(
                "DistributionReturn",
                {
                    "device": serializers.CharField(),
                    "student": serializers.CharField(),
                    "condition": serializers.CharField(),
                    "ticket": serializers.CharField(allow_null=True),
                },
            ),
            **REFUSALS,
        },
        summary="Record a laptop returned by a student leaving (a damaged one opens a repair ticket)",
    )
    def post(self, request):
        form = ReturnCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        device = _device(user=request.user, identifier=data["device"])
        result = services.return_record(
            actor=request.user,
            device=device,
            condition=data["condition"],
            category=data["category"],
            note=data["note"],
        )
        return Response(
            {
                "device": device.serial_number,
                "student": result.assignment.student.username,
                "condition": data["condition"],
                "ticket": result.ticket.reference if result.ticket else None,
            },
            status=status.HTTP_201_CREATED,
        )


__all__ = ["HandoverDeliveredView", "HandoverDetailView", "HandoverListView", "ReturnListView"]
