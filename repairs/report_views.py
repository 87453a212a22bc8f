"""Managers' reports on the web and in the API: thin views over the generator and
its formatters. Managers and the region's supervisors only (devices.permissions)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from devices import permissions as fleet
from repairs import selectors
from repairs.models import ReportExport
from repairs.reports.exports import report_export_request
from repairs.reports.formats import render_pdf, report_context, report_csv, report_filename, report_json
from repairs.reports.generator import Report, report_build
from repairs.reports.params import GROUP_BY_CHOICES, ReportForm, ReportParams

FORMATS = ("json", "csv", "pdf")


def _require_reader(user) -> None:
    if not fleet.reads_everything(user):
        raise PermissionDenied(_("Reports are for managers and supervisors."))


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(report: Report) -> HttpResponse:
    response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(report, "csv")}"'
    return response


def _params(request) -> tuple[ReportForm, ReportParams | None]:
    form = ReportForm(request.GET)
    return form, form.params() if form.is_valid() else None


@login_required
def report_page(request):
    _require_reader(request.user)
    form, params = _params(request)
    context = {"form": form, "report": None}
    if params:
        report = report_build(params=params, tickets=selectors.visible_tickets(user=request.user))
        context.update(report_context(report), query=urlencode(params.as_query()))
        context["form_values"] = {"from": params.date_from.isoformat(), "to": params.date_to.isoformat()}
    else:
        context["form_values"] = {"from": request.GET.get("from", ""), "to": request.GET.get("to", "")}
    return render(request, "repairs/reports/report.html", context, status=200 if params else 400)


@login_required
def report_csv_download(request):
    _require_reader(request.user)
    _form, params = _params(request)
    if params is None:
        return redirect(f"{reverse('repairs:reports')}?{request.GET.urlencode()}")
    return csv_response(report_build(params=params, tickets=selectors.visible_tickets(user=request.user), series=False))


@login_required
def report_pdf_download(request):
    """Small reports are rendered at once; a report with many sections is rendered by a Celery
    task, and the person waits on a page that says when it is ready."""
    _require_reader(request.user)
    _form, params = _params(request)
    if params is None:
        return redirect(f"{reverse('repairs:reports')}?{request.GET.urlencode()}")
    report = report_build(params=params, tickets=selectors.visible_tickets(user=request.user), breakdown=True)
    if len(report.rows) > settings.REPORT_PDF_SYNC_MAX_SECTIONS:
        export = report_export_request(params=params, user=request.user)
        return redirect("repairs:report_export", token=export.token)
    pdf, _pages = render_pdf(report)
    return pdf_response(pdf, report_filename(report, "pdf"))


def _own_export(request, token: str) -> ReportExport:
    _require_reader(request.user)
    return get_object_or_404(ReportExport, token=token, requested_by=request.user, kind=ReportExport.Kind.ON_DEMAND)


@login_required
def report_export_status(request, token: str):
    export = _own_export(request, token)
    query = urlencode(ReportParams.from_json(export.params).as_query())
    return render(request, "repairs/reports/export.html", {"export": export, "query": query})


@login_required
def report_export_download(request, token: str):
    export = _own_export(request, token)
    if export.status != ReportExport.Status.READY or not export.file:
        raise Http404
    return FileResponse(
        export.file.open("rb"), as_attachment=True, filename=_export_filename(export), content_type="application/pdf"
    )


def _export_filename(export: ReportExport) -> str:
    params = ReportParams.from_json(export.params)
    return f"rapport-sav_{params.date_from:%Y-%m-%d}_{params.date_to:%Y-%m-%d}_{params.group_by}.pdf"


# API


class JsonOnlyNegotiation(DefaultContentNegotiation):
    """`format` names the report's format here (json, csv, pdf), not a DRF renderer: answers and
    errors are JSON, and the view returns the CSV or PDF file itself."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ReportSlaView(APIView):
    content_negotiation_class = JsonOnlyNegotiation

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True, description="first day, YYYY-MM-DD"),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True, description="last day (included), YYYY-MM-DD"),
            OpenApiParameter("group_by", str, enum=[name for name, _label in GROUP_BY_CHOICES]),
            OpenApiParameter("format", str, enum=list(FORMATS), description="json (default), csv or pdf"),
            *(
                OpenApiParameter(name, str, description=description)
                for name, description in (
                    ("academie", "toulouse or montpellier"),
                    ("departement", "e.g. 31"),
                    ("establishment", "UAI"),
                    ("technician", "username"),
                    ("category", "fault category"),
                    ("model", "device model id"),
                    ("coverage", "coverage decision"),
                )
            ),
        ],
        responses={
            200: OpenApiTypes.OBJECT,
            202: OpenApiTypes.OBJECT,
            400: OpenApiTypes.OBJECT,
            403: OpenApiTypes.OBJECT,
        },
        description="A PDF with more groups than the synchronous limit answers 202 with `status_url`: "
        "poll it until `file_url` is given, then fetch that.",
    )
    def get(self, request):
        if not fleet.reads_everything(request.user):
            return Response(
                {"detail": _("Reports are for managers and supervisors."), "code": "forbidden"},
                status=status.HTTP_403_FORBIDDEN,
            )
        query: QueryDict = request.query_params
        output = query.get("format") or "json"
        form = ReportForm(query, require_dates=True)
        if output not in FORMATS:
            form.is_valid()
            form.add_error(None, _("Unknown format “%(value)s”: json, csv or pdf.") % {"value": output})
        if not form.is_valid():
            errors = form.errors_json()
            detail = " ".join(message for messages in errors.values() for message in messages)
            return Response({"detail": detail, "errors": errors, "code": "invalid"}, status=status.HTTP_400_BAD_REQUEST)
        params = form.params()
        tickets = selectors.visible_tickets(user=request.user)
        if output == "csv":
            return csv_response(report_build(params=params, tickets=tickets, series=False))
        if output == "pdf":
            report = report_build(params=params, tickets=tickets, breakdown=True)
            if len(report.rows) > settings.REPORT_PDF_SYNC_MAX_SECTIONS:
                # The web page's limit and task: the caller polls the status URL, then fetches the file.
                export = report_export_request(params=params, user=request.user)
                response = Response(export_json(request, export), status=status.HTTP_202_ACCEPTED)
                response["Location"] = export_json(request, export)["status_url"]
                response["Retry-After"] = "5"
                return response
            pdf, _pages = render_pdf(report)
            return pdf_response(pdf, report_filename(report, "pdf"))
        return Response(report_json(report_build(params=params, tickets=tickets)))


def export_json(request, export: ReportExport) -> dict:
    token = export.token
    answer = {
        "status": export.status,
        "status_url": request.build_absolute_uri(reverse("api:report-export", args=[token])),
        "file_url": None,
        "pages": export.page_count,
    }
    if export.status == ReportExport.Status.READY:
        answer["file_url"] = request.build_absolute_uri(reverse("api:report-export-file", args=[token]))
    if export.status == ReportExport.Status.FAILED:
        answer["detail"] = _("The report could not be prepared. Ask for it again, or for a shorter period.")
    return answer


class ReportExportView(APIView):
    """A large PDF report being rendered by the worker: 202 while it is prepared, then 200 with
    the file's URL (or the failure). Only its requester sees it."""

    content_negotiation_class = JsonOnlyNegotiation

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT})
    def get(self, request, token: str):
        export = _api_export(request, token)
        if isinstance(export, Response):
            return export
        pending = export.status == ReportExport.Status.PENDING
        response = Response(export_json(request, export), status=status.HTTP_202_ACCEPTED if pending else 200)
        if pending:
            response["Retry-After"] = "5"
        return response


class ReportExportFileView(APIView):
    content_negotiation_class = JsonOnlyNegotiation

    @extend_schema(responses={200: OpenApiTypes.BINARY, 404: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT})
    def get(self, request, token: str):
        export = _api_export(request, token)
        if isinstance(export, Response):
            return export
        if export.status != ReportExport.Status.READY or not export.file:
            return Response(
                {**export_json(request, export), "detail": _("The report is not ready yet."), "code": "not_ready"},
                status=status.HTTP_409_CONFLICT,
            )
        return FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=_export_filename(export),
            content_type="application/pdf",
        )


def _api_export(request, token: str) -> ReportExport | Response:
    if not fleet.reads_everything(request.user):
        return Response(
            {"detail": _("Reports are for managers and supervisors."), "code": "forbidden"},
            status=status.HTTP_403_FORBIDDEN,
        )
    export = ReportExport.objects.filter(
        token=token, requested_by=request.user, kind=ReportExport.Kind.ON_DEMAND
    ).first()
    if export is None:
        return Response({"detail": _("No such report."), "code": "not_found"}, status=status.HTTP_404_NOT_FOUND)
    return export
