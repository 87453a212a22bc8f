"""Reading one cell's value as spreadsheets write it: dates, yes/no, codes, enumerations, phones."""

from __future__ import annotations

import datetime as dt
import re

from django.db import models

from devices.importing.reading import fold
from devices.models import Academie, Departement, Device, Establishment

UAI = re.compile(r"^[0-9]{7}[A-Z]$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_FRENCH_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")
# Control characters (C0 and C1): a NUL cannot be stored by PostgreSQL at all, and the others are
# invisible in a spreadsheet, so a value holding one is never what the person meant.
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")

BOOLEANS = {
    **dict.fromkeys(("oui", "o", "yes", "y", "1", "true", "vrai", "x"), True),
    **dict.fromkeys(("non", "n", "no", "0", "false", "faux"), False),
}


class UnreadableDate(ValueError):
    pass


class ImpossibleDate(ValueError):
    pass


def parse_date(value: str) -> dt.date:
    """`YYYY-MM-DD` or `DD/MM/YYYY` (also with `.` or `-`, and a time that spreadsheets append)."""
    match = _ISO_DATE.match(value)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _FRENCH_DATE.match(value)
        if not match:
            raise UnreadableDate(value)
        day, month, year = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ImpossibleDate(value) from None


def normalise_uai(value: str) -> str:
    return "".join(value.split()).upper()


def squeeze(value: str) -> str:
    """Inner runs of blanks as one space: "Lycée  Fermat" and "Lycée Fermat" are one name."""
    return " ".join(value.split())


def choice_map(choices: type[models.TextChoices], aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Folded value, label or alias → value. Built per import, not at module load: the labels are
    lazy and speak the active language."""
    mapping: dict[str, str] = {}
    for value, words in aliases.items():
        if value in choices.values:  # an alias table may name a choice the model no longer has
            mapping.update((fold(word), str(value)) for word in words)
    for value, label in choices.choices:
        mapping[fold(value)] = value
        mapping[fold(str(label))] = value
    return mapping


def departement_map() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for code, label in Departement.choices:
        mapping[code] = code
        mapping[code.lstrip("0")] = code  # a spreadsheet turns "09" into 9
        mapping[fold(label)] = code
        mapping[fold(label.split(" ", 1)[1])] = code
    return mapping


def normalise_phone(value: str) -> str:
    """Separators out; a French mobile number whose leading 0 a spreadsheet ate gets it back
    (the cell was read as the number 612345678)."""
    digits = re.sub(r"[\s.\-()/]", "", value)
    if re.fullmatch(r"[67]\d{8}", digits):
        digits = "0" + digits
    elif digits.startswith("0033"):
        digits = "+33" + digits[4:]
    return digits


# Values understood for enumerations besides their code and label (folded, like header titles).
KIND_ALIASES: dict[str, tuple[str, ...]] = {
    Establishment.Kind.LGT: (
        "lycee general et technologique",
        "general et technologique",
        "lycee general",
        "lycee technologique",
        "general",
        "technologique",
        "egt",
        "lg",
        "lt",
    ),
    Establishment.Kind.LP: ("lycee professionnel", "professionnel", "pro", "lycee des metiers", "vocational"),
    Establishment.Kind.POLYVALENT: ("lycee polyvalent", "lpo", "lpol", "multi track"),
    Establishment.Kind.AGRICOLE: (
        "lycee agricole",
        "lega",
        "legta",
        "lpa",
        "lycee professionnel agricole",
        "eplefpa",
    ),
    Establishment.Kind.EREA: ("etablissement regional d enseignement adapte",),
}
SECTOR_ALIASES: dict[str, tuple[str, ...]] = {
    Establishment.Sector.PUBLIC: ("publique", "pu", "pub"),
    Establishment.Sector.PRIVATE: ("prive", "privee", "pr", "prive sous contrat", "privee sous contrat"),
}
STATUS_ALIASES: dict[str, tuple[str, ...]] = {
    Device.Status.IN_STOCK: ("in stock", "stock", "en stock", "disponible"),
    Device.Status.SPARE: ("pret", "pool", "spare pool", "loaner", "loaner pool", "parc de pret", "reserve"),
    Device.Status.ON_LOAN: ("en pret", "prete", "on loan", "loaned", "lent"),
    Device.Status.ASSIGNED: ("affecte", "attribue", "distribue", "remis"),
    Device.Status.IN_REPAIR: ("en reparation", "reparation", "sav", "en sav"),
    Device.Status.RETIRED: ("reforme", "hors service", "hs", "rebut"),
    Device.Status.LOST: ("stolen", "perdu", "vole", "perdu vole", "perdu ou vole", "vol", "perte"),
}
ACADEMIE_ALIASES: dict[str, tuple[str, ...]] = {
    Academie.TOULOUSE: ("ac toulouse", "academie de toulouse", "tlse"),
    Academie.MONTPELLIER: ("ac montpellier", "academie de montpellier", "mtp"),
}
