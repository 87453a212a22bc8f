"""A small campaign for the dashboard's tests, written through the fleet's services."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from devices.models import DistributionCampaign, Role
from devices.services import assignment_close, assignment_hand_over
from distribution.dates import school_year_of
from tests.devices.factories import DeviceFactory, EstablishmentFactory, make_person

PARIS = ZoneInfo("Europe/Paris")
_numbers = itertools.count()


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=PARIS)


def campaign(*, name: str, departement: str = "31", target: int, starts_on=dt.date(2026, 9, 1), year=None):
    """An establishment and its campaign (of the school year holding `starts_on` by default)."""
    year = year or school_year_of(starts_on)
    establishment = EstablishmentFactory(name=name, departement=departement)
    DistributionCampaign.objects.create(
        school_year=f"{year}-{year + 1}",
        establishment=establishment,
        target_students=target,
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=29),
    )
    return establishment


def student(establishment):
    return make_person(Role.STUDENT, establishment=establishment, username=f"eleve-{next(_numbers)}")


def hand_over(establishment, when: dt.datetime, count: int = 1, **options) -> list:
    """`count` students of `establishment` get a laptop at `when`; returns their assignments."""
    return [
        assignment_hand_over(
            device=DeviceFactory(establishment=establishment), student=student(establishment), at=when, **options
        )
        for _ in range(count)
    ]


def give_back(assignment, when: dt.datetime):
    return assignment_close(assignment=assignment, at=when)
