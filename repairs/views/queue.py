"""Ticket lists and the technicians' queue: filters in the URL, bulk assignment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from devices import permissions as fleet
from devices.models import Role
from repairs import selectors, services
from repairs.filters import TicketFilter
from repairs.limits import MAX_PAGE, bounded_int
from repairs.states import State
from repairs.views.common import next_url, run_action

QUEUE_PAGE_SIZE = 50


@login_required
def ticket_list(request):
    queryset = selectors.ticket_list(user=request.user)
    # The page number is not a filter: page 2 of the default list is still the open tickets.
    params = request.GET.copy()
    params.pop("page", None)
    filters = TicketFilter(params or None, queryset=queryset, request=request, html=True)
    if not filters.is_bound:
        rows, counted = queryset.filter(state__in=selectors.OPEN_STATES), queryset
    elif filters.is_valid():
        rows = counted = filters.qs
    else:
        rows, counted = queryset.none(), queryset
    page = bounded_int(request.GET.get("page"), field="page", default=1, maximum=MAX_PAGE, clamp=True)
    start = (page - 1) * QUEUE_PAGE_SIZE
    # One row more than the page tells whether there is a next page, without COUNT(*).
    tickets = list(rows[start : start + QUEUE_PAGE_SIZE + 1])
    has_next = len(tickets) > QUEUE_PAGE_SIZE
    role = fleet.role_of(request.user)
    context = {
        "filters": filters,
        "tickets": tickets[:QUEUE_PAGE_SIZE],
        "page": page,
        "has_next": has_next,
        "query": params.urlencode(),
        "counts": selectors.state_counts(queryset=counted.order_by()),
        "states": State,
        "can_take": role == Role.TECHNICIAN,
        "can_assign": role == Role.MANAGER,
        "technicians": selectors.technicians() if role == Role.MANAGER else [],
        # Technicians chase the loaners of their zone from their queue.
        "overdue_loaners": list(selectors.overdue_loaners(user=request.user)[:20]) if role == Role.TECHNICIAN else [],
    }
    return render(request, "repairs/ticket_list.html", context)


@login_required
@require_POST
def bulk_assign(request):
    """Take the selected tickets (technician), or give them to a technician (manager)."""
    references = request.POST.getlist("tickets")
    assignee_name = request.POST.get("assignee", "")
    if assignee_name == "me":
        assignee = request.user
    elif assignee_name == "none":
        assignee = None
    else:
        assignee = selectors.technicians().filter(username=assignee_name).first()
        if assignee is None:
            messages.error(request, _("Choose a technician."))
            return redirect(next_url(request, "repairs:ticket_list"))
    tickets = selectors.visible_tickets(user=request.user).filter(reference__in=references)
    done = 0
    for ticket in tickets.select_related("establishment"):
        done += run_action(
            request,
            ticket,
            lambda t=ticket: services.ticket_assign(ticket=t, actor=request.user, assignee=assignee),
            _("Ticket %(reference)s assigned.") % {"reference": ticket.reference},
        )
    if not references:
        messages.error(request, _("Select at least one ticket."))
    return redirect(next_url(request, "repairs:ticket_list"))
