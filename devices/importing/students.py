"""Import of the student roster, keyed on (establishment, the establishment's own student id).

A student is a Django user with a `student` profile: that is what assignments and tickets point
to. An imported student has no password (unusable) and the login `<uai>-<student id>`; they can
sign in later, once a password is set through password reset or by a manager.

Students are minors and the service collects no more than it needs: the file is read
without its extra columns, so that a national student number (INE), a birth date or an address
exported with the roster is held nowhere, not even in the rejects file; and an identifier shaped
like an INE is refused rather than stored as the establishment's identifier.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, UNUSABLE_PASSWORD_SUFFIX_LENGTH
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import devices.importing.writing as writing
from devices.importing.checks import Checking, Row
from devices.importing.columns import STUDENT_COLUMNS
from devices.importing.progress import Progress
from devices.importing.reading import read_table
from devices.importing.report import ImportReport
from devices.importing.values import normalise_phone
from devices.models import Establishment, Profile, Role
from devices.services import PHONE_PATTERN

User = get_user_model()

USER_FIELDS = ["first_name", "last_name", "email"]
PROFILE_FIELDS = ["class_name", "phone", "guardian_email"]
# The two shapes of the national student number: 10 digits and a letter, or 9 digits and 2 letters.
INE = re.compile(r"^(?:\d{10}[A-Z]|\d{9}[A-Z]{2})$", re.IGNORECASE)
_NOT_IN_USERNAME = re.compile(r"[^\w.@+-]+")
STUDENT_AGAIN = gettext_lazy("student %(student)s of %(uai)s is also on line %(line)s")


def student_username(*, uai: str, student_id: str) -> str:
    """`0310024h-2024-118`: the establishment's UAI and its own identifier, in Django's username characters."""
    return _NOT_IN_USERNAME.sub("-", f"{uai}-{student_id}".lower())


@dataclass
class _Plan:
    users: list[dict[str, Any]] = field(default_factory=list)
    profiles: list[dict[str, Any]] = field(default_factory=list)  # new ones carry "username" until written
    seen: dict[tuple[str, str], int] = field(default_factory=dict)
    usernames: dict[str, int] = field(default_factory=dict)


def students_import(
    *,
    path: Path | str,
    skip_invalid: bool = False,
    dry_run: bool = False,
    rejects_path: Path | str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Create or update students from a roster CSV file, keyed on (establishment, student id).

    Re-importing updates names, class and contacts; a blank optional cell (email, phone,
    guardian's email) keeps what is stored. Students absent from the file are left alone. With
    invalid rows nothing is written unless `skip_invalid`. Raises ImportFailed when the file
    cannot be read.
    """
    started = time.perf_counter()
    path = Path(path)
    progress = progress or Progress()
    table = read_table(path, columns=STUDENT_COLUMNS, keep_extra=False)
    report = ImportReport(path=path, rows=len(table.rows), dry_run=dry_run, skip_invalid=skip_invalid)

    establishments = dict(Establishment.objects.values_list("uai", "id"))
    students = {
        (row["establishment_id"], row["student_number"]): row
        for row in Profile.objects.exclude(student_number="").values(
            "id",
            "user_id",
            "role",
            "establishment_id",
            "student_number",
            *PROFILE_FIELDS,
            *(f"user__{name}" for name in ("username", *USER_FIELDS)),
        )
    }
    usernames = dict(User.objects.values_list("username", "id"))
    plan = _Plan()
    checking = Checking(table=table, report=report, progress=progress)

    for row in checking:
        checking.tally(
            row, _check(row, plan=plan, establishments=establishments, students=students, usernames=usernames)
        )

    def write() -> None:
        with progress.phase(_("Writing"), len(plan.users) + len(plan.profiles)) as update:
            writing.upsert(
                model=User, rows=plan.users, unique_fields=["id"], update_fields=USER_FIELDS, progress=update
            )
            if any("username" in profile for profile in plan.profiles):
                user_ids = dict(User.objects.values_list("username", "id"))
                for profile in plan.profiles:
                    if "username" in profile:
                        profile["user_id"] = user_ids[profile.pop("username")]
            writing.upsert(
                model=Profile, rows=plan.profiles, unique_fields=["id"], update_fields=PROFILE_FIELDS, progress=update
            )

    return writing.finish(
        report=report,
        checking=checking,
        rejects_path=rejects_path,
        write=write,
        has_work=bool(plan.users or plan.profiles),
        started=started,
    )


def _check(
    row: Row,
    *,
    plan: _Plan,
    establishments: dict[str, int],
    students: dict[tuple[int, str], dict[str, Any]],
    usernames: dict[str, int],
) -> str | None:
    """Check one row and plan its writes: "created", "updated", "unchanged", or None if invalid."""
    student_id = row.text("student_id", required=True, limit=(Profile, "student_number"))
    ine = bool(INE.match(student_id))
    if ine:
        row.cells[row.table.columns["student_id"]] = ""  # not even in the rejects file
        row.fail(
            _("the identifier looks like a national student number (INE), which is never stored"),
            hint=_("give the establishment’s own student identifier instead (the INE column is ignored)."),
        )
    uai = row.uai("establishment_uai", required=True, known=establishments)
    if uai and student_id and not ine:
        row.once(
            (uai, student_id),
            seen=plan.seen,
            column="student_id",
            message=STUDENT_AGAIN,
            params={"student": student_id, "uai": uai},
        )
    user = {
        "first_name": row.text("first_name", required=True, limit=(User, "first_name")),
        "last_name": row.text("last_name", required=True, limit=(User, "last_name")),
        "email": _email(row, "email", limit=(User, "email")),
    }
    profile = {
        "class_name": row.text("class", required=True, limit=(Profile, "class_name")),
        "phone": _phone(row),
        "guardian_email": _email(row, "guardian_email", limit=(Profile, "guardian_email")),
    }
    if not row.ok:
        return None

    establishment_id = establishments[uai]
    current = students.get((establishment_id, student_id))
    if current is None:
        username = student_username(uai=uai, student_id=student_id)
        if username in usernames or username in plan.usernames:
            row.fail(
                _("the login %(username)s is already used by another account") % {"username": username},
                hint=_("rename that account in the admin, or check the identifier."),
            )
            return None
        plan.usernames[username] = row.line
        plan.users.append({"username": username, "password": _unusable_password(), "is_active": True, **user})
        plan.profiles.append(
            {
                "username": username,
                "role": Role.STUDENT,
                "establishment_id": establishment_id,
                "student_number": student_id,
                **profile,
            }
        )
        return "created"
    if current["role"] != Role.STUDENT:
        row.fail(
            _("identifier %(student)s of %(uai)s belongs to an account that is not a student")
            % {"student": student_id, "uai": uai},
            hint=_("check the identifier, or clear it on that account in the admin."),
        )
        return None

    # A blank optional cell keeps what is stored: the student may have given an address since.
    for values, fields in ((user, ("email",)), (profile, ("phone", "guardian_email"))):
        for name in fields:
            stored = current[f"user__{name}"] if name in USER_FIELDS else current[name]
            values[name] = values[name] or stored
    user_changed = any(current[f"user__{name}"] != user[name] for name in USER_FIELDS)
    profile_changed = any(current[name] != profile[name] for name in PROFILE_FIELDS)
    if user_changed:
        plan.users.append({"id": current["user_id"], "username": current["user__username"], **user})
    if profile_changed:
        plan.profiles.append(
            {
                "id": current["id"],
                "user_id": current["user_id"],
                "role": current["role"],
                "establishment_id": establishment_id,
                "student_number": student_id,
                **profile,
            }
        )
    return "updated" if user_changed or profile_changed else "unchanged"


def _unusable_password() -> str:
    """What make_password(None) stores, drawn in one call: its 40 random.choice() calls a user
    were a quarter of a 61,000-student import."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(UNUSABLE_PASSWORD_SUFFIX_LENGTH // 2)


def _email(row: Row, name: str, *, limit: tuple[Any, str]) -> str:
    value = row.text(name, limit=limit)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            row.fail(
                _("“%(value)s” in %(column)s is not an email address") % {"value": value, "column": row.title(name)},
                cause=_("not an email address in %(column)s") % {"column": row.title(name)},
                hint=_("correct the address, or leave the cell blank."),
            )
    return value


def _phone(row: Row) -> str:
    raw = row.value("phone")
    if not raw:
        return ""
    phone = normalise_phone(raw)
    if not PHONE_PATTERN.fullmatch(phone):
        row.fail(
            _("“%(value)s” in %(column)s is not a mobile phone number") % {"value": raw, "column": row.title("phone")},
            cause=_("not a mobile phone number in %(column)s") % {"column": row.title("phone")},
            hint=_("write a mobile number as 06 12 34 56 78 or +33 6 12 34 56 78, or leave the cell blank."),
        )
    return phone
