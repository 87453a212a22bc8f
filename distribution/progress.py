"""The figures of the campaign's dashboard, from the counts distribution/selectors.py reads: a row
per establishment, département, académie and the whole scope, with its share equipped, its rate
over the last working days, the day it reached or is projected to reach 90 %, and whether it is
behind the schedule (a straight line to 90 % on the fourteenth day)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from distribution.dates import add_working_days, is_working_day, school_year_label

TARGET_PCT = 90
DEADLINE_DAYS = 14  # "90 % of students equipped within two weeks of the start"
RATE_WINDOW_DAYS = 3  # working days
GROUP_BY_CHOICES = (
    ("academie", _("Académie")),
    ("departement", _("Département")),
    ("establishment", _("Establishment")),
)
GROUP_BY_KEYS = tuple(key for key, _label in GROUP_BY_CHOICES)
RATE_WINDOW_TEXT = _("per working day, over the last 3 working days before today (today's count on the first day)")


@dataclass
class ProgressRow:
    """One establishment, département, académie or the whole scope."""

    key: str
    label: str
    target: int = 0
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    at_start: int = 0  # equipped before the first day
    per_day: list[int] = field(default_factory=list)  # students equipped on each day of `days`
    academie: str = ""
    departement: str = ""
    establishments: int = 0
    # Derived by `derive`
    equipped: int = 0
    pct: float | None = None
    today: int = 0
    rate: float = 0.0
    expected_pct: float | None = None
    behind: bool = False
    reached_on: dt.date | None = None
    projected_on: dt.date | None = None
    curve: list[tuple[dt.date, float]] = field(default_factory=list)

    def absorb(self, other: ProgressRow) -> None:
        self.target += other.target
        self.at_start += other.at_start
        self.establishments += other.establishments
        if not self.per_day:
            self.per_day = [0] * len(other.per_day)
        self.per_day = [a + b for a, b in zip(self.per_day, other.per_day, strict=True)]
        if other.starts_on and (self.starts_on is None or other.starts_on < self.starts_on):
            self.starts_on = other.starts_on
        if other.ends_on and (self.ends_on is None or other.ends_on > self.ends_on):
            self.ends_on = other.ends_on

    @property
    def start_pct(self) -> float | None:
        return 100 * self.at_start / self.target if self.target else None

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "target": self.target,
            "equipped": self.equipped,
            "pct": None if self.pct is None else round(self.pct, 1),
            "handed_over_today": self.today,
            "rate_per_day": round(self.rate, 1),
            "projected_on": self.projected_on.isoformat() if self.projected_on else None,
            "reached_on": self.reached_on.isoformat() if self.reached_on else None,
            "expected_pct": None if self.expected_pct is None else round(self.expected_pct, 1),
            "behind_schedule": self.behind,
            "starts_on": self.starts_on.isoformat() if self.starts_on else None,
        }


@dataclass
class CampaignProgress:
    year: int
    today: dt.date
    as_of: dt.datetime
    days: list[dt.date]
    total: ProgressRow
    academies: list[ProgressRow]
    departements: list[ProgressRow]
    establishments: list[ProgressRow]
    filters: dict[str, str]

    @property
    def school_year(self) -> str:
        return school_year_label(self.year)

    @property
    def empty(self) -> bool:
        return not self.establishments

    def rows(self, group_by: str) -> list[ProgressRow]:
        return {"academie": self.academies, "departement": self.departements, "establishment": self.establishments}[
            group_by
        ]

    def fingerprint(self) -> str:
        """Changes whenever a figure the dashboard shows changes (for its live updates); short, as
        the page sends it back in its polling URL."""
        figures = f"{self.today}:{self.total.target}:{self.total.per_day}:" + ",".join(
            f"{r.key}={r.equipped}/{r.target}/{r.today}" for r in self.establishments
        )
        return hashlib.blake2b(figures.encode(), digest_size=12).hexdigest()


def derive(row: ProgressRow, *, days: list[dt.date], today: dt.date, windows: dict | None = None) -> ProgressRow:
    """Everything a row shows, from its target, starting level and counts per day. `windows`
    keeps the rate's working days per first day across the rows of one computation (most rows
    share their first day)."""
    cumulative, running = [], row.at_start
    for count in row.per_day:
        running += count
        cumulative.append(running)
    row.equipped = running
    target = row.target
    needed = math.ceil(target * TARGET_PCT / 100)
    row.pct = 100 * row.equipped / target if target else None
    row.today = row.per_day[days.index(today)] if today in days else 0
    start = row.starts_on or (days[0] if days else today)
    row.curve = [(day, 100 * n / target) for day, n in zip(days, cumulative, strict=True)] if target else []

    window = None if windows is None else windows.get(start)
    if window is None:
        completed = [i for i, day in enumerate(days) if day < today and day >= start and is_working_day(day)]
        window = completed[-RATE_WINDOW_DAYS:]
        if windows is not None:
            windows[start] = window
    # Kept as a fraction (done, days) so that the projection divides integers exactly.
    if window:
        done, span = sum(row.per_day[i] for i in window), len(window)
    else:  # the first day: what has been done so far today is all there is to go by
        done, span = row.today, 1
    row.rate = done / span

    if not target:
        return row
    if row.at_start >= needed:
        row.reached_on = start
    else:
        row.reached_on = next((day for day, n in zip(days, cumulative, strict=True) if n >= needed), None)
    if row.reached_on:
        row.projected_on = row.reached_on
    elif done > 0:
        row.projected_on = add_working_days(today, -(-(needed - row.equipped) * span // done))
    # The schedule: a straight line from the starting level on the first day to 90 % on day 14.
    start_pct = row.start_pct
    elapsed = min(DEADLINE_DAYS, max(0, (today - start).days))
    row.expected_pct = max(start_pct, start_pct + (TARGET_PCT - start_pct) * elapsed / DEADLINE_DAYS)
    row.behind = row.reached_on is None and row.pct < row.expected_pct
    return row


def order(rows: Iterable[ProgressRow]) -> list[ProgressRow]:
    """Behind schedule first, the furthest behind its line first; then the others, least equipped first."""
    return sorted(
        rows,
        key=lambda r: (
            not r.behind,
            (r.pct - r.expected_pct) if r.behind else (r.pct if r.pct is not None else math.inf),
            r.label,
        ),
    )
