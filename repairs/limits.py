"""How long each free text a person types may be: one table for the services, the forms and the
API, so the same text is accepted or refused everywhere (and never reaches the database longer
than its column)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

TEXT_LIMITS: dict[str, int] = {
    "description": 4000,
    "text": 5000,  # a comment
    "note": 2000,
    "coverage_reason": 500,
    "reason": 500,
    "rma_number": 64,
    "police_report": 64,
    "carrier": 64,
    "tracking_number": 64,
    "replacement": 64,
    "device": 64,
    "part": 200,
}
MAX_PARTS = 20


def texts_check(**texts: str | None) -> None:
    """Refuse (400) every text over its limit at once, naming the fields."""
    errors = {
        field: _("At most %(max)d characters.") % {"max": TEXT_LIMITS[field]}
        for field, value in texts.items()
        if value and len(value) > TEXT_LIMITS[field]
    }
    if errors:
        raise ValidationError(errors)


def parts_check(parts: list[str] | None) -> None:
    parts = parts or []
    if len(parts) > MAX_PARTS:
        raise ValidationError({"parts": _("At most %(max)d parts at once.") % {"max": MAX_PARTS}})
    if any(len(part or "") > TEXT_LIMITS["part"] for part in parts):
        raise ValidationError({"parts": _("A part is at most %(max)d characters.") % {"max": TEXT_LIMITS["part"]}})


# Numbers from a query string: pages and page sizes. Parsed here only, so an absurd value is a
# clear 400 (API) or the nearest page (web), never an overflow in the database.
MAX_PAGE = 100_000


def bounded_int(raw: str | None, *, field: str, default: int, maximum: int, minimum: int = 1, clamp=False) -> int:
    """`raw` as a whole number within [minimum, maximum]; `default` when absent. Out of bounds:
    the nearest bound with `clamp`, else ValidationError naming the field and the bounds."""
    text = (raw or "").strip()
    if not text:
        return default
    value = int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None
    if value is not None and minimum <= value <= maximum:
        return value
    if clamp:
        return maximum if value is not None and value > maximum else minimum
    raise ValidationError({field: _("Give a whole number from %(min)d to %(max)d.") % {"min": minimum, "max": maximum}})
