"""privacy_purge: what is past its retention period is anonymised or deleted, reports give the
same figures, a dry run changes nothing, a second run finds nothing. Runs on SQLite and, with
DATABASE_URL, on PostgreSQL (raw triggers and ON CONFLICT on both)."""

import datetime as dt
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from devices.models import Assignment, Device, Profile
from devices.services import assignment_close, assignment_hand_over
from notifications.models import Notification
from privacy import services
from privacy.models import AccessLog
from privacy.purge import privacy_purge
from repairs import services as repairs
from repairs.models import Attachment, Ticket, TimelineEntry
from repairs.reports.generator import report_build
from repairs.reports.params import ReportParams
from repairs.search import ticket_search
from tests.devices.factories import DeviceFactory
from tests.images import image_bytes
from tests.repairs.factories import world_fixtures

pytestmark = pytest.mark.django_db(transaction=False)
# The world of tests/privacy/conftest.py, written once for the module (tests/repairs/factories.py).
module_world, world = world_fixtures()

NOW = timezone.now()
LONG_AGO = NOW - dt.timedelta(days=3 * 365)
PERIOD = ReportParams(
    date_from=timezone.localdate(LONG_AGO) - dt.timedelta(days=30),
    date_to=timezone.localdate(NOW),
    group_by="establishment",
)


def backdate(ticket: Ticket, when: dt.datetime) -> None:
    TimelineEntry.objects.filter(ticket=ticket).update(at=when)
    Ticket.objects.filter(pk=ticket.pk).update(declared_at=when, resolved_at=when + dt.timedelta(days=2))


@pytest.fixture
def data(world, settings, tmp_path):
    """An old closed ticket (comment, photo, police report) of a student who left long ago, a
    recent closed one and an open one of a current student, an old delivered home shipment, old
    notifications and access-log rows."""
    settings.MEDIA_ROOT = tmp_path
    settings.SMS_BACKEND = "notifications.channels.LocmemSMSBackend"
    leaver = world.other_student
    leaver.first_name, leaver.last_name, leaver.email = "Zoé", "Autrelève", "zoe@example.org"
    leaver.save()
    Profile.objects.filter(user=leaver).update(phone="0698765432", class_name="1re C", guardian_email="p@example.org")
    assignment = Assignment.objects.get(student=leaver)
    Assignment.objects.filter(pk=assignment.pk).update(handed_over_at=LONG_AGO - dt.timedelta(days=30))
    old = world.declare(by=leaver, device=assignment.device, description="Écran cassé par Zoé", category="theft_loss")
    repairs.ticket_comment(ticket=old, actor=leaver, text="Mon téléphone 0698765432")
    repairs.ticket_attach(
        ticket=Ticket.objects.get(pk=old.pk),
        actor=leaver,
        upload=SimpleUploadedFile("photo.jpg", image_bytes("JPEG")),
    )
    repairs.ticket_cancel(ticket=Ticket.objects.get(pk=old.pk), actor=leaver)
    Ticket.objects.filter(pk=old.pk).update(police_report="PV-2023-42")
    backdate(old, LONG_AGO)
    assignment_close(assignment=assignment, at=LONG_AGO + dt.timedelta(days=10))
    ancient = world.declare(category="keyboard", description="Touche Q de Camille")
    repairs.ticket_cancel(ticket=Ticket.objects.get(pk=ancient.pk), actor=world.student)
    backdate(ancient, LONG_AGO)
    recent = world.declare(category="battery", description="Batterie HS")
    repairs.ticket_cancel(ticket=Ticket.objects.get(pk=recent.pk), actor=world.student)
    current = world.declare(description="Écran noir")
    shipped = DeviceFactory(establishment=world.establishment, image=world.image)
    newcomer = world.staff.__class__.objects.create(username="nouveau")
    Profile.objects.create(user=newcomer, role="student", establishment=world.establishment)
    handover = assignment_hand_over(
        device=shipped, student=newcomer, channel="carrier", carrier="Colissimo", tracking_number="6A0001"
    )
    Assignment.objects.filter(pk=handover.pk).update(delivered_at=NOW - dt.timedelta(days=100))
    Notification.objects.create(
        recipient=world.student, address="eleve@example.org", channel="email", event="x", subject="s", body="b",
        idempotency_key="old", status="sent", created_at=NOW - dt.timedelta(days=400),
    )  # fmt: skip
    services.access_record_ticket(reader=world.tech, ticket=current, now=NOW - dt.timedelta(days=400))
    services.access_record_ticket(reader=world.tech, ticket=current, now=NOW)
    attempt = AccessAttempt.objects.create(
        username="x", ip_address="10.0.0.1", user_agent="ua", failures_since_start=1, get_data="", post_data="",
        http_accept="", path_info="/login/",
    )  # fmt: skip
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=NOW - dt.timedelta(days=400))
    return {
        "old": old,
        "ancient": ancient,
        "recent": recent,
        "current": current,
        "leaver": leaver,
        "handover": handover,
    }


def snapshot() -> dict:
    return {
        "tickets": list(Ticket.objects.order_by("pk").values()),
        "timeline": list(TimelineEntry.objects.order_by("pk").values("note", "payload")),
        "users": list(Ticket.objects.model.reporter.field.related_model.objects.order_by("pk").values()),
        "profiles": list(Profile.objects.order_by("pk").values()),
        "assignments": list(Assignment.objects.order_by("pk").values()),
        "notifications": Notification.objects.count(),
        "attachments": Attachment.objects.count(),
        "access_log": AccessLog.objects.count(),
    }


def test_a_dry_run_counts_per_kind_and_changes_nothing(data):
    before = snapshot()
    out = StringIO()
    call_command("privacy_purge", "--dry-run", stdout=out)
    assert snapshot() == before
    text = out.getvalue()
    assert "Simulation : rien n’est modifié." in text
    counts = privacy_purge(dry_run=True, now=NOW)
    assert counts == {
        "former_students": 1,
        "tickets": 2,
        "shipments": 1,
        "return_shipments": 0,
        "notifications": 1,
        "access_log": 1,
        "login_failures": 1,
        "login_failure_log": 0,
    }
    assert "tickets clos : 2 à purger" in text


def test_an_old_closed_ticket_loses_its_free_text_and_files_but_not_its_figures(
    data, tmp_path, django_capture_on_commit_callbacks
):
    old = data["old"]
    stored = Attachment.objects.get(ticket=old).file.path
    with django_capture_on_commit_callbacks(execute=True):
        privacy_purge(now=NOW)
    ticket = Ticket.objects.get(pk=old.pk)
    assert (ticket.description, ticket.police_report) == ("", "")
    assert (ticket.state, ticket.category, ticket.reference) == ("cancelled", "theft_loss", old.reference)
    assert not TimelineEntry.objects.filter(ticket=old).exclude(note="").exists()
    assert not Attachment.objects.filter(ticket=old).exists()
    assert not (tmp_path / stored).exists()


def test_recent_and_open_tickets_are_left_alone(data):
    privacy_purge(now=NOW)
    assert Ticket.objects.get(pk=data["ancient"].pk).description == ""
    assert Ticket.objects.get(pk=data["recent"].pk).description == "Batterie HS"
    assert Ticket.objects.get(pk=data["current"].pk).description == "Écran noir"


def test_a_former_student_is_forgotten(data):
    leaver = data["leaver"]
    assert ticket_search(queryset=Ticket.objects.all(), text="Autrelève").exists()
    privacy_purge(now=NOW)
    user = leaver.__class__.objects.get(pk=leaver.pk)
    assert user.username == f"anonymised-{leaver.pk}"
    assert (user.first_name, user.last_name, user.email, user.is_active) == ("", "", "", False)
    assert not user.has_usable_password()
    profile = Profile.objects.get(user=user)
    assert (profile.phone, profile.class_name, profile.guardian_email, profile.student_number) == ("", "", "", "")
    assert profile.role == "student" and profile.establishment_id == world_establishment(leaver)
    assert not Notification.objects.filter(recipient=user).exists()
    # The search no longer finds the ticket by the student's name.
    assert not ticket_search(queryset=Ticket.objects.all(), text="Autrelève").exists()


def world_establishment(user) -> int:
    return Profile.objects.get(user=user).establishment_id


def test_the_current_student_keeps_their_account(data, world):
    privacy_purge(now=NOW)
    assert world.student.__class__.objects.get(pk=world.student.pk).username == "eleve"


def test_delivery_details_go_after_the_shipment_period(data):
    privacy_purge(now=NOW)
    handover = Assignment.objects.get(pk=data["handover"].pk)
    assert (handover.carrier, handover.tracking_number) == ("", "")
    assert handover.delivered_at is not None


def test_old_notifications_access_log_rows_and_failed_logins_are_deleted(data):
    privacy_purge(now=NOW)
    assert not Notification.objects.filter(idempotency_key="old").exists()
    assert AccessLog.objects.count() == 1  # this hour's row stays
    assert not AccessAttempt.objects.exists()


def test_a_second_run_finds_nothing_to_do(data):
    first = privacy_purge(now=NOW)
    # The former student's closed ticket went with them; the current student's old one in its own pass.
    assert first == {**dict.fromkeys(first, 1), "return_shipments": 0, "login_failure_log": 0}
    after = snapshot()
    assert set(privacy_purge(now=NOW).values()) == {0}
    assert snapshot() == after


def test_the_reports_figures_are_the_same_before_and_after(data):
    before = report_build(params=PERIOD, now=NOW, breakdown=True)
    privacy_purge(now=NOW)
    after = report_build(params=PERIOD, now=NOW, breakdown=True)
    assert before.total["opened"] >= 3
    assert (after.rows, after.total, after.series, after.breakdown) == (
        before.rows,
        before.total,
        before.series,
        before.breakdown,
    )


def test_the_purge_is_a_nightly_job_and_a_celery_task(settings):
    from config.schedule import scheduled_jobs
    from privacy.tasks import privacy_purge as task

    [job] = [job for job in scheduled_jobs(sweep_every=30) if job.name == "privacy-purge"]
    assert (job.task, job.command) == ("privacy.tasks.privacy_purge", "privacy_purge")
    assert task.name == "privacy.tasks.privacy_purge"
    assert set(task.apply().get()) >= {"tickets", "former_students"}


def test_a_failed_batch_changes_nothing(data, monkeypatch):
    from privacy import purge

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(purge, "profiles_forget", boom)
    before = snapshot()
    with pytest.raises(RuntimeError):
        privacy_purge(now=NOW)
    assert snapshot()["users"] == before["users"]
    assert Device.objects.exists()


def test_what_the_desk_typed_about_a_former_students_return_goes_with_them(data):
    from distribution.models import HandoverEvent

    leaver = data["leaver"]
    device = Assignment.objects.filter(student=leaver).first().device
    event = HandoverEvent.objects.create(
        kind=HandoverEvent.Kind.RETURNED, at=LONG_AGO, device=device, student=leaver, condition="damaged",
        note="Rayures, Zoé dit que sa sœur l'a fait tomber",
    )  # fmt: skip
    privacy_purge(now=NOW)
    event.refresh_from_db()
    assert (event.note, event.condition, event.student_id) == ("", "damaged", leaver.pk)
