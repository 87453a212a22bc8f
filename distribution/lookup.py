"""Finding the student and the laptop at the desk, among those the person may act for.

A barcode scanner types the student's card number or the laptop's label and presses Enter, so an
exact identifier is tried first (one indexed query); a name typed by hand falls back to a search
on every word.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from devices import permissions as fleet
from devices.models import Device, Role
from devices.selectors import device_by_identifier
from distribution.services import may_use_desk

User = get_user_model()


def desk_students(*, user) -> QuerySet:
    """The students `user` may serve at the desk: of their establishment, or of their zone."""
    if not may_use_desk(user):
        return User.objects.none()
    students = User.objects.filter(profile__role=Role.STUDENT)
    scope = fleet.establishment_filter(user, prefix="profile__establishment__")
    return students if scope is None else students.filter(scope)


def students_matching(*, user, text: str, limit: int = 10) -> list:
    """The students whose identifier is `text`, else whose names contain every word of it."""
    text = " ".join((text or "").split())
    if not text:
        return []
    students = desk_students(user=user).select_related("profile__establishment")
    exact = list(students.filter(Q(profile__student_number=text) | Q(username=text.lower()))[: limit + 1])
    if exact:
        return exact
    for word in text.split():
        students = students.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return list(students.order_by("last_name", "first_name", "pk")[: limit + 1])


def desk_device(*, user, identifier: str) -> Device | None:
    """The laptop with this serial number or asset tag, if `user` may see it."""
    return device_by_identifier(
        identifier=identifier, queryset=fleet.visible_devices(user=user).select_related("model", "image")
    )
