"""Ticket lists and the technicians' queue: filters in the URL, bulk assignment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from devices import permissions as fleet
from devices.models import Role
from repairs import keyset, selectors, services
from repairs.filters import TicketFilter
from repairs.limits import MAX_PAGE, bounded_int
from repairs.listrows import as_rows
from repairs.states import State
from repairs.views.common import next_url, run_action

QUEUE_PAGE_SIZE = 50


# Filters whose lists the rows of tickets per state can count (the others count the tickets).
PLACE_FILTERS = frozenset({"state", "establishment", "sort"})


@login_required
def ticket_list(request):
    queryset = selectors.ticket_list(user=request.user)
    # Neither the page nor its cursor is a filter: page 2 of the default list is still the open tickets.
    params = request.GET.copy()
    for name in ("page", "cursor"):
        params.pop(name, None)
    filters = TicketFilter(params or None, queryset=queryset, request=request, html=True)
    order, counts, capped, kept = keyset.DEFAULT_ORDER, None, False, None
    if not filters.is_bound:
        # The open tickets of the person's scope: the page's statement depends on nothing else.
        kept = ("queue", fleet.scope_key(request.user))
        rows = queryset.filter(is_open=True)
        counts = selectors.scope_state_counts(user=request.user)
        counted = queryset
    elif filters.is_valid():
        rows = counted = filters.qs
        data = {name: value for name, value in filters.form.cleaned_data.items() if value}
        order = keyset.ORDERS.get(data.get("sort"), keyset.DEFAULT_ORDER)
        if data.keys() <= PLACE_FILTERS:
            uai = data.get("establishment")
            counts = selectors.scope_state_counts(user=request.user, uai=uai, states=data.get("state"))
        elif data.get("search"):
            counts, capped = selectors.capped_state_counts(queryset=counted.order_by())
    else:
        rows, counted = queryset.none(), queryset
    number = bounded_int(request.GET.get("page"), field="page", default=1, maximum=MAX_PAGE, clamp=True)
    # Plain values (the table reads a dozen of them), made for the page's rows only.
    try:
        page = keyset.page_of(
            rows,
            order=order,
            number=number,
            size=QUEUE_PAGE_SIZE,
            cursor=request.GET.get("cursor"),
            shape=as_rows,
            kept=kept,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        page = keyset.page_of(rows, order=order, number=1, size=QUEUE_PAGE_SIZE, shape=as_rows)
    role = fleet.role_of(request.user)
    context = {
        "filters": filters,
        "tickets": page.rows,
        "page": page.number,
        "has_next": page.next_cursor is not None,
        "query": params.urlencode(),
        "next_query": _page_query(params, page.number + 1, page.next_cursor),
        "previous_query": _page_query(params, page.number - 1, page.previous_cursor),
        "counts": selectors.state_counts(queryset=counted.order_by()) if counts is None else counts,
        "counts_capped": selectors.SEARCH_COUNT_CAP if capped else None,
        "states": State,
        "can_take": role == Role.TECHNICIAN,
        "can_assign": role == Role.MANAGER,
        "technicians": selectors.technician_choices() if role == Role.MANAGER else [],
        # Technicians chase the loaners of their zone from their queue.
        "overdue_loaners": selectors.overdue_loaners_shown(user=request.user) if role == Role.TECHNICIAN else [],
    }
    return render(request, "repairs/ticket_list.html", context)


def _page_query(params, number: int, cursor: str | None) -> str:
    query = params.copy()
    query["page"] = str(number)
    if cursor:
        query["cursor"] = cursor
    return query.urlencode()


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
