"""The status page without an account: /s/<token>/, for whoever holds the link.

A token that is wrong, revoked or malformed is the site's plain 404, the same as any unknown page,
so the page tells nobody whether a ticket exists. Every request, right or wrong, counts against the
client address's limit (429 beyond it), which makes guessing hopeless. The page is never cached,
indexed, or referred to another site (the link is the secret).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from repairs import selectors, services
from repairs.documents import quote_pdf
from repairs.exceptions import TicketError
from repairs.forms import QuoteDecisionForm
from repairs.models import Quote
from repairs.public_status import status_page
from repairs.throttle import client_address, over_limit
from repairs.views.desk import pdf_response, status_url

TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


def _private(response):
    response["Cache-Control"] = "private, no-store"
    # Never sent to another site (the link is the secret); same-origin keeps the form's Origin for CSRF.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _throttled(request):
    """The 429 page when this address asked too often, else None."""
    if over_limit(scope="status", key=client_address(request), limit=settings.STATUS_PAGE_RATE_PER_MINUTE):
        response = render(request, "429.html", status=429)
        response["Retry-After"] = "60"
        return _private(response)
    return None


def _ticket_or_404(token: str):
    ticket = selectors.ticket_by_status_token(token=token) if TOKEN.fullmatch(token) else None
    if ticket is None:
        raise Http404
    return ticket


@require_http_methods(["GET", "HEAD"])
def status(request, token: str):
    if (refused := _throttled(request)) is not None:
        return refused
    ticket = _ticket_or_404(token)
    context = {"page": status_page(ticket), "token": token}
    if context["page"]["quote_open"]:
        context["form"] = QuoteDecisionForm(initial={"number": context["page"]["quote"].number})
    return _private(render(request, "repairs/status.html", context))


@require_http_methods(["POST"])
def status_quote_decision(request, token: str):
    """The family accepts or refuses the quote (a form with its CSRF token, no account)."""
    if (refused := _throttled(request)) is not None:
        return refused
    ticket = _ticket_or_404(token)
    form = QuoteDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to accept or to refuse the quote."))
    else:
        accepted = form.cleaned_data["decision"] == "accept"
        try:
            services.ticket_quote_decide(
                ticket=ticket, accepted=accepted, number=form.cleaned_data["number"], token=token
            )
        except TicketError as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Thank you: the quote is accepted, the repair can start.")
                if accepted
                else _("Thank you: the quote is refused, the laptop will be handed back unrepaired."),
            )
    return _private(redirect("repairs:status", token=token))


@require_http_methods(["GET", "HEAD"])
def status_quote_pdf(request, token: str, number: int):
    if (refused := _throttled(request)) is not None:
        return refused
    ticket = _ticket_or_404(token)
    quote = Quote.objects.filter(ticket=ticket, number=number).exclude(status=Quote.Status.WITHDRAWN).first()
    if quote is None:
        raise Http404
    pdf, _pages = quote_pdf(quote=quote, status_url=status_url(request, ticket))
    return _private(pdf_response(pdf, f"devis-{quote.reference}.pdf"))
