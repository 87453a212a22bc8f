"""The repair desk's actions on a ticket page, beyond transitions: parts and labour, quotes, the
status link and the printed receipt, the loaner's due date, a laptop back from the manufacturer.
Each is one service call; a refusal is a French message (`common.run_action`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from repairs import permissions, services
from repairs.documents import quote_pdf, receipt_pdf
from repairs.forms import LabourForm, LoanerDueForm, PartForm, QuoteDecisionForm, VersionForm
from repairs.models import Quote
from repairs.views.common import ticket_action, visible_ticket_or_404


def status_url(request, ticket) -> str:
    return request.build_absolute_uri(reverse("repairs:status", args=[ticket.status_token]))


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"  # it carries the status link
    return response


@login_required
@require_POST
def ticket_add_part(request, reference: str):
    return ticket_action(
        request,
        reference,
        PartForm,
        lambda t, data: services.ticket_add_part(
            ticket=t,
            actor=request.user,
            part=data["part"],
            quantity=data["quantity"],
            expected_version=data.get("version"),
        ),
        _("Part added."),
    )


@login_required
@require_POST
def ticket_remove_part(request, reference: str, line_id: int):
    return ticket_action(
        request,
        reference,
        VersionForm,
        lambda t, data: services.ticket_remove_part(
            ticket=t, actor=request.user, line_id=line_id, expected_version=data.get("version")
        ),
        _("Part removed."),
    )


@login_required
@require_POST
def ticket_labour(request, reference: str):
    return ticket_action(
        request,
        reference,
        LabourForm,
        lambda t, data: services.ticket_set_labour(
            ticket=t, actor=request.user, minutes=data["minutes"], expected_version=data.get("version")
        ),
        _("Labour time recorded."),
    )


@login_required
@require_POST
def ticket_quote_issue(request, reference: str):
    return ticket_action(
        request,
        reference,
        VersionForm,
        lambda t, data: services.ticket_quote_issue(ticket=t, actor=request.user, expected_version=data.get("version")),
        _("Quote issued: the family is told and may answer through its status link."),
    )


@login_required
@require_POST
def ticket_quote_decision(request, reference: str):
    return ticket_action(
        request,
        reference,
        QuoteDecisionForm,
        lambda t, data: services.ticket_quote_decide(
            ticket=t,
            actor=request.user,
            accepted=data["decision"] == "accept",
            number=data["number"],
            expected_version=data.get("version"),
        ),
        _("The family's answer is recorded."),
    )


@login_required
def ticket_quote_pdf(request, reference: str, number: int):
    ticket = visible_ticket_or_404(request, reference)
    if not permissions.may_see_costs(user=request.user, ticket=ticket):
        raise Http404
    quote = Quote.objects.filter(ticket=ticket, number=number).first()
    if quote is None:
        raise Http404
    pdf, _pages = quote_pdf(quote=quote, status_url=status_url(request, ticket))
    return pdf_response(pdf, f"devis-{quote.reference}.pdf")


@login_required
@require_POST
def ticket_status_link_renew(request, reference: str):
    return ticket_action(
        request,
        reference,
        VersionForm,
        lambda t, data: services.ticket_status_link_renew(
            ticket=t, actor=request.user, expected_version=data.get("version")
        ),
        _("New status link: the previous one no longer works. Print a new receipt for the family."),
    )


@login_required
def ticket_receipt(request, reference: str):
    """The receipt handed to the family, with the status link and its QR code."""
    ticket = visible_ticket_or_404(request, reference)
    pdf, _pages = receipt_pdf(ticket=ticket, status_url=status_url(request, ticket))
    return pdf_response(pdf, f"recu-{ticket.reference}.pdf")


@login_required
@require_POST
def ticket_loaner_due(request, reference: str):
    return ticket_action(
        request,
        reference,
        LoanerDueForm,
        lambda t, data: services.ticket_set_loaner_due(
            ticket=t, actor=request.user, due_on=data["due_on"], expected_version=data.get("version")
        ),
        _("The loaner's due date is changed."),
    )


@login_required
@require_POST
def ticket_manufacturer_return(request, reference: str):
    return ticket_action(
        request,
        reference,
        VersionForm,
        lambda t, data: services.ticket_manufacturer_return(
            ticket=t, actor=request.user, expected_version=data.get("version")
        ),
        _("The laptop is back from the manufacturer: it is in the depot's spare pool."),
    )
