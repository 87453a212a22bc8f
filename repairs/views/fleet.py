"""Device and establishment pages, QR labels, and a person's notification preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from devices import permissions as fleet
from devices.models import Establishment, Role, normalise_serial
from devices.services import profile_set_preferences
from repairs import selectors
from repairs.forms import (
    PreferencesForm,
)
from repairs.signals import file_read
from repairs.states import State


@login_required
def device_detail(request, serial: str):
    device = get_object_or_404(
        fleet.visible_devices(user=request.user).select_related("model", "establishment", "image"),
        serial_number=normalise_serial(serial),
    )
    file_read.send(sender=device.__class__, reader=request.user, device=device)
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
