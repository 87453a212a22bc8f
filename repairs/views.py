"""Web pages. Thin: selectors read, services write; a refused action becomes a French message."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition

from devices import permissions as fleet
from devices.models import Device, Establishment, Role, normalise_serial
from devices.selectors import device_by_identifier, devices_held_by_name
from devices.services import profile_set_preferences
from repairs import permissions, selectors, services
from repairs.exceptions import TicketChanged
from repairs.filters import TicketFilter
from repairs.forms import (
    AttachForm,
    CommentForm,
    DeclareForm,
    LoanerForm,
    PreferencesForm,
    PriorityForm,
    TicketDueDateForm,
    TransitionForm,
)
from repairs.models import Attachment, Ticket
from repairs.states import TRANSITIONS_BY_NAME, State

QUEUE_PAGE_SIZE = 50


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


def _visible_ticket(request, reference: str) -> Ticket:
    ticket = selectors.ticket_detail(user=request.user, reference=reference)
    if ticket is None:
        raise Http404
    return ticket


def _changed_message(ticket: Ticket) -> str:
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
        messages.error(request, _changed_message(Ticket.objects.get(pk=ticket.pk)))
    except (services.TicketError, ConcurrentTransition) as exc:
        messages.error(request, str(exc.args[0]))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
        return True
    return False


# Home


@login_required
def home(request):
    summary = selectors.home_summary(user=request.user)
    return render(request, "repairs/home.html", {"summary": summary, "role": summary["role"] or "", "states": State})


# Declaring a fault


def _declarable_devices(user) -> list[Device]:
    """The devices a person may pick from a list: a student's own (staff type a serial instead)."""
    if fleet.role_of(user) != Role.STUDENT:
        return []
    return list(fleet.visible_devices(user=user).select_related("model"))


@login_required
def declare(request, asset_tag: str | None = None):
    if fleet.role_of(request.user) not in (Role.STUDENT, Role.STAFF, Role.TECHNICIAN, Role.MANAGER):
        raise PermissionDenied
    own = _declarable_devices(request.user)
    initial = {}
    if asset_tag:
        device = device_by_identifier(identifier=asset_tag, queryset=fleet.visible_devices(user=request.user))
        if device is None:
            raise Http404
        initial["device"] = device.serial_number
    elif len(own) == 1:
        initial["device"] = own[0].serial_number
    form = DeclareForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        device = device_by_identifier(identifier=data["device"])
        if device is None:
            form.add_error("device", _("No device has this serial number or asset tag."))
        else:
            ticket = _declare(request, form, device, data)
            if ticket is not None:
                return redirect("repairs:declared", reference=ticket.reference)
    find = request.GET.get("find", "").strip()
    found = (
        devices_held_by_name(name=find, queryset=fleet.visible_devices(user=request.user)) if find and not own else []
    )
    context = {"form": form, "own_devices": own, "find": find, "found": found}
    return render(request, "repairs/declare.html", context)


def _declare(request, form: DeclareForm, device: Device, data: dict) -> Ticket | None:
    """Declaration and its photos in one transaction: a refused photo refuses the whole thing."""
    try:
        with transaction.atomic():
            ticket = services.ticket_declare(
                device=device,
                reporter=request.user,
                category=data["category"],
                description=data["description"],
                police_report=data["police_report"],
            )
            for upload in data["photos"]:
                services.ticket_attach(ticket=ticket, actor=request.user, upload=upload)
    except services.ActionForbidden as exc:
        form.add_error("device", exc.message)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else ("photos" if field == "file" else None), errors)
    else:
        return ticket
    return None


@login_required
def declared(request, reference: str):
    ticket = _visible_ticket(request, reference)
    return render(request, "repairs/declared.html", {"ticket": ticket})


# Lists and the queue


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
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
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
            return redirect(request.POST.get("next") or "repairs:ticket_list")
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
    return redirect(request.POST.get("next") or "repairs:ticket_list")


# A ticket


@login_required
def ticket_detail(request, reference: str):
    ticket = _visible_ticket(request, reference)
    user = request.user
    transitions = [
        (spec, TransitionForm(transition=spec.name, initial={"version": ticket.version}))
        for spec in selectors.available_transitions(ticket=ticket, user=user)
    ]
    operator = permissions.is_operator(user=user, ticket=ticket)
    may_add = not ticket.is_final and permissions.may_comment(user=user, ticket=ticket)
    context = {
        "ticket": ticket,
        "timeline": ticket.timeline.select_related("actor").order_by("at", "pk"),
        "attachments": ticket.attachments.all(),
        "transitions": transitions,
        "comment_form": CommentForm() if may_add else None,
        "attach_form": AttachForm() if may_add else None,
        "priority_form": PriorityForm(initial={"priority": ticket.priority, "version": ticket.version})
        if operator and not ticket.is_final
        else None,
        "loaner_form": LoanerForm(initial={"version": ticket.version})
        if permissions.may_handle_loaners(user=user, ticket=ticket) and not ticket.is_final and not ticket.loaner_out
        else None,
        "can_collect_loaner": ticket.loaner_out and permissions.may_handle_loaners(user=user, ticket=ticket),
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
    return render(request, "repairs/ticket_detail.html", context)


@login_required
@require_POST
def ticket_transition(request, reference: str, name: str):
    ticket = _visible_ticket(request, reference)
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


def _ticket_action(request, reference: str, form_class, call, success: str):
    ticket = _visible_ticket(request, reference)
    form = form_class(request.POST, request.FILES) if form_class else None
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        run_action(request, ticket, lambda: call(ticket, form.cleaned_data if form else {}), success)
    return redirect("repairs:ticket", reference=reference)


@login_required
@require_POST
def ticket_comment(request, reference: str):
    return _ticket_action(
        request,
        reference,
        CommentForm,
        lambda t, data: services.ticket_comment(ticket=t, actor=request.user, text=data["text"]),
        _("Comment added."),
    )


@login_required
@require_POST
def ticket_attach(request, reference: str):
    return _ticket_action(
        request,
        reference,
        AttachForm,
        lambda t, data: services.ticket_attach(ticket=t, actor=request.user, upload=data["file"]),
        _("File added."),
    )


@login_required
@require_POST
def ticket_priority(request, reference: str):
    return _ticket_action(
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
    return _ticket_action(
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
    return _ticket_action(
        request,
        reference,
        None,
        lambda t, data: services.ticket_assign(ticket=t, actor=request.user, assignee=request.user),
        _("The ticket is assigned to you."),
    )


@login_required
@require_POST
def ticket_lend_loaner(request, reference: str):
    return _ticket_action(
        request,
        reference,
        LoanerForm,
        lambda t, data: services.ticket_lend_loaner(
            ticket=t, actor=request.user, device=data.get("device") or None, expected_version=data.get("version")
        ),
        _("Loaner lent."),
    )


@login_required
@require_POST
def ticket_collect_loaner(request, reference: str):
    return _ticket_action(
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


# Devices and establishments


@login_required
def device_detail(request, serial: str):
    device = get_object_or_404(
        fleet.visible_devices(user=request.user).select_related("model", "establishment", "image"),
        serial_number=normalise_serial(serial),
    )
    return render(request, "repairs/device_detail.html", selectors.device_page(device=device, user=request.user))


@login_required
def device_by_tag(request, asset_tag: str):
    """The QR code on a laptop: straight to the declaration form for that laptop."""
    return redirect("repairs:declare_device", asset_tag=asset_tag)


def _establishment_for(request, uai: str | None) -> Establishment:
    if uai is None:
        profile = fleet.profile_of(request.user)
        if profile is None or profile.establishment_id is None:
            raise Http404
        uai = profile.establishment.uai
    establishment = fleet.visible_establishments(user=request.user).filter(uai=uai.upper()).first()
    if establishment is None or fleet.role_of(request.user) == Role.STUDENT:
        raise Http404
    return establishment


@login_required
def establishment_detail(request, uai: str | None = None):
    establishment = _establishment_for(request, uai)
    context = {**selectors.establishment_page(establishment=establishment, user=request.user), "states": State}
    return render(request, "repairs/establishment_detail.html", context)


@login_required
def establishment_labels(request, uai: str | None = None):
    """A printable sheet of QR labels (PDF) for the establishment's laptops."""
    from repairs.labels import labels_pdf

    establishment = _establishment_for(request, uai)
    if not fleet.can_act_for_establishment(user=request.user, establishment=establishment):
        raise PermissionDenied
    pdf = labels_pdf(establishment=establishment, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="etiquettes-{establishment.uai}.pdf"'
    return response


@login_required
def preferences(request):
    """How a person wants to be told: email and/or SMS, daily digest for staff, language."""
    profile = fleet.profile_of(request.user)
    if profile is None:
        raise Http404
    initial = {
        "email": request.user.email,
        "phone": profile.phone,
        "notify_by_email": profile.notify_by_email,
        "notify_by_sms": profile.notify_by_sms,
        "daily_digest": profile.daily_digest,
        "language": profile.language,
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    shown = set(form.fields) - (set() if profile.role == Role.STAFF else {"daily_digest"})
    if request.method == "POST" and form.is_valid():
        try:
            profile_set_preferences(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in shown else None, errors)
        else:
            messages.success(request, _("Your preferences are saved."))
            return redirect("repairs:preferences")
    return render(request, "repairs/preferences.html", {"form": form, "is_staff_role": profile.role == Role.STAFF})
