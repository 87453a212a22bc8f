"""When the demo's people work: the SLA's business calendar (repairs.sla.calendar), read through
calendar_for like any ticket's, with people's habits drawn around it (nobody starts at opening time
sharp, students declare from home in the evening). No second calendar: a holiday or working hours
changed in the settings move the demo's timelines and its SLA clocks alike.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from demo.fleet.rows import PARIS
from repairs.sla.calendar import BusinessCalendar, business_add
from repairs.sla.engine import calendar_for

# When in the working day staff declare faults (relative weights by hour; 5 for hours not listed).
DECLARATION_HOURS = {8: 6, 9: 10, 10: 10, 11: 9, 12: 6, 13: 7, 14: 9, 15: 9, 16: 7, 17: 4}


def default_calendar() -> BusinessCalendar:
    """The calendar of a ticket without an SLA policy: the settings' working days and hours."""
    return calendar_for(policy=None, academie=None, closures=())


class WorkingTime:
    def __init__(self, calendar: BusinessCalendar) -> None:
        self.calendar = calendar

    def is_working_day(self, day: dt.date) -> bool:
        return self.calendar.is_business_day(day)

    def working_day_from(self, day: dt.date) -> dt.date:
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def _window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        opens, closes = self.calendar.window(day)
        return opens.astimezone(PARIS), closes.astimezone(PARIS)

    def _opening(self, day: dt.date, rng: random.Random) -> dt.datetime:
        return self._window(day)[0] + dt.timedelta(minutes=rng.randrange(50))  # nobody starts sharp

    def next_open(self, at: dt.datetime, rng: random.Random) -> dt.datetime:
        """`at` if it falls in working hours, else the next opening."""
        day = at.date()
        if self.is_working_day(day):
            opens, closes = self._window(day)
            if opens <= at < closes:
                return at
            if at < opens:
                return self._opening(day, rng)
        return self._opening(self.working_day_from(day + dt.timedelta(days=1)), rng)

    def add_work_hours(self, at: dt.datetime, hours: float, rng: random.Random) -> dt.datetime:
        """`hours` of working time after `at` (or after the next opening)."""
        start = self.next_open(at, rng)
        end = business_add(calendar=self.calendar, start=start, amount=dt.timedelta(hours=hours))
        return end.astimezone(PARIS).replace(second=0, microsecond=0)

    def add_days(self, at: dt.datetime, days: float, rng: random.Random) -> dt.datetime:
        """`days` calendar days later, at a working time (carriers, manufacturers, students)."""
        later = at + dt.timedelta(days=days)
        day = later.date()
        if self.is_working_day(day):
            opens, closes = self._window(day)
            if opens <= later < closes:
                return later.replace(second=0, microsecond=0)
            if later >= opens:
                day += dt.timedelta(days=1)
        else:
            day += dt.timedelta(days=1)
        opens, closes = self._window(self.working_day_from(day))
        minutes = int((closes - opens).total_seconds() // 60)
        return opens + dt.timedelta(minutes=rng.randrange(minutes))

    def declaration_time(self, day: dt.date, *, student: bool, rng: random.Random) -> dt.datetime:
        """Staff declare at work; students often from home, in the evening or at the weekend."""
        if student and (not self.is_working_day(day) or rng.random() < 0.22):
            hour = rng.randint(17, 21) if self.is_working_day(day) else rng.randint(10, 20)
            return dt.datetime.combine(day, dt.time(hour, rng.randrange(60)), tzinfo=PARIS)
        day = self.working_day_from(day)
        opens, closes = self._window(day)
        hours = range(opens.hour, closes.hour if closes.minute == 0 else closes.hour + 1)
        hour = rng.choices(hours, weights=[DECLARATION_HOURS.get(h, 5) for h in hours])[0]
        at = dt.datetime.combine(day, dt.time(hour, rng.randrange(60)), tzinfo=PARIS)
        return min(max(at, opens), closes - dt.timedelta(minutes=1))


def skewed_hours(rng: random.Random, median: float, low: float, high: float) -> float:
    """A skewed duration: most tasks are quick, a few drag on."""
    return min(high, max(low, rng.lognormvariate(math.log(median), 0.8)))


def poisson(rng: random.Random, mean: float) -> int:
    threshold, k, p = math.exp(-mean), 0, rng.random()
    while p > threshold:
        k += 1
        p *= rng.random()
    return k
