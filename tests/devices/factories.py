import datetime as dt

import factory
from django.contrib.auth import get_user_model

from devices.models import (
    DEPARTEMENT_ACADEMIE,
    Assignment,
    Device,
    DeviceModel,
    Establishment,
    MasterImage,
    Profile,
    Role,
    WarrantyCoverage,
    Zone,
)


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"zone-{n}")
    name = factory.Sequence(lambda n: f"Zone {n}")


class EstablishmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Establishment

    uai = factory.Sequence(lambda n: f"{310000 + n:07d}A")
    name = factory.Sequence(lambda n: f"Lycée Test {n}")
    city = "Toulouse"
    departement = "31"
    academie = factory.LazyAttribute(lambda o: DEPARTEMENT_ACADEMIE[o.departement])
    zone = factory.SubFactory(ZoneFactory)


class DeviceModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeviceModel
        django_get_or_create = ("manufacturer", "name")

    manufacturer = "Dell"
    name = "Latitude 3140"


class MasterImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MasterImage

    name = "Mon cartable numérique"
    version = factory.Sequence(lambda n: f"2026.{n}")
    academie = "toulouse"
    released_on = dt.date(2026, 8, 20)
    program_count = 500


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    serial_number = factory.Sequence(lambda n: f"SN{n:08d}")
    asset_tag = factory.Sequence(lambda n: f"RO-{n:06d}")
    model = factory.SubFactory(DeviceModelFactory)
    establishment = factory.SubFactory(EstablishmentFactory)
    status = Device.Status.IN_STOCK
    delivered_on = dt.date(2025, 9, 1)


class CoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WarrantyCoverage

    device = factory.SubFactory(DeviceFactory)
    kind = WarrantyCoverage.Kind.MANUFACTURER
    provider = "Dell"
    contract_ref = factory.Sequence(lambda n: f"C-{n}")
    starts_on = dt.date(2025, 9, 1)
    ends_on = dt.date(2028, 8, 31)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    password = factory.django.Password("pw")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    role = Role.STUDENT
    establishment = factory.SubFactory(EstablishmentFactory)
    zone = None


def make_person(role: str, *, establishment=None, zone=None, **user_fields):
    """A user with a profile of `role`; returns the user."""
    user = UserFactory(is_staff=role in (Role.MANAGER, Role.SUPERVISOR, Role.TECHNICIAN), **user_fields)
    if role in (Role.STUDENT, Role.STAFF) and establishment is None:
        establishment = EstablishmentFactory()
    if role == Role.TECHNICIAN and zone is None:
        zone = ZoneFactory()
    ProfileFactory(user=user, role=role, establishment=establishment, zone=zone)
    return user


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    device = factory.SubFactory(DeviceFactory, status=Device.Status.ASSIGNED)
    student = factory.SubFactory(UserFactory)
    handed_over_at = factory.LazyFunction(lambda: dt.datetime(2026, 9, 3, 9, 0, tzinfo=dt.UTC))
