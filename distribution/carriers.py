"""The carriers a laptop may travel with, and where a person follows a parcel of each.

A carrier we know gets its tracking number rendered as a link to its own tracking page; any other
carrier is accepted by name, its number shown as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django.utils.translation import gettext as _

from devices.importing.reading import fold
from distribution.exceptions import Invalid


@dataclass(frozen=True)
class Carrier:
    name: str
    tracking_url: str  # "{}" is replaced by the tracking number
    aliases: tuple[str, ...] = ()


CARRIERS = (
    Carrier(
        "La Poste / Colissimo",
        "https://www.laposte.fr/outils/suivre-vos-envois?code={}",
        ("la poste", "laposte", "colissimo", "la poste colissimo", "lettre suivie"),
    ),
    Carrier("Chronopost", "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={}", ("chrono",)),
    Carrier("DPD", "https://trace.dpd.fr/fr/trace/{}", ("dpd france",)),
    Carrier("UPS", "https://www.ups.com/track?loc=fr_FR&tracknum={}", ()),
    Carrier("DHL", "https://www.dhl.com/fr-fr/home/suivi.html?tracking-id={}", ("dhl express",)),
)
_BY_NAME = {fold(alias): carrier for carrier in CARRIERS for alias in (carrier.name, *carrier.aliases)}
MAX_CARRIER, MAX_TRACKING = 40, 64


def carrier_known(name: str) -> Carrier | None:
    return _BY_NAME.get(fold(name or ""))


def tracking_url(*, carrier: str, tracking_number: str) -> str | None:
    """The carrier's tracking page for this parcel, or None for a carrier we do not know."""
    known = carrier_known(carrier)
    if known is None or not tracking_number:
        return None
    return known.tracking_url.format(quote(tracking_number, safe=""))


def carrier_check(*, carrier: str, tracking_number: str) -> tuple[str, str]:
    """The carrier's name (ours when we know it) and the tracking number without blanks; raises
    Invalid when either is missing or too long."""
    carrier = " ".join((carrier or "").split())
    tracking_number = "".join((tracking_number or "").split()).upper()
    if not carrier or len(carrier) > MAX_CARRIER:
        raise Invalid(
            _("Name the carrier (La Poste / Colissimo, Chronopost, DPD, UPS, DHL…)."), rule="carrier", field="carrier"
        )
    if not tracking_number or len(tracking_number) > MAX_TRACKING:
        raise Invalid(
            _("Give the parcel’s tracking number: the student follows it with the carrier."),
            rule="tracking_number",
            field="tracking_number",
        )
    known = carrier_known(carrier)
    return (known.name if known else carrier), tracking_number
