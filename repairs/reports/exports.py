"""PDF reports rendered outside the request: the "your report is ready" exports, the monthly
email to managers, and the purge of old files. Called by the tasks of repairs/tasks.py."""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from devices.models import Role
from repairs.jobs import enqueue_after_commit
from repairs.models import ReportExport
from repairs.reports.formats import render_pdf, report_filename
from repairs.reports.generator import report_build
from repairs.reports.params import ReportParams

logger = logging.getLogger(__name__)


def report_export_request(*, params: ReportParams, user) -> ReportExport:
    """Record the request and enqueue its rendering after commit (eagerly without a broker)."""
    export = ReportExport.objects.create(token=secrets.token_hex(16), params=params.as_json(), requested_by=user)
    enqueue_after_commit("repairs.tasks.report_pdf_render", export_id=export.pk)
    return export


def report_export_render(*, export_id: int) -> None:
    """Render a pending export; a second delivery of the same task finds it done and does nothing."""
    export = ReportExport.objects.filter(pk=export_id, status=ReportExport.Status.PENDING).first()
    if export is None:
        return
    params = ReportParams.from_json(export.params)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            report = report_build(params=params, breakdown=True)
            pdf, pages = render_pdf(report)
    except Exception as exc:
        logger.exception("PDF report %s failed", export.token)
        ReportExport.objects.filter(pk=export.pk).update(
            status=ReportExport.Status.FAILED, error=repr(exc)[:2000], finished_at=timezone.now()
        )
        return
    export.file.save(f"{export.token}.pdf", ContentFile(pdf), save=False)
    export.page_count, export.status, export.finished_at = pages, ReportExport.Status.READY, timezone.now()
    export.save(update_fields=["file", "page_count", "status", "finished_at"])


def monthly_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month before `today`'s."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


def report_recipients():
    """Managers and the region's supervisors with an email address."""
    return (
        get_user_model()
        .objects.filter(is_active=True, profile__role__in=[Role.MANAGER, Role.SUPERVISOR])
        .exclude(email="")
        .order_by("pk")
    )


def report_monthly_send(*, today: dt.date) -> int:
    """Email last month's region report (by département) to managers, once per month: the export
    row is claimed first, so a retried or doubled task sends nothing twice. Returns the number of
    recipients."""
    first, last = monthly_period(today)
    label = f"{first:%Y-%m}"
    params = ReportParams(date_from=first, date_to=last, group_by="departement")
    try:
        with transaction.atomic():
            export = ReportExport.objects.create(
                token=secrets.token_hex(16), kind=ReportExport.Kind.MONTHLY, label=label, params=params.as_json()
            )
    except IntegrityError:
        return 0  # this month's report went out already
    try:
        return _monthly_send(export=export, params=params)
    except Exception:
        # Release the claim so that a retry sends it; no file is left behind.
        if export.file:
            export.file.delete(save=False)
        export.delete()
        raise


def _monthly_send(*, export: ReportExport, params: ReportParams) -> int:
    first, last = params.date_from, params.date_to
    recipients = list(report_recipients().values_list("email", flat=True))
    with translation.override(settings.LANGUAGE_CODE):
        report = report_build(params=params, breakdown=True)
        pdf, pages = render_pdf(report)
        subject = _("Laptop repair service: report for %(month)s") % {"month": f"{first:%m/%Y}"}
        body = _(
            "Hello,\n\nThe service report for %(start)s to %(end)s is attached (%(pages)s pages): tickets "
            "opened and closed, backlog, response and resolution times against the SLA, outcomes, "
            "repeat failures and the fleet's master images, by département.\n\n"
            "The same report, with other periods and scopes, is on the Reports page."
        ) % {"start": f"{first:%d/%m/%Y}", "end": f"{last:%d/%m/%Y}", "pages": pages}
    export.file.save(f"{export.token}.pdf", ContentFile(pdf), save=False)
    export.page_count, export.status, export.finished_at = pages, ReportExport.Status.READY, timezone.now()
    export.save(update_fields=["file", "page_count", "status", "finished_at"])
    if recipients:
        message = EmailMessage(subject=subject, body=body, to=[settings.DEFAULT_FROM_EMAIL], bcc=recipients)
        message.attach(report_filename(report, "pdf"), pdf, "application/pdf")
        message.send()
    return len(recipients)


def report_exports_purge(*, before: dt.datetime) -> int:
    """Delete the files of exports older than `before`; on-demand rows go too, monthly rows stay
    (they remember that the month was sent)."""
    old = ReportExport.objects.filter(created_at__lt=before)
    count = 0
    for export in old.exclude(file=""):
        export.file.delete(save=False)
        count += 1
    old.exclude(file="").filter(kind=ReportExport.Kind.MONTHLY).update(file="")
    old.filter(kind=ReportExport.Kind.ON_DEMAND).delete()
    return count
