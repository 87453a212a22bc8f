"""The hand-over desk: find the student, scan the laptop, tick the charter, confirm — and the desk
is ready for the next student. Returns, deliveries, the receipt and the student's own page.

Each action is one service call; a refusal (`distribution.exceptions.Refusal`) is shown in French
next to the field at fault, with the form as it was typed, and nothing is written.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from devices.models import Assignment
from distribution import lookup, services
from distribution.carriers import CARRIERS, tracking_url
from distribution.exceptions import Refusal
from distribution.forms import HandoverForm, ReturnForm
from repairs.pdf import html_to_pdf


def _desk_user(request) -> None:
    if not services.may_use_desk(request.user):
        raise PermissionDenied


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


@login_required
def desk(request):
    """GET: the empty desk (and the last hand-over's outcome); POST: one hand-over."""
    _desk_user(request)
    context = {"carriers": CARRIERS, "candidates": [], "refusal": None, "focus": "student"}
    if request.method == "POST":
        form = HandoverForm(request.POST)
        if form.is_valid():
            outcome = _hand_over(request, form, context)
            if outcome is not None:
                return redirect(f"{reverse('distribution:desk')}?done={outcome.pk}")
        context.update(form=form)
        return render(request, "distribution/desk.html", context)
    context.update(form=HandoverForm(), done=_done(request))
    return render(request, "distribution/desk.html", context)


def _hand_over(request, form: HandoverForm, context: dict) -> Assignment | None:
    data = form.cleaned_data
    if data.get("student_pk"):
        students = list(lookup.desk_students(user=request.user).filter(pk=data["student_pk"]))
    else:
        students = lookup.students_matching(user=request.user, text=data["student"])
    if not students:
        form.add_error("student", _("No student of yours has this number or name."))
        return None
    if len(students) > 1:
        context["candidates"] = students[:10]
        form.add_error("student", _("Several students match: choose one."))
        return None
    student = students[0]
    context["student_found"] = student
    device = lookup.desk_device(user=request.user, identifier=data["device"])
    if device is None:
        form.add_error("device", _("No laptop has this serial number or asset tag."))
        context["focus"] = "device"
        return None
    try:
        result = services.handover_record(
            actor=request.user,
            student=student,
            device=device,
            charter_signed=data["charter_signed"],
            channel=data.get("channel") or services.CHANNEL_DESK,
            carrier=data.get("carrier", ""),
            tracking_number=data.get("tracking_number", ""),
            reimage=form.reimage_decision(),
            return_previous=data["return_previous"],
        )
    except Refusal as refusal:
        context["refusal"] = refusal
        context["focus"] = refusal.field or "student"
        return None
    return result.assignment


def _done(request) -> dict | None:
    """The outcome of the hand-over just recorded, shown above the empty form."""
    try:
        pk = int(request.GET.get("done", ""))
    except ValueError:
        return None
    assignment = (
        Assignment.objects.select_related("device__model", "student__profile")
        .filter(pk=pk, handed_over_by=request.user)
        .first()
    )
    if assignment is None:
        return None
    return {
        "assignment": assignment,
        "student": _name(assignment.student),
        "undoable": services.handover_undoable(user=request.user, assignment=assignment),
        "tracking_url": tracking_url(carrier=assignment.carrier, tracking_number=assignment.tracking_number),
    }


@login_required
def desk_students(request):
    """Suggestions while a name is typed: the desk's list of students, at most ten."""
    _desk_user(request)
    found = lookup.students_matching(user=request.user, text=request.GET.get("q", ""))[:10]
    return JsonResponse(
        {
            "students": [
                {
                    "value": student.profile.student_number or student.get_username(),
                    "label": f"{student.last_name.upper()} {student.first_name} — {student.profile.class_name}",
                }
                for student in found
            ]
        }
    )


@login_required
@require_POST
def undo(request, pk: int):
    try:
        assignment = services.handover_for(user=request.user, assignment_id=pk)
        services.handover_undo(actor=request.user, assignment=assignment)
    except Refusal as refusal:
        if refusal.status == 404:
            raise Http404 from None
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("Hand-over undone: laptop %(device)s is not lent to %(student)s.")
            % {"device": assignment.device, "student": _name(assignment.student)},
        )
    return redirect("distribution:desk")


@login_required
def receipt(request, pk: int):
    """The hand-over receipt, printed for the student: their name, the laptop, the date, the charter."""
    try:
        assignment = services.handover_for(user=request.user, assignment_id=pk)
    except Refusal:
        raise Http404 from None
    html = render_to_string(
        "distribution/receipt.html",
        {
            "assignment": assignment,
            "student": assignment.student,
            "profile": assignment.student.profile,
            "printed_at": timezone.localtime(),
            "tracking_url": tracking_url(carrier=assignment.carrier, tracking_number=assignment.tracking_number),
        },
        request=request,
    )
    pdf, _pages = html_to_pdf(html)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="remise-{assignment.device.serial_number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def returns(request):
    """A student leaving gives the laptop back: its condition, and a ticket if it is damaged."""
    _desk_user(request)
    refusal = None
    if request.method == "POST":
        form = ReturnForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            device = lookup.desk_device(user=request.user, identifier=data["device"])
            if device is None:
                form.add_error("device", _("No laptop has this serial number or asset tag."))
            else:
                try:
                    result = services.return_record(
                        actor=request.user,
                        device=device,
                        condition=data["condition"],
                        category=data.get("category") or "",
                        note=data.get("note") or "",
                    )
                except Refusal as error:
                    refusal = error
                else:
                    message = _("Laptop %(device)s returned by %(student)s: back in stock.") % {
                        "device": device,
                        "student": _name(result.assignment.student),
                    }
                    if result.ticket:
                        message += " " + _("Repair ticket %(reference)s opened.") % {
                            "reference": result.ticket.reference
                        }
                    messages.success(request, message)
                    return redirect("distribution:returns")
    else:
        form = ReturnForm()
    return render(request, "distribution/desk_returns.html", {"form": form, "refusal": refusal})


@login_required
def deliveries(request):
    """Parcels on their way to students of the person's establishments, oldest first."""
    _desk_user(request)
    students = lookup.desk_students(user=request.user)
    parcels = (
        Assignment.objects.filter(
            channel=Assignment.Channel.CARRIER,
            delivered_at__isnull=True,
            returned_at__isnull=True,
            student__in=students,
        )
        .select_related("device", "student__profile")
        .order_by("handed_over_at", "pk")[:200]
    )
    rows = [
        {"assignment": a, "tracking_url": tracking_url(carrier=a.carrier, tracking_number=a.tracking_number)}
        for a in parcels
    ]
    return render(request, "distribution/desk_deliveries.html", {"rows": rows})


@login_required
@require_POST
def delivered(request, pk: int):
    """ "Delivered": confirmed by staff from the deliveries list, or by the student on their page."""
    assignment = Assignment.objects.select_related("student", "device").filter(pk=pk).first()
    if assignment is None:
        raise Http404
    try:
        services.delivery_confirm(actor=request.user, assignment=assignment)
    except Refusal as refusal:
        if refusal.status == 404:
            raise Http404 from None
        messages.error(request, refusal.message)
    else:
        if request.user.pk == assignment.student_id:
            messages.success(request, _("Thank you: your laptop is recorded as received."))
        else:
            messages.success(
                request,
                _("Delivery of laptop %(device)s to %(student)s recorded.")
                % {"device": assignment.device, "student": _name(assignment.student)},
            )
    if request.user.pk == assignment.student_id:
        return redirect("distribution:my_laptop")
    return redirect("distribution:deliveries")


@login_required
def my_laptop(request):
    """The student's own page: the laptop they hold, and "I have received my laptop" while a parcel travels."""
    holding = (
        Assignment.objects.filter(student=request.user, returned_at__isnull=True)
        .select_related("device__model")
        .first()
    )
    return render(
        request,
        "distribution/desk_my_laptop.html",
        {
            "holding": holding,
            "pending": holding is not None
            and holding.channel == Assignment.Channel.CARRIER
            and holding.delivered_at is None,
            "tracking_url": holding and tracking_url(carrier=holding.carrier, tracking_number=holding.tracking_number),
        },
    )
