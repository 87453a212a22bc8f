"""The words of the ticket page drawn in Python (repairs/ticket_html.py and the modules of its
cards, repairs/ticket_*html.py), translated once per process and language.

Those modules write `_("…")` inside f-strings, where makemessages does not look: MESSAGES names
each of them for it (tests/repairs/test_ticket_html.py checks that the two lists are the same).
"""

from __future__ import annotations

import functools

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import get_language, gettext, gettext_noop


@functools.lru_cache(maxsize=1024)
def _translated(message: str, language: str | None) -> str:
    return str(gettext(message))


def _(message: str) -> str:
    """gettext, kept once per process and language: `{% translate "message" %}` of the template
    these modules replace. Not escaped: a template's literal is safe, and so is its translation
    (an English apostrophe stays one)."""
    return _translated(message, get_language())


@receiver(setting_changed)
def _forget_translations(*, setting, **kwargs) -> None:
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"):
        _translated.cache_clear()


MESSAGES = (
    gettext_noop("Depot"),
    gettext_noop("nobody"),
    gettext_noop("Ticket"),
    gettext_noop("The fault"),
    gettext_noop("Category"),
    gettext_noop("Priority"),
    gettext_noop("Declared"),
    gettext_noop("by"),
    gettext_noop("Laptop"),
    gettext_noop("Establishment"),
    gettext_noop("Assigned to"),
    gettext_noop("Coverage"),
    gettext_noop("decided by the technician"),
    gettext_noop("Police report"),
    gettext_noop("Due"),
    gettext_noop("Late: first response and resolution"),
    gettext_noop("Late: resolution"),
    gettext_noop("Late: first response"),
    gettext_noop("At risk"),
    gettext_noop("What you can do"),
    gettext_noop("Take this ticket"),
    gettext_noop("Lend a loaner"),
    gettext_noop("Lend"),
    gettext_noop("Loaner %(tag)s is back"),
    gettext_noop("Change the loaner's due date"),
    gettext_noop("Change the due date"),
    gettext_noop("Laptop back from the manufacturer"),
    gettext_noop("Change the priority"),
    gettext_noop("Set the resolution due date by hand"),
    gettext_noop("Set the due date"),
    gettext_noop("The laptop"),
    gettext_noop("Serial number"),
    gettext_noop("Status"),
    gettext_noop("Master image"),
    gettext_noop("current: %(version)s"),
    gettext_noop("current"),
    gettext_noop("outdated"),
    gettext_noop("none recorded"),
    gettext_noop("Warranties"),
    gettext_noop("from %(start)s to %(end)s"),
    gettext_noop("active at declaration"),
    gettext_noop("not active at declaration"),
    gettext_noop("%(used)s of %(cap)s claims used"),
    gettext_noop("(covers this repair)"),
    gettext_noop("No warranty recorded."),
    gettext_noop("The repair"),
    gettext_noop("Manufacturer RMA number"),
    gettext_noop("Parts ordered"),
    gettext_noop("Re-imaged"),
    gettext_noop("Replacement"),
    gettext_noop("Outcome"),
    gettext_noop("Handed back unrepaired: the quote was refused"),
    gettext_noop("Shipment"),
    gettext_noop("Loaner"),
    gettext_noop("lent"),
    gettext_noop("due back on %(date)s"),
    gettext_noop("overdue"),
    gettext_noop("returned"),
    gettext_noop("Nothing recorded yet."),
    gettext_noop(
        "Whoever holds this link (a parent, a student without their laptop) follows the repair: state,"
        " next step, dates, and the quote if the family pays. No name is shown."
    ),
    gettext_noop("Status link without an account"),
    gettext_noop("Status link"),
    gettext_noop("Print the receipt (PDF)"),
    gettext_noop("Replace the link (the current one stops working)"),
    gettext_noop("History"),
    gettext_noop("Photos and documents"),
    gettext_noop("No file."),
    gettext_noop("Send the file"),
    gettext_noop("Send the comment"),
    gettext_noop("Action"),
    gettext_noop("Costs"),
    gettext_noop("Part"),
    gettext_noop("Quantity"),
    gettext_noop("Unit price"),
    gettext_noop("Amount"),
    gettext_noop("Remove %(label)s"),
    gettext_noop("No part recorded."),
    gettext_noop("%(rate)s/h"),
    gettext_noop("no hourly rate set for this coverage"),
    gettext_noop("Labour"),
    gettext_noop("Parts"),
    gettext_noop("Cost of the ticket"),
    gettext_noop("The price list is empty (Administration)"),
    gettext_noop("Part (price list)"),
    gettext_noop("Add the part"),
    gettext_noop("Record the labour time"),
    gettext_noop("Quote for the family"),
    gettext_noop("A repair charged to the family starts only once the family accepted a quote."),
    gettext_noop("Quote %(reference)s of %(date)s: %(total)s"),
    gettext_noop("PDF"),
    gettext_noop("The family answered at school or on the phone:"),
    gettext_noop("The family accepts the quote"),
    gettext_noop("The family refuses the quote"),
    gettext_noop("Issue a new quote from these parts and this labour"),
    gettext_noop("Issue the quote from these parts and this labour"),
)
