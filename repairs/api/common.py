"""What the whole API shares: one mapping of the services' errors, pagination without COUNT(*)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from repairs import services
from repairs.exceptions import TicketChanged

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
