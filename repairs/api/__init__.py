"""REST API under /api/v1/. Thin: selectors read, services write, errors map in one
place (`common.error_response`)."""

from repairs.api.common import error_response, exception_handler
from repairs.api.fleet import DeviceDetailView, MeView
from repairs.api.tickets import TicketViewSet

__all__ = ["DeviceDetailView", "MeView", "TicketViewSet", "error_response", "exception_handler"]
