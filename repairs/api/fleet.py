"""/api/v1/devices/{serial}/ and /api/v1/me/."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from devices import permissions as fleet
from devices.models import Device, Role, normalise_serial
from devices.selectors import current_holdings, device_holder_assignment
from repairs import selectors
from repairs.api.serializers import TicketListSerializer
from repairs.signals import file_read


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
        file_read.send(sender=device.__class__, reader=request.user, device=device)
        return Response(DeviceSerializer(device, context={"request": request}).data)


class MeView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "username": serializers.CharField(),
                "name": serializers.CharField(),
                "role": serializers.CharField(allow_null=True),
                "establishments": serializers.ListField(
                    child=serializers.DictField(),
                    help_text="The establishments the caller works for, as {uai, name}: a student's or staff "
                    "member's own, a zone technician's zone. Empty when `all_establishments` is true.",
                ),
                "all_establishments": serializers.BooleanField(
                    help_text="True when the caller's scope is every establishment (managers, supervisors, "
                    "technicians of the depot zone): `establishments` is then left empty rather than "
                    "listing them all."
                ),
                "zone": serializers.CharField(allow_null=True),
                "devices": serializers.ListField(child=serializers.CharField()),
            },
        )
    )
    def get(self, request):
        user = request.user
        profile = fleet.profile_of(user)
        role = fleet.role_of(user)
        establishments, everywhere = [], fleet.establishment_filter(user) is None
        if role == Role.TECHNICIAN and not everywhere:
            establishments = list(fleet.visible_establishments(user=user).order_by("uai").values("uai", "name"))
        elif profile and profile.establishment_id:
            establishments = [{"uai": profile.establishment.uai, "name": profile.establishment.name}]
        held = current_holdings(student=user).values_list("device__serial_number", flat=True)
        return Response(
            {
                "username": user.get_username(),
                "name": user.get_full_name(),
                "role": role,
                "establishments": establishments,
                "all_establishments": everywhere,
                "zone": profile.zone.code if profile and profile.zone_id else None,
                "devices": list(held),
            }
        )
