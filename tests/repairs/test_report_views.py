"""Reports as the web page, the API, the PDF exports and the monthly email: who may, what is
refused and why, and the safety of what is rendered (escaping, CSV formulas, PDF fetching)."""

import datetime as dt
import io

import pytest
from django.core import mail
from pypdf import PdfReader
from rest_framework.test import APIClient

from devices.models import Role
from repairs import pdf as pdf_module
from repairs import tasks
from repairs.models import ReportExport, Ticket
from repairs.reports import formats
from repairs.reports.exports import report_exports_purge
from repairs.reports.generator import report_build
from repairs.reports.params import ReportParams
from repairs.sla.calendar import PARIS
from tests.devices.factories import make_person
from tests.repairs import pdfs
from tests.repairs.test_reports import PERIOD, dataset_fixtures

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/sla/"
dataset, data = dataset_fixtures()
one_rendering_per_document = pdfs.one_rendering_per_document


def api_as(user) -> APIClient:
    client = APIClient()
    if user:
        client.force_authenticate(user)
    return client


# Who may


@pytest.mark.parametrize("role", [Role.STUDENT, Role.STAFF, Role.TECHNICIAN])
def test_reports_are_refused_to_everyone_but_managers_and_supervisors(client, data, role):
    person = make_person(role, establishment=data.alpha)
    response = api_as(person).get(URL, PERIOD)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    client.force_login(person)
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/report.csv").status_code == 403


def test_anonymous_callers_must_authenticate(data):
    assert api_as(None).get(URL, PERIOD).status_code == 401


def test_supervisors_read_reports(data):
    supervisor = make_person(Role.SUPERVISOR, username="region")
    assert api_as(supervisor).get(URL, PERIOD).status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"to": "2026-09-30"}, "from"),
        ({"from": "2026-09-01"}, "to"),
        ({"from": "01/09/2026", "to": "2026-09-30"}, "from"),
        ({"from": "2026-02-30", "to": "2026-09-30"}, "from"),
        ({"from": "2026-09-30", "to": "2026-09-01"}, "to"),
        ({**PERIOD, "group_by": "school"}, "group_by"),
        ({**PERIOD, "format": "xml"}, "__all__"),
        ({**PERIOD, "establishment": "9999999Z"}, "establishment"),
        ({**PERIOD, "academie": "paris"}, "academie"),
    ],
)
def test_bad_parameters_are_400_with_a_json_error_naming_the_field(data, query, field):
    response = api_as(data.manager).get(URL, query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body["errors"] and body["detail"]


def test_the_json_answer_is_json_even_when_asking_for_csv_and_failing(data):
    response = api_as(data.manager).get(URL, {"from": "x", "to": "y", "format": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_the_web_page_opens_on_the_current_month_and_is_in_the_menu(client, data):
    client.force_login(data.manager)
    response = client.get("/reports/")
    assert response.status_code == 200
    assert 'href="/reports/"' in response.content.decode()
    assert response.context["date_from"].day == 1


def test_the_web_page_says_what_is_wrong_with_the_period(client, data):
    client.force_login(data.manager)
    response = client.get("/reports/", {"from": "2026-09-30", "to": "2026-09-01"})
    assert response.status_code == 400
    assert "La fin de la période précède son début." in response.content.decode()


# Safety of what is rendered


def test_csv_cells_that_look_like_formulas_are_neutralised():
    for text in ("=1+1", "+33 6", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert formats.csv_safe(text) == "'" + text
    assert formats.csv_safe("Lycée Alpha") == "Lycée Alpha"
    assert formats.csv_safe(-2) == "-2"
    assert formats.csv_safe(None) == ""


def test_a_hostile_establishment_name_is_inert_everywhere(client, data):
    hostile = '=HYPERLINK("http://evil.example/x") <img src="http://evil.example/p.png">'
    data.alpha.name = hostile
    data.alpha.save()
    client.force_login(data.manager)
    html = client.get("/reports/", PERIOD).content.decode()
    assert '<img src="http://evil.example' not in html
    assert "&lt;img src=&quot;http://evil.example/p.png&quot;&gt;" in html
    text = api_as(data.manager).get(URL, {**PERIOD, "format": "csv"}).content.decode()
    assert "\"'=HYPERLINK" in text


def test_pdf_rendering_fetches_only_the_apps_static_files(data, monkeypatch):
    fetched = []
    original = pdf_module.static_fetcher

    def spy():
        fetcher = original()
        fetch = fetcher.fetch

        def recording(url, headers=None):
            fetched.append(url)
            return fetch(url, headers)

        fetcher.fetch = recording
        return fetcher

    monkeypatch.setattr(pdf_module, "static_fetcher", spy)
    data.alpha.name = '<link rel="stylesheet" href="file:///etc/passwd"><img src="http://evil.example/p.png">'
    data.alpha.save()
    pdf, _pages = formats.render_pdf(report_build(params=_params(), breakdown=True))
    assert fetched == [pdf_module.PDF_BASE_URL + "static/css/report-print.css"]
    assert "evil.example" in "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://evil.example/x.css",
        "https://report.invalid/static/../config/settings/base.py",
        "https://report.invalid/media/tickets/x.png",
        "data:text/css,body{}",
        "https://report.invalid/static/css/missing.css",
    ],
)
def test_the_pdf_fetcher_refuses_anything_else(url):
    with pytest.raises(ValueError):
        pdf_module.static_fetcher().fetch(url)


def _params(**kwargs) -> ReportParams:
    return ReportParams(date_from=dt.date(2026, 9, 1), date_to=dt.date(2026, 9, 30), **kwargs)


# Large PDFs: rendered by a task, fetched from the "ready" page


def test_a_large_pdf_is_rendered_by_a_task_and_offered_when_ready(
    client, data, settings, django_capture_on_commit_callbacks, one_rendering_per_document
):
    settings.REPORT_PDF_SYNC_MAX_SECTIONS = 1
    client.force_login(data.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/reports/report.pdf", PERIOD)
    export = ReportExport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/exports/{export.token}/"
    # cover, summary, table, costs, one page per lycée and one for the depot
    assert export.status == "ready" and export.page_count == 7
    page = client.get(response["Location"]).content.decode()
    assert "Votre rapport est prêt." in page and "7 pages." in page
    download = client.get(f"/reports/exports/{export.token}/report.pdf")
    assert download["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages) == 7
    other = make_person(Role.MANAGER, username="autre-chef")
    client.force_login(other)
    assert client.get(response["Location"]).status_code == 404


def test_a_pending_export_page_refreshes_itself(client, data):
    client.force_login(data.manager)
    export = ReportExport.objects.create(token="t" * 32, params=_params().as_json(), requested_by=data.manager)
    page = client.get(f"/reports/exports/{export.token}/").content.decode()
    assert 'http-equiv="refresh"' in page and "en préparation" in page
    assert client.get(f"/reports/exports/{export.token}/report.pdf").status_code == 404


def test_a_small_pdf_is_downloaded_at_once(client, data, one_rendering_per_document):
    client.force_login(data.manager)
    # The document the task renders for the large-PDF test: one rendering serves both.
    response = client.get("/reports/report.pdf", PERIOD)
    assert response["Content-Type"] == "application/pdf"
    assert not ReportExport.objects.exists()


# Monthly email


def test_the_monthly_report_is_mailed_once_to_managers_and_supervisors(data, one_rendering_per_document):
    make_person(Role.SUPERVISOR, username="region", email="region@example.org")
    make_person(Role.TECHNICIAN, username="tech", email="tech@example.org")
    assert tasks.report_monthly_email(today="2026-10-01") == 2
    assert tasks.report_monthly_email(today="2026-10-15") == 0  # already sent for September
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.bcc) == ["chef@example.org", "region@example.org"]
    assert message.subject == "SAV ordinateurs lycéens : rapport de 09/2026"
    (name, content, mimetype) = message.attachments[0]
    assert (name, mimetype) == ("rapport-sav_2026-09-01_2026-09-30_departement.pdf", "application/pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Du 01/09/2026 au 30/09/2026" in text and "31 Haute-Garonne" in text
    assert ReportExport.objects.get(kind="monthly").label == "2026-09"


def test_a_failed_monthly_report_can_be_sent_again(data, monkeypatch, one_rendering_per_document):
    def broken(report):
        raise RuntimeError("no fonts")

    monkeypatch.setattr("repairs.reports.exports.render_pdf", broken)
    with pytest.raises(RuntimeError):
        tasks.report_monthly_email(today="2026-10-01")
    monkeypatch.undo()
    assert tasks.report_monthly_email(today="2026-10-02") == 1
    assert len(mail.outbox) == 1


def test_old_exports_are_purged(data):
    old = ReportExport.objects.create(token="o" * 32, params={}, created_at=dt.datetime(2026, 1, 1, tzinfo=PARIS))
    monthly = ReportExport.objects.create(
        token="m" * 32, params={}, kind="monthly", label="2025-12", created_at=dt.datetime(2026, 1, 1, tzinfo=PARIS)
    )
    recent = ReportExport.objects.create(token="r" * 32, params={})
    report_exports_purge(before=dt.datetime(2026, 6, 1, tzinfo=PARIS))
    assert list(ReportExport.objects.order_by("token").values_list("token", flat=True)) == [monthly.token, recent.token]
    assert not ReportExport.objects.filter(pk=old.pk).exists()


def test_a_report_answers_for_any_period_of_the_program(data):
    """Eleven years answer, per year; a year-0001 date is a clear 400, not a server error."""
    api = api_as(data.manager)
    response = api.get("/api/v1/reports/sla/", {"from": "2020-01-01", "to": "2030-12-31", "group_by": "academie"})
    assert response.status_code == 200, response.content
    assert response.json()["total"]["opened"] == Ticket.objects.count() == 12  # every ticket of the data set
    assert len(response.json()["series"]) == 11
    response = api.get("/api/v1/reports/sla/", {"from": "0001-01-01", "to": "0001-01-01"})
    assert response.status_code == 400
    assert "from" in response.json()["errors"]


# Large PDFs through the API: 202 and a status URL, then the file


def test_a_large_api_pdf_answers_202_with_a_status_url_then_the_file(
    data, settings, django_capture_on_commit_callbacks, one_rendering_per_document
):
    settings.REPORT_PDF_SYNC_MAX_SECTIONS = 1
    api = api_as(data.manager)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.get(URL, {**PERIOD, "format": "pdf"})
    assert response.status_code == 202, response.content
    export = ReportExport.objects.get()
    body = response.json()
    assert body["status"] == "pending" and body["file_url"] is None
    assert body["status_url"] == f"http://testserver/api/v1/reports/exports/{export.token}/"
    assert response["Location"] == body["status_url"]
    status_url = body["status_url"].removeprefix("http://testserver")
    pending = api.get(status_url)
    assert pending.status_code == 202 and pending.json()["status"] == "pending"
    assert api.get(f"{status_url}file/").status_code == 409

    for callback in callbacks:  # the worker renders it (the same task as the web page's)
        callback()
    ready = api.get(status_url)
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready" and ready.json()["pages"] == 7
    download = api.get(ready.json()["file_url"].removeprefix("http://testserver"))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages) == 7
    # Someone else's export does not exist for another manager.
    other = api_as(make_person(Role.MANAGER, username="autre-chef"))
    assert other.get(status_url).status_code == 404
    assert other.get(f"{status_url}file/").json()["code"] == "not_found"


def test_a_small_api_pdf_is_answered_at_once(data, settings, one_rendering_per_document):
    settings.REPORT_PDF_SYNC_MAX_SECTIONS = 30
    response = api_as(data.manager).get(URL, {**PERIOD, "format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert not ReportExport.objects.exists()


def test_export_status_is_for_managers_only(data):
    export = ReportExport.objects.create(token="t" * 32, params=_params().as_json(), requested_by=data.manager)
    student = make_person(Role.STUDENT, establishment=data.alpha)
    assert api_as(student).get(f"/api/v1/reports/exports/{export.token}/").status_code == 403
