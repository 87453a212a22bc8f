"""What every page shares: the visible ticket or 404, attachments served safely, and the one
place where a refused action becomes a French message."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from repairs import selectors, services
from repairs.exceptions import TicketChanged
from repairs.models import Attachment, Ticket


def attachment_response(attachment: Attachment, *, inline: bool = False) -> FileResponse:
    """A file no browser will run: the type we sniffed at upload, no sniffing, a CSP that forbids
    everything even if it were rendered as a page. Images may be shown inline as thumbnails."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def visible_ticket_or_404(request, reference: str) -> Ticket:
    ticket = selectors.ticket_detail(user=request.user, reference=reference)
    if ticket is None:
        raise Http404
    return ticket


def changed_message(ticket: Ticket) -> str:
    latest = ticket.timeline.select_related("actor").order_by("-at", "-pk").first()
    if latest is None or latest.actor is None:
        return _("This ticket was just changed by someone else. Reload it and try again.")
    return _("This ticket was just changed by %(name)s (%(when)s). Reload the page and try again.") % {
        "name": latest.actor.get_full_name() or latest.actor.get_username(),
        "when": date_format(timezone.localtime(latest.at), "SHORT_DATETIME_FORMAT"),
    }


def run_action(request, ticket: Ticket, action: Callable[[], object], success: str) -> bool:
    """Run a service call; turn a refusal into a message a person understands. True if it worked."""
    try:
        action()
    except TicketChanged:
        messages.error(request, changed_message(Ticket.objects.get(pk=ticket.pk)))
    except (services.TicketError, ConcurrentTransition) as exc:
        messages.error(request, str(exc.args[0]))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
        return True
    return False


def next_url(request, default: str) -> str:
    """Where to go back after a POST: the page's own `next` if it stays on this site, else `default`
    (a URL name); never an address someone slipped into the form."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def ticket_action(request, reference: str, form_class, call, success: str):
    """A POST on a ticket's page: validate `form_class`, call `call(ticket, cleaned_data)` through
    `run_action`, back to the ticket's page."""
    ticket = visible_ticket_or_404(request, reference)
    form = form_class(request.POST, request.FILES) if form_class else None
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        run_action(request, ticket, lambda: call(ticket, form.cleaned_data if form else {}), success)
    return redirect("repairs:ticket", reference=reference)
