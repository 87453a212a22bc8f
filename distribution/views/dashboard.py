"""The campaign's live dashboard: thin views over distribution.selectors and its formatters.

Managers and the region's supervisors see every establishment; school staff see theirs. The page
polls `dashboard_live` every few seconds, which answers "unchanged" cheaply or the figures' HTML.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from devices import permissions as fleet
from distribution.dates import school_year_of
from distribution.exports import progress_context, progress_csv, progress_filename, progress_pdf
from distribution.params import ProgressForm, ProgressParams
from distribution.progress import CampaignProgress
from distribution.selectors import campaign_progress_shared, progress_readable

POLL_SECONDS = 3  # with figures shared for 2 s, a hand-over shows within 5 s


def _require_reader(user) -> None:
    if not progress_readable(user):
        raise PermissionDenied(_("The campaign dashboard is for managers, supervisors and school staff."))


def _progress(request) -> tuple[ProgressForm, ProgressParams | None, CampaignProgress | None]:
    _require_reader(request.user)
    data = request.GET.copy()
    if not data.get("year"):  # shown in the form as the year the figures are for
        data["year"] = str(school_year_of(timezone.localdate()))
    form = ProgressForm(data)
    if not form.is_valid():
        return form, None, None
    params = form.params()
    progress = campaign_progress_shared(
        user=request.user, year=params.year, academie=params.academie, departement=params.departement
    )
    return form, params, progress


def _context(request, progress: CampaignProgress) -> dict:
    return {**progress_context(progress), "whole_region": fleet.reads_everything(request.user)}


@login_required
@require_GET
def dashboard(request):
    form, params, progress = _progress(request)
    context = {"form": form, "progress": progress, "poll_seconds": POLL_SECONDS}
    if progress is not None:
        query = urlencode(params.as_query())
        context.update(_context(request, progress), query=query, fingerprint=progress.fingerprint())
    return render(request, "distribution/dashboard.html", context, status=200 if progress else 400)


@login_required
@require_GET
def dashboard_live(request):
    """{"fingerprint", "changed", "html"}: the HTML of the figures and the curve only when they
    changed since the fingerprint the page holds (`since`)."""
    form, _params, progress = _progress(request)
    if progress is None:
        return JsonResponse({"errors": form.errors_json()}, status=400)
    fingerprint = progress.fingerprint()
    answer = {"fingerprint": fingerprint, "changed": fingerprint != request.GET.get("since", "")}
    if answer["changed"]:
        answer["html"] = render_to_string("distribution/dashboard_figures.html", _context(request, progress), request)
    response = JsonResponse(answer)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def dashboard_csv(request):
    form, _params, progress = _progress(request)
    if progress is None:
        return JsonResponse({"errors": form.errors_json()}, status=400)
    response = HttpResponse(progress_csv(progress), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{progress_filename(progress, "csv")}"'
    return response


@login_required
@require_GET
def dashboard_pdf(request):
    form, _params, progress = _progress(request)
    if progress is None:
        return JsonResponse({"errors": form.errors_json()}, status=400)
    pdf, _pages = progress_pdf(progress)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{progress_filename(progress, "pdf")}"'
    return response
