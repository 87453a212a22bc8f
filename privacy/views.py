"""Pages: the privacy notice (everyone, signed in or not), a person's "My data" page (their export
and who read their file), and a student's export for managers answering a request."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from devices import permissions as fleet
from devices.models import Role
from privacy import selectors, services

ACCESS_LOG_ON_PAGE = 100


def notice(request):
    paragraphs = []
    for block in selectors.notice_text().replace("\r\n", "\n").split("\n\n"):
        lines = [line for line in block.strip().split("\n") if line.strip()]
        if lines and lines[0].startswith("# "):
            paragraphs.append({"heading": lines[0][2:].strip(), "text": "\n".join(lines[1:])})
        elif lines:
            paragraphs.append({"heading": "", "text": "\n".join(lines)})
    return render(request, "privacy/notice.html", {"paragraphs": paragraphs})


@login_required
def my_data(request):
    student = fleet.role_of(request.user) == Role.STUDENT
    rows = selectors.access_log_rows(student=request.user, limit=ACCESS_LOG_ON_PAGE) if student else []
    return render(request, "privacy/my_data.html", {"is_student": student, "access_log": rows})


def _download(data: dict, *, name: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def my_export(request):
    return _download(selectors.personal_data_export(user=request.user), name="mes-donnees")


@login_required
def student_export(request, user_id: int):
    """A student's data for a manager or supervisor answering the student's (or family's) request;
    the read is logged like any other."""
    if not fleet.reads_everything(request.user):
        raise Http404
    student = get_object_or_404(selectors.students_of_everyone(), pk=user_id)
    services.access_record_export(reader=request.user, student=student)
    return _download(selectors.personal_data_export(user=student), name=f"donnees-eleve-{student.pk}")
