"""Business time: working hours on working days, Europe/Paris, without French public
holidays, optionally without the académie's school holidays, and without closures.

Pure functions of their arguments: no database, no clock. Every instant is handled in UTC and
every working window is built from the local wall-clock hours of its own day, so that a daylight
saving change moves the UTC offset of a window, never its local hours or its length.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from vacances_scolaires_france import SchoolHolidayDates, UnsupportedYearException

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC
ZERO = dt.timedelta(0)
# Far enough for any target (years of business time); stops a loop on a calendar with no working day.
MAX_DAYS = 3660


@dataclass(frozen=True)
class BusinessCalendar:
    """When the SLA clock may run. Hashable, so that day windows are cached per calendar."""

    start: dt.time = dt.time(8)
    end: dt.time = dt.time(18)
    weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})  # ISO: 1 is Monday
    school_zone: str | None = None  # "A", "B" or "C": school holidays are not business days
    closures: tuple[tuple[dt.date, dt.date], ...] = ()  # inclusive ranges of closed days

    def is_business_day(self, day: dt.date) -> bool:
        return _is_business_day(self, day)

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The working window of `day` in UTC, or None on a day off."""
        return _window(self, day)


@lru_cache(maxsize=64)
def french_public_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.France(years=year).keys())


@lru_cache(maxsize=1)
def _school_dates() -> SchoolHolidayDates:
    return SchoolHolidayDates()  # parses the package's CSV once per process


@lru_cache(maxsize=16)
def school_holidays(zone: str, year: int) -> frozenset[dt.date]:
    """School holiday days of `zone` in `year`; empty beyond the package's data (through 2028)."""
    try:
        return frozenset(_school_dates().holidays_for_year_and_zone(year, zone))
    except UnsupportedYearException:
        return frozenset()


def calendar_warm_up(*, today: dt.date | None = None) -> None:
    """Load the holiday tables of last year, this year and next year (about 0.2 s: the package's
    CSV of school holidays, the public holidays' rules) once, at process start, rather than in
    the first declaration or transition each process serves."""
    year = (today or dt.date.today()).year
    for each in (year - 1, year, year + 1):
        french_public_holidays(each)
        for zone in ("A", "B", "C"):
            school_holidays(zone, each)


@lru_cache(maxsize=200_000)
def _is_business_day(calendar: BusinessCalendar, day: dt.date) -> bool:
    if day.isoweekday() not in calendar.weekdays or day in french_public_holidays(day.year):
        return False
    if calendar.school_zone and day in school_holidays(calendar.school_zone, day.year):
        return False
    return not any(first <= day <= last for first, last in calendar.closures)


@lru_cache(maxsize=200_000)
def _window(calendar: BusinessCalendar, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    if not _is_business_day(calendar, day):
        return None
    opens = dt.datetime.combine(day, calendar.start, tzinfo=PARIS).astimezone(UTC)
    closes = dt.datetime.combine(day, calendar.end, tzinfo=PARIS).astimezone(UTC)
    return opens, closes


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("business time needs aware datetimes")
    return moment.astimezone(UTC)


def business_time(*, calendar: BusinessCalendar, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Working time between two instants (zero if `end` is not after `start`)."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        return ZERO
    total = ZERO
    day, last = start.astimezone(PARIS).date(), end.astimezone(PARIS).date()
    while day <= last:
        window = _window(calendar, day)
        if window:
            opens, closes = max(window[0], start), min(window[1], end)
            if closes > opens:
                total += closes - opens
        day += dt.timedelta(days=1)
    return total


def business_add(*, calendar: BusinessCalendar, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
    """The instant at which `amount` of working time has passed since `start`.

    Always inside a working window (its close included): a due date computed here never falls at
    night, on a weekend, a holiday or a closure, whatever time `start` is."""
    moment, remaining = _utc(start), max(amount, ZERO)
    day = moment.astimezone(PARIS).date()
    for _ in range(MAX_DAYS):
        window = _window(calendar, day)
        if window:
            opens = max(window[0], moment)
            if opens < window[1]:
                if remaining <= window[1] - opens:
                    return opens + remaining
                remaining -= window[1] - opens
        day += dt.timedelta(days=1)
    raise ValueError("no working time within ten years: check the calendar's working days")
