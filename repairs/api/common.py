"""What the whole API shares: one mapping of the services' errors, pagination without COUNT(*)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from repairs import services
from repairs.exceptions import TicketChanged
from repairs.limits import MAX_PAGE, bounded_int

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
        params = request.query_params
        self.page = bounded_int(params.get("page"), field="page", default=1, maximum=MAX_PAGE)
        self.size = bounded_int(
            params.get("page_size"), field="page_size", default=self.page_size, maximum=self.max_page_size
        )
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
