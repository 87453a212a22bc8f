"""Role homes and declaring a fault (from a phone first)."""

from __future__ import annotations

from contextlib import nullcontext

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from devices import permissions as fleet
from devices.models import Device, Role
from devices.selectors import device_by_identifier, devices_held_by_name
from repairs import selectors, services
from repairs.forms import (
    DeclareForm,
)
from repairs.models import Ticket
from repairs.states import State
from repairs.views.common import visible_ticket_or_404

# Home


@login_required
def home(request):
    summary = selectors.home_summary(user=request.user)
    return render(request, "repairs/home.html", {"summary": summary, "role": summary["role"] or "", "states": State})


# Declaring a fault


def _declarable_devices(user) -> list[Device]:
    """The devices a person may pick from a list: a student's own (staff type a serial instead),
    read with what the declaration needs (selectors.declarable_devices)."""
    if fleet.role_of(user) != Role.STUDENT:
        return []
    return list(selectors.declarable_devices(user=user))


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
        device = selectors.declarable_device(user=request.user, identifier=data["device"], among=own or None)
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
    """Declaration and its photos in one transaction: a refused photo refuses the whole thing.
    Without photos the declaration's own transaction is the only one."""
    try:
        with transaction.atomic() if data["photos"] else nullcontext():
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
    ticket = visible_ticket_or_404(request, reference)
    return render(request, "repairs/declared.html", {"ticket": ticket})
