"""GET /api/v1/distribution/progress/: the dashboard's figures as JSON, for integrators and the
region's own tools. Same selector and scope as the page (staff: their establishment)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from devices.models import Academie, Departement
from distribution.exports import progress_json
from distribution.params import ProgressForm
from distribution.progress import GROUP_BY_KEYS
from distribution.selectors import campaign_progress_shared, progress_readable


class ProgressView(APIView):
    @extend_schema(
        operation_id="distribution_progress",
        parameters=[
            OpenApiParameter(
                "year",
                OpenApiTypes.INT,
                description="first calendar year of the school year (2026 for 2026-2027); default: the current one",
            ),
            OpenApiParameter("group_by", str, enum=list(GROUP_BY_KEYS), description="default: establishment"),
            OpenApiParameter("academie", str, enum=list(Academie.values)),
            OpenApiParameter("departement", str, enum=list(Departement.values)),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT},
        description="Per group: target, students equipped, %, hand-overs today, rate per day (over the last "
        "3 working days), projected date of reaching 90 % (null when the rate is zero; the day it was reached "
        "once reached), whether the group is behind schedule (below the straight line from its level on the "
        "first day to 90 % on day 14); behind schedule first. `curve`: % equipped at the end of each day since "
        "the start, for the whole scope. School staff get their establishment only.",
    )
    def get(self, request):
        if not progress_readable(request.user):
            return Response(
                {
                    "detail": _("The campaign dashboard is for managers, supervisors and school staff."),
                    "code": "forbidden",
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        form = ProgressForm(request.query_params)
        if not form.is_valid():
            errors = form.errors_json()
            detail = " ".join(message for messages in errors.values() for message in messages)
            return Response({"detail": detail, "errors": errors, "code": "invalid"}, status=status.HTTP_400_BAD_REQUEST)
        params = form.params()
        # The same figures as the dashboard's, shared per scope for a moment: a region's tools
        # poll this as the open dashboards do, and each call recomputed every assignment's count.
        progress = campaign_progress_shared(
            user=request.user, year=params.year, academie=params.academie, departement=params.departement
        )
        return Response(progress_json(progress, group_by=params.group_by))
