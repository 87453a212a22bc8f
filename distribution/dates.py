"""The campaign's calendar: school years (August already belongs to the coming one) and working
days (Monday to Friday)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings


def school_year_of(day: dt.date) -> int:
    """The first calendar year of the school year holding `day`: August already belongs to the
    coming year, since campaigns are prepared then."""
    return day.year if day.month >= 8 else day.year - 1


def school_year_label(year: int) -> str:
    return f"{year}-{year + 1}"


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The `count`-th working day after `day` (Monday to Friday)."""
    while count > 0:
        day += dt.timedelta(days=1)
        count -= is_working_day(day)
    return day


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))
