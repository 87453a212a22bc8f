"""Small pure helpers of the fleet generator: UAI check letters, slugs, dates, serial numbers."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import unicodedata

from demo.fleet.rows import DeviceModelRow

UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # the UAI check letter: the 7 digits modulo 23
_SERIAL_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTVWXYZ"  # 32 symbols: no I, O, S, U to misread


def uai_check_letter(digits: str) -> str:
    """The UAI check letter of 7 digits, as the Éducation nationale computes it."""
    return UAI_LETTERS[int(digits) % len(UAI_LETTERS)]


@functools.lru_cache(maxsize=4096)  # names repeat: twice per generated person
def slug(text: str) -> str:
    """'Anne-Sophie' → 'anne-sophie', "N'Diaye" → 'ndiaye', 'Le Gall' → 'legall'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum() or ch == "-")


def add_months(day: dt.date, months: int) -> dt.date:
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    return day.replace(year=year, month=month0 + 1, day=min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def months_later(day: dt.date, months: int) -> dt.date:
    """The last day of a period of `months` starting on `day` (both ends included)."""
    return add_months(day, months) - dt.timedelta(days=1)


def mix(value: int, *, bits: int, salt: int) -> int:
    """A bijection of [0, 2**bits): serials look random, yet distinct numbers give distinct serials.

    Each step is invertible modulo 2**bits: xor with a constant, multiplication by an odd number,
    xor with the value shifted right.
    """
    mask = (1 << bits) - 1
    if not 0 <= value <= mask:
        raise ValueError(f"{value} does not fit in {bits} bits")
    x = value ^ (salt & mask)
    for multiplier in (0x9E3779B1, 0x85EBCA77):
        x = (x * multiplier) & mask  # both multipliers are odd
        x ^= x >> (bits // 2 + 1)
    return x


def base32(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        value, digit = divmod(value, 32)
        chars.append(_SERIAL_ALPHABET[digit])
    return "".join(reversed(chars))


def serial_number(model: DeviceModelRow, *, gid: int, made_on: dt.date, salt: int) -> str:
    """A serial in the manufacturer's style. Each manufacturer's serials have their own length, and
    within one manufacturer the variable part is a bijection of the device's global number (the
    seed's `salt` picks which bijection)."""
    yy = f"{made_on.year % 100:02d}"
    week = f"{made_on.isocalendar().week:02d}"
    if model.manufacturer == "Dell":  # service tag: 7 characters, e.g. 8XK2LM3
        return base32(mix(gid, bits=35, salt=0x1D377A1 ^ salt), 7)
    if model.manufacturer == "Lenovo":  # e.g. PF3XK2LM
        return model.serial_prefix + base32(mix(gid, bits=30, salt=0x2F1C0DE ^ salt), 6)
    if model.manufacturer == "HP":  # plant, year digit, week, then 4 characters: 5CG3201ABC
        return f"{model.serial_prefix}{yy[1]}{week}" + base32(mix(gid, bits=20, salt=0xB1C35 ^ salt), 4)
    if model.manufacturer == "ASUS":  # e.g. R25NRC3K7LMQ2T
        return f"{model.serial_prefix}{yy}NRC" + base32(mix(gid, bits=40, salt=0x5A5A5A5 ^ salt), 8)
    if model.manufacturer == "Acer":  # SNID-like: NXKF3EF23A7K2LM
        return f"{model.serial_prefix}{yy}" + base32(mix(gid, bits=30, salt=0x3ACE5 ^ salt), 6)
    raise ValueError(f"no serial style for {model.manufacturer}")


def french_de(city: str) -> str:
    """French 'de' before a place name: d'Auch, du Vigan, de Pamiers."""
    if city.startswith("Le "):
        return "du " + city[3:]
    if city[0] in "AEIOUYÉÈÂaeiouy":
        return "d'" + city
    return "de " + city


@functools.cache  # asked once per hand-over: 66,000 times for the region
def september_business_days(year: int) -> tuple[dt.date, ...]:
    return tuple(
        day
        for day in (dt.date(year, 9, d) for d in range(1, 31))
        if day.weekday() < 5  # hand-overs happen on school days
    )
