"""/api/v1/me/export/ and /api/v1/me/access-log/: a person's own data, for them alone."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiTypes, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from privacy import selectors

ACCESS_LOG_ROW = {
    "at": serializers.DateTimeField(help_text="The first read in that hour."),
    "reader_role": serializers.CharField(help_text="staff, technician, manager or supervisor"),
    "reader_role_label": serializers.CharField(),
    "reader": serializers.CharField(help_text="The reader's name."),
    "kind": serializers.ChoiceField(choices=["ticket", "device", "export"]),
    "kind_label": serializers.CharField(),
    "object": serializers.CharField(help_text="The ticket's reference or the laptop's serial number."),
}


class MyExportView(APIView):
    @extend_schema(
        summary="Everything the service holds about the caller",
        description="Account, profile, laptops, tickets (declared by the caller or about a laptop they held), "
        "their history as the caller sees it, notifications sent to them and who read their file. "
        "Nothing about anyone else.",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        return Response(selectors.personal_data_export(user=request.user))


class MyAccessLogView(APIView):
    @extend_schema(
        summary="Who read the caller's file",
        description="One row per reader, object and hour, newest first (empty for anyone but a student).",
        responses={
            200: inline_serializer(
                "AccessLog", {"results": inline_serializer("AccessLogRow", ACCESS_LOG_ROW, many=True)}
            )
        },
    )
    def get(self, request):
        return Response({"results": selectors.access_log_rows(student=request.user)})
