"""What the whole API shares: one mapping of the services' errors, pagination without COUNT(*)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from repairs import keyset, services
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


# Pagination without COUNT(*), by cursor: one row more than the page tells whether there is a
# next page, and the links carry the cursor of the row they continue from (repairs/keyset.py).


class NoCountPagination(BasePagination):
    """`page` alone still answers (by offset); `next` and `previous` carry a cursor beside the
    page number, so following them costs the same at page 2,000 as at page 2. A cursor that does
    not decode is a 400 naming `cursor`."""

    page_size = 25
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        params = request.query_params
        number = bounded_int(params.get("page"), field="page", default=1, maximum=MAX_PAGE)
        size = bounded_int(
            params.get("page_size"), field="page_size", default=self.page_size, maximum=self.max_page_size
        )
        order = keyset.ORDERS.get(params.get("sort") or "", keyset.DEFAULT_ORDER)
        self.page = keyset.page_of(queryset, order=order, number=number, size=size, cursor=params.get("cursor"))
        return self.page.rows

    def _link(self, number: int, cursor: str | None) -> str:
        url = replace_query_param(self.request.build_absolute_uri(), "page", number)
        return replace_query_param(url, "cursor", cursor) if cursor else remove_query_param(url, "cursor")

    def get_paginated_response(self, data):
        page = self.page
        return Response(
            {
                "next": self._link(page.number + 1, page.next_cursor) if page.next_cursor else None,
                "previous": self._link(page.number - 1, page.previous_cursor) if page.number > 1 else None,
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

    def get_schema_operation_parameters(self, view):
        def parameter(name: str, description: str, kind: str) -> dict:
            return {
                "name": name,
                "required": False,
                "in": "query",
                "description": description,
                "schema": {"type": kind},
            }

        return [
            parameter("page", "Page number (1 to 100,000); the links carry a cursor as well.", "integer"),
            parameter("page_size", f"Tickets per page (1 to {self.max_page_size}).", "integer"),
            parameter("cursor", "Where a `next` or `previous` link continues from (opaque).", "string"),
        ]
