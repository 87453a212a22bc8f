"""A ticket's page and every action on it, each through one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from devices import permissions as fleet
from repairs import permissions, selectors, services, ticket_selectors
from repairs.forms import (
    AttachForm,
    CommentForm,
    LabourForm,
    LoanerDueForm,
    LoanerForm,
    PartForm,
    PriorityForm,
    TicketDueDateForm,
    TransitionForm,
    transition_fields,
)
from repairs.models import Attachment
from repairs.services.loaners import default_due_on
from repairs.signals import file_read
from repairs.states import TRANSITIONS_BY_NAME
from repairs.ticket_html import ticket_content
from repairs.views.common import attachment_response, run_action, ticket_action, visible_ticket_or_404


@login_required
def ticket_detail(request, reference: str):
    user = request.user
    ticket = ticket_selectors.ticket_for_page(user=user, reference=reference)
    if ticket is None:
        raise Http404
    file_read.send(sender=ticket.__class__, reader=user, ticket=ticket)
    transitions = [
        (spec, transition_fields(spec.name, version=ticket.version))
        for spec in selectors.available_transitions(ticket=ticket, user=user)
    ]
    operator = permissions.is_operator(user=user, ticket=ticket)
    may_add = not ticket.is_final and permissions.may_comment(user=user, ticket=ticket)
    handles_loaners = permissions.may_handle_loaners(user=user, ticket=ticket)
    page = ticket_selectors.ticket_page(ticket=ticket, user=user)
    context = {
        **page,
        "ticket": ticket,
        "attachments": ticket.attachments.all() if ticket.page_has_files else (),
        "transitions": transitions,
        "comment_form": CommentForm() if may_add else None,
        "attach_form": AttachForm() if may_add else None,
        "priority_form": PriorityForm(initial={"priority": ticket.priority, "version": ticket.version})
        if operator and not ticket.is_final
        else None,
        "loaner_form": LoanerForm(initial={"version": ticket.version, "due_on": default_due_on()})
        if handles_loaners and not ticket.is_final and not ticket.loaner_out
        else None,
        "can_collect_loaner": ticket.loaner_out and handles_loaners,
        "loaner_due_form": LoanerDueForm(initial={"version": ticket.version, "due_on": ticket.loaner_due_on})
        if ticket.loaner_out and handles_loaners
        else None,
        # Shown only to whoever records costs (repairs/_partials/ticket_costs.html).
        "part_form": PartForm(initial={"version": ticket.version}) if page["may_record_costs"] else None,
        "labour_form": LabourForm(initial={"version": ticket.version, "minutes": ticket.labour_minutes})
        if page["may_record_costs"]
        else None,
        "status_url": request.build_absolute_uri(reverse("repairs:status", args=[ticket.status_token])),
        "due_form": TicketDueDateForm(
            initial={
                "due_at": ticket.resolution_due_manual,
                "reason": ticket.resolution_due_reason,
                "version": ticket.version,
            }
        )
        if fleet.is_manager(user) and not ticket.is_final
        else None,
        "can_take": not ticket.is_final
        and ticket.assignee_id != user.pk
        and permissions.may_assign(user=user, ticket=ticket, assignee=user),
    }
    # The content is drawn in Python (repairs/ticket_html.py); the template adds the layout.
    context["content"] = ticket_content(context, csrf_token=get_token(request))
    return render(request, "repairs/ticket_detail.html", context)


@login_required
@require_POST
def ticket_transition(request, reference: str, name: str):
    ticket = visible_ticket_or_404(request, reference)
    if name not in TRANSITIONS_BY_NAME:
        raise Http404
    form = TransitionForm(request.POST, transition=name)
    if form.is_valid():
        run_action(
            request,
            ticket,
            lambda: services.ticket_transition(
                ticket=ticket,
                actor=request.user,
                name=name,
                expected_version=form.cleaned_data.get("version"),
                **form.service_fields(),
            ),
            _("Done: %(action)s.") % {"action": TRANSITIONS_BY_NAME[name].label},
        )
    else:
        messages.error(request, _("Check the form: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect("repairs:ticket", reference=reference)


@login_required
@require_POST
def ticket_comment(request, reference: str):
    return ticket_action(
        request,
        reference,
        CommentForm,
        lambda t, data: services.ticket_comment(ticket=t, actor=request.user, text=data["text"]),
        _("Comment added."),
    )


@login_required
@require_POST
def ticket_attach(request, reference: str):
    return ticket_action(
        request,
        reference,
        AttachForm,
        lambda t, data: services.ticket_attach(ticket=t, actor=request.user, upload=data["file"]),
        _("File added."),
    )


@login_required
@require_POST
def ticket_priority(request, reference: str):
    return ticket_action(
        request,
        reference,
        PriorityForm,
        lambda t, data: services.ticket_set_priority(
            ticket=t, actor=request.user, priority=data["priority"], expected_version=data.get("version")
        ),
        _("Priority changed."),
    )


@login_required
@require_POST
def ticket_due_date(request, reference: str):
    return ticket_action(
        request,
        reference,
        TicketDueDateForm,
        lambda t, data: services.ticket_set_resolution_due(
            ticket=t,
            actor=request.user,
            due_at=data["due_at"],
            reason=data["reason"],
            expected_version=data.get("version"),
        ),
        _("Due date changed."),
    )


@login_required
@require_POST
def ticket_take(request, reference: str):
    return ticket_action(
        request,
        reference,
        None,
        lambda t, data: services.ticket_assign(ticket=t, actor=request.user, assignee=request.user),
        _("The ticket is assigned to you."),
    )


@login_required
@require_POST
def ticket_lend_loaner(request, reference: str):
    return ticket_action(
        request,
        reference,
        LoanerForm,
        lambda t, data: services.ticket_lend_loaner(
            ticket=t,
            actor=request.user,
            device=data.get("device") or None,
            due_on=data.get("due_on"),
            expected_version=data.get("version"),
        ),
        _("Loaner lent."),
    )


@login_required
@require_POST
def ticket_collect_loaner(request, reference: str):
    return ticket_action(
        request,
        reference,
        None,
        lambda t, data: services.ticket_collect_loaner(ticket=t, actor=request.user),
        _("Loaner collected."),
    )


@login_required
def attachment_download(request, reference: str, attachment_id: int):
    ticket = selectors.visible_tickets(user=request.user).filter(reference=reference).first()
    if ticket is None:
        raise Http404
    attachment = get_object_or_404(Attachment, pk=attachment_id, ticket=ticket)
    inline = request.GET.get("inline") == "1" and attachment.content_type.startswith("image/")
    return attachment_response(attachment, inline=inline)
