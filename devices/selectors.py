"""Reads of the fleet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from devices.models import (
    DAMAGE_CATEGORIES,
    Assignment,
    Device,
    FaultCategory,
    MasterImage,
    WarrantyCoverage,
    normalise_serial,
)


@dataclass(frozen=True)
class CoverageAnswer:
    """What covers a fault: the decision, the record behind it, and why (in words for a person).

    `decision` is one of the coverage values: manufacturer, extended, accidental,
    region (the program pays) or family (chargeable).
    """

    decision: str
    coverage: WarrantyCoverage | None
    reason: str
    considered: list[str] = field(default_factory=list)


# Most favourable first: a manufacturer repair costs nobody anything, an extended warranty costs
# the program nothing more, an accidental-damage claim uses up one of a capped number of claims.
_PREFERENCE = (
    WarrantyCoverage.Kind.MANUFACTURER,
    WarrantyCoverage.Kind.EXTENDED,
    WarrantyCoverage.Kind.ACCIDENTAL,
)


def _describe(coverage: WarrantyCoverage) -> str:
    return _("%(kind)s %(provider)s (contract %(ref)s), from %(start)s to %(end)s") % {
        "kind": coverage.get_kind_display(),
        "provider": coverage.provider,
        "ref": coverage.contract_ref or "—",
        "start": date_format(coverage.starts_on, "SHORT_DATE_FORMAT"),
        "end": date_format(coverage.ends_on, "SHORT_DATE_FORMAT"),
    }


def _refusal(coverage: WarrantyCoverage, *, on: dt.date, category: str) -> str | None:
    """Why this coverage does not pay for this fault on this date, or None if it does."""
    if not coverage.starts_on <= on <= coverage.ends_on:
        return _("not active on %(date)s") % {"date": date_format(on, "SHORT_DATE_FORMAT")}
    if category == FaultCategory.THEFT_LOSS:
        return _("theft and loss are not covered")
    damage = category in DAMAGE_CATEGORIES
    if coverage.kind == WarrantyCoverage.Kind.ACCIDENTAL:
        if not damage:
            return _("covers accidental damage only")
        if coverage.claims_used >= coverage.claims_cap:
            return _("claims cap reached (%(used)s of %(cap)s)") % {
                "used": coverage.claims_used,
                "cap": coverage.claims_cap,
            }
        return None
    if damage:
        return _("does not cover accidental damage")
    return None


def coverage_for(*, device: Device, on: dt.date, category: str, coverages=None) -> CoverageAnswer:
    """What covers a fault of `category` on `device`, declared on `on`?

    Start and end days are both covered. When several coverages apply the most favourable wins
    (manufacturer, then extended, then accidental-damage protection within its claims cap) and the
    answer says which, and why the others were set aside. With none: the program pays (`region`)
    for faults, the family is charged (`family`) for uncovered damage.
    `coverages` may be passed when the caller has them already (no query then).
    """
    if coverages is None:
        coverages = list(device.coverages.all())
    considered: list[str] = []
    usable: list[WarrantyCoverage] = []
    # The reasons in one order whatever order the rows came in: the model's ordering (device, start)
    # leaves two coverages starting the same day to the database's plan.
    for coverage in sorted(coverages, key=lambda c: (c.starts_on, _PREFERENCE.index(c.kind), c.ends_on)):
        refusal = _refusal(coverage, on=on, category=category)
        if refusal is None:
            usable.append(coverage)
        else:
            considered.append(f"{_describe(coverage)}: {refusal}")
    if usable:
        best = min(usable, key=lambda c: (_PREFERENCE.index(c.kind), -c.ends_on.toordinal(), c.pk or 0))
        for other in usable:
            if other is not best:
                considered.append(
                    _("%(coverage)s: also applies, but %(best)s is more favourable")
                    % {"coverage": _describe(other), "best": best.get_kind_display()}
                )
        return CoverageAnswer(
            best.kind, best, _("Covered by %(coverage)s.") % {"coverage": _describe(best)}, considered
        )
    if category in DAMAGE_CATEGORIES:
        return CoverageAnswer(
            "family", None, _("No active coverage pays for this damage: chargeable to the family."), considered
        )
    return CoverageAnswer("region", None, _("No active coverage: the program pays for the repair."), considered)


def current_images(*, academie) -> QuerySet[MasterImage]:
    """The académie's current master image (one at most: a constraint), as a queryset: `academie`
    may be an expression, for a subquery read with other rows."""
    return MasterImage.objects.filter(academie=academie, is_current=True)


def current_image(*, academie: str) -> MasterImage | None:
    return current_images(academie=academie).first()


def current_holdings(*, student=None, devices: Iterable[Device | int] | None = None) -> QuerySet[Assignment]:
    """Who holds what now: the open assignments, of one student and/or of some devices.

    The one place that answers "does this student hold this device" and "who holds this device";
    callers take `.exists()`, `.values("device_id")` or `.values_list("student_id")` of it.
    """
    qs = Assignment.objects.filter(returned_at__isnull=True)
    if student is not None:
        qs = qs.filter(student=student)
    if devices is not None:
        qs = qs.filter(device_id__in=[getattr(d, "pk", d) for d in devices])
    return qs


def holdings_of(*, device: Device, student) -> tuple[Assignment | None, Assignment | None]:
    """(who holds `device` now, what `student` holds now), with the other side of each loaded,
    in one query over the two's whole history (a handful of rows: one a school year).

    It filters by device or student only and picks the open ones here, rather than asking SQL
    for `returned_at IS NULL`: that predicate matches both partial unique indexes, and while the
    table's statistics still say that nothing is open (last year's loans all returned, no ANALYZE
    since September began) PostgreSQL may read the whole of the student's one to find a device,
    a cost that grows with every hand-over of the campaign (docs/PERFORMANCE.md)."""
    rows = Assignment.objects.filter(Q(device=device) | Q(student=student)).select_related("device", "student")
    held = [row for row in rows.order_by() if row.returned_at is None]
    holder = next((row for row in held if row.device_id == device.pk), None)
    previous = next((row for row in held if row.student_id == student.pk), None)
    return holder, previous


def device_holder_assignment(*, device: Device) -> Assignment | None:
    return current_holdings(devices=[device]).select_related("student").first()


def device_by_identifier(*, identifier: str, queryset: QuerySet[Device] | None = None) -> Device | None:
    """Find a device by serial number (any case, blanks ignored) or asset tag (any case)."""
    qs = Device.objects.all() if queryset is None else queryset
    value = (identifier or "").strip()
    if not value:
        return None
    return (
        qs.filter(serial_number=normalise_serial(value)).first()
        or qs.filter(asset_tag=value).first()
        # Labels are printed upper-case and typed in any case; an exact match first keeps the index.
        or qs.filter(asset_tag__iexact=value).order_by("pk").first()
    )


def devices_held_by_name(*, name: str, queryset: QuerySet[Device], limit: int = 20) -> list[Device]:
    """Devices whose current holder's names (or username) contain every word typed, each with
    `holder_first_name` / `holder_last_name` annotated: one query."""
    words = name.split()
    if not words:
        return []
    students = get_user_model().objects.all()
    for word in words:
        students = students.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(username__icontains=word)
        )
    holding = Assignment.objects.filter(device=OuterRef("pk"), returned_at__isnull=True)
    return list(
        queryset.filter(pk__in=holding.filter(student__in=students).values("device_id").order_by())
        .select_related("model")
        .annotate(
            holder_first_name=Subquery(holding.values("student__first_name")[:1]),
            holder_last_name=Subquery(holding.values("student__last_name")[:1]),
        )
        .order_by("holder_last_name", "holder_first_name")[:limit]
    )
