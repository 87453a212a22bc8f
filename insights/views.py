"""Pages: spare pools (top-ups and moves), failing batches and their notices, image drift, and the
re-image campaigns. Thin: each calls a selector or a service; a refusal is a French message."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from devices import permissions as fleet
from devices.models import Device, Role
from insights import selectors, services
from repairs.exceptions import TicketError


def _run(request, action: Callable[[], object], success: str) -> bool:
    try:
        action()
    except TicketError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
        return True
    return False


@login_required
def pools(request):
    plan = selectors.pool_plan_for(user=request.user)
    if plan is None:
        raise Http404
    return render(request, "insights/pools.html", {"plan": plan})


@login_required
def batches(request):
    analysis = selectors.batch_analysis_for(user=request.user)
    if analysis is None:
        raise Http404
    shown = [rate for rate in analysis.batches if rate.failures][:60]
    context = {
        "analysis": analysis,
        "batch_rates": shown,
        "model_rates": [rate for rate in analysis.models if rate.failures],
        "notices": selectors.visible_notices(user=request.user)[:50],
    }
    return render(request, "insights/batches.html", context)


@login_required
def batch_notice(request, pk: int):
    notice = get_object_or_404(selectors.visible_notices(user=request.user), pk=pk)
    tickets = selectors.batch_notice_tickets(notice=notice, user=request.user)
    return render(request, "insights/batch_notice.html", {"notice": notice, "tickets": tickets})


@login_required
def drift(request):
    if fleet.role_of(request.user) not in (Role.MANAGER, Role.SUPERVISOR, Role.TECHNICIAN, Role.STAFF):
        raise Http404
    uai = (request.GET.get("uai") or "").strip().upper()
    establishment, devices = None, None
    if uai:
        establishment = fleet.visible_establishments(user=request.user).filter(uai=uai).first()
        if establishment is None:
            raise Http404
        devices = selectors.outdated_devices(establishment=establishment).select_related("model", "image")
        devices = devices.order_by("asset_tag")[:500]
    context = {
        "rows": selectors.drift_by_establishment(user=request.user),
        "establishment": establishment,
        "devices": devices,
        "may_start": fleet.role_of(request.user) == Role.MANAGER,
    }
    return render(request, "insights/drift.html", context)


@login_required
def campaigns(request):
    if fleet.role_of(request.user) not in (Role.MANAGER, Role.SUPERVISOR, Role.TECHNICIAN, Role.STAFF):
        raise Http404
    listed = selectors.campaigns_with_progress(user=request.user)[:200]
    return render(request, "insights/campaigns.html", {"campaigns": listed})


@login_required
@require_POST
def campaign_start(request):
    uai = (request.POST.get("uai") or "").strip().upper()
    establishment = fleet.visible_establishments(user=request.user).filter(uai=uai).first()
    if establishment is None:
        raise Http404
    created = {}

    def start():
        created["campaign"] = services.reimage_campaign_start(establishment=establishment, actor=request.user)

    if _run(request, start, _("The re-image campaign has started: the zone’s technicians see its list.")):
        return redirect("insights:campaign", pk=created["campaign"].pk)
    return redirect(f"{reverse('insights:drift')}?uai={establishment.uai}")


@login_required
def campaign(request, pk: int):
    found = get_object_or_404(
        selectors.visible_campaigns(user=request.user).select_related("establishment", "image", "started_by"), pk=pk
    )
    items = selectors.campaign_items(campaign=found)
    context = {
        "campaign": found,
        "items": items,
        "todo": sum(item.state == "todo" for item in items),
        "done": sum(item.state == "done" for item in items),
        "gone": sum(item.state == "gone" for item in items),
        "may_reimage": services.may_reimage(user=request.user, campaign=found) and found.closed_at is None,
        "may_close": fleet.role_of(request.user) == Role.MANAGER and found.closed_at is None,
    }
    return render(request, "insights/campaign.html", context)


@login_required
@require_POST
def campaign_reimage(request, pk: int, device_pk: int):
    found = get_object_or_404(selectors.visible_campaigns(user=request.user), pk=pk)
    device = get_object_or_404(Device.objects.select_related("image"), pk=device_pk)
    _run(
        request,
        lambda: services.campaign_device_reimage(campaign=found, device=device, actor=request.user),
        _("Re-image of %(device)s recorded.") % {"device": device.asset_tag},
    )
    return redirect("insights:campaign", pk=found.pk)


@login_required
@require_POST
def campaign_close(request, pk: int):
    found = get_object_or_404(selectors.visible_campaigns(user=request.user), pk=pk)
    _run(
        request,
        lambda: services.reimage_campaign_close(campaign=found, actor=request.user),
        _("The re-image campaign is closed."),
    )
    return redirect("insights:campaign", pk=found.pk)
