"""The fleet writer: inserts what is missing of a DemoDataset with `bulk_create`, resolving foreign
keys through natural keys (UAI, serial number, username, (académie, version)...). Running it twice
adds nothing, and running `region` after `small` only adds the difference.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import models

from demo.fleet.rows import DEMO_PASSWORD, DemoDataset
from devices.models import (
    Assignment,
    Device,
    DeviceModel,
    DistributionCampaign,
    Establishment,
    MasterImage,
    Profile,
    WarrantyCoverage,
    Zone,
)


class Progress(Protocol):
    def update(self, n: int = 1) -> object: ...


class NoProgress:
    def update(self, n: int = 1) -> None:
        return None


@dataclass
class SeedContext:
    """What the writer knows after each step: natural key → primary key, and what it created.

    The ticket steps read the maps instead of querying rows one by one.
    """

    dataset: DemoDataset
    progress: Progress
    zone_ids: dict[str, int] = field(default_factory=dict)
    establishment_ids: dict[str, int] = field(default_factory=dict)
    model_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    image_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    device_ids: dict[str, int] = field(default_factory=dict)
    new_serials: set[str] = field(default_factory=set)
    created: Counter[str] = field(default_factory=Counter)  # model label → rows created
    _hashes: dict[bool, str] = field(default_factory=dict)

    def password_hash(self, *, demo: bool) -> str:
        """One hash for every generated account, one for the demo accounts: hashing tens of thousands
        of passwords would take hours. The generated accounts' secret is random and thrown away, so
        nobody can log in as them; only the demo accounts have a known password."""
        if demo not in self._hashes:
            self._hashes[demo] = make_password(DEMO_PASSWORD if demo else secrets.token_urlsafe(32))
        return self._hashes[demo]


SeedStep = Callable[[SeedContext], None]


class DemoDataNotAllowed(Exception):
    """Demo data is refused where settings.DEMO_DATA_ALLOWED is off (production)."""


def demo_data_check_allowed() -> None:
    """Raise DemoDataNotAllowed in production: the demo accounts have a published password."""
    if not settings.DEMO_DATA_ALLOWED:
        raise DemoDataNotAllowed


BATCH = 2000


def _chunks(items: Iterable, size: int = BATCH) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def insert(
    ctx: SeedContext, model: type[models.Model], objects: Iterable[models.Model], *, counts_as_rows: bool = True
) -> list[models.Model]:
    """bulk_create in chunks (the progress bar moves, memory stays flat); returns objects with pks.

    PostgreSQL and SQLite ≥ 3.35 both return the new primary keys from a bulk insert.
    """
    created: list[models.Model] = []
    for chunk in _chunks(objects):
        created.extend(model.objects.bulk_create(chunk))
        if counts_as_rows:
            ctx.progress.update(len(chunk))
    ctx.created[model._meta.label] += len(created)
    return created


def write_zones(ctx: SeedContext) -> None:
    rows = ctx.dataset.zones
    existing = dict(Zone.objects.filter(code__in=[row.code for row in rows]).values_list("code", "pk"))
    ctx.progress.update(len(existing))
    new = insert(
        ctx, Zone, (Zone(code=r.code, name=r.name, is_depot=r.is_depot) for r in rows if r.code not in existing)
    )
    ctx.zone_ids = existing | {zone.code: zone.pk for zone in new}


def write_establishments(ctx: SeedContext) -> None:
    rows = ctx.dataset.establishments
    existing = dict(Establishment.objects.filter(uai__in=[row.uai for row in rows]).values_list("uai", "pk"))
    ctx.progress.update(len(existing))
    new = insert(
        ctx,
        Establishment,
        (
            Establishment(
                uai=r.uai,
                name=r.name,
                city=r.city,
                departement=r.departement,
                academie=r.academie,  # bulk_create skips Establishment.save(), which derives it
                kind=r.kind,
                sector=r.sector,
                lycee_numerique=r.lycee_numerique,
                zone_id=ctx.zone_ids[r.zone_code],
            )
            for r in rows
            if r.uai not in existing
        ),
    )
    ctx.establishment_ids = existing | {establishment.uai: establishment.pk for establishment in new}


def write_device_models(ctx: SeedContext) -> None:
    existing = {(m, n): pk for m, n, pk in DeviceModel.objects.values_list("manufacturer", "name", "pk")}
    rows = ctx.dataset.device_models
    ctx.progress.update(sum(row.key in existing for row in rows))
    new = insert(
        ctx,
        DeviceModel,
        (
            DeviceModel(manufacturer=r.manufacturer, name=r.name, warranty_months=r.warranty_months)
            for r in rows
            if r.key not in existing
        ),
    )
    ctx.model_ids = existing | {(m.manufacturer, m.name): m.pk for m in new}


def write_images(ctx: SeedContext) -> None:
    existing = {(a, v): pk for a, v, pk in MasterImage.objects.values_list("academie", "version", "pk")}
    # An académie that already has a current image keeps it: a manager may have chosen another one,
    # and the partial unique index allows one current image per académie anyway.
    has_current = set(MasterImage.objects.filter(is_current=True).values_list("academie", flat=True))
    rows = ctx.dataset.images
    ctx.progress.update(sum(row.key in existing for row in rows))
    new = insert(
        ctx,
        MasterImage,
        (
            MasterImage(
                name=r.name,
                version=r.version,
                academie=r.academie,
                released_on=r.released_on,
                program_count=r.program_count,
                is_current=r.is_current and r.academie not in has_current,
            )
            for r in rows
            if r.key not in existing
        ),
    )
    ctx.image_ids = existing | {(image.academie, image.version): image.pk for image in new}


def write_people(ctx: SeedContext) -> None:
    User = get_user_model()
    rows = ctx.dataset.people
    existing = dict(User.objects.values_list("username", "pk"))
    ctx.progress.update(sum(row.username in existing for row in rows))
    new_users = insert(
        ctx,
        User,
        (
            User(
                username=r.username,
                first_name=r.first_name,
                last_name=r.last_name,
                email=r.email,
                password=ctx.password_hash(demo=r.is_demo),
                is_staff=r.is_staff,
                is_active=r.is_active,
            )
            for r in rows
            if r.username not in existing
        ),
    )
    ctx.user_ids = existing | {user.get_username(): user.pk for user in new_users}
    with_profile = set(Profile.objects.values_list("user_id", flat=True))
    insert(
        ctx,
        Profile,
        (
            Profile(
                user_id=ctx.user_ids[r.username],
                role=r.role,
                establishment_id=ctx.establishment_ids[r.establishment_uai] if r.establishment_uai else None,
                zone_id=ctx.zone_ids[r.zone_code] if r.zone_code else None,
                phone=r.phone,
            )
            for r in rows
            if ctx.user_ids[r.username] not in with_profile
        ),
        counts_as_rows=False,  # the progress bar counts people once
    )


def write_devices(ctx: SeedContext) -> None:
    rows = ctx.dataset.devices
    existing = dict(Device.objects.values_list("serial_number", "pk"))
    ctx.progress.update(sum(row.serial_number in existing for row in rows))
    new = insert(
        ctx,
        Device,
        (
            Device(
                serial_number=r.serial_number,
                asset_tag=r.asset_tag,
                model_id=ctx.model_ids[r.model],
                establishment_id=ctx.establishment_ids[r.establishment_uai] if r.establishment_uai else None,
                status=r.status,
                image_id=ctx.image_ids[r.image] if r.image else None,
                delivered_on=r.delivered_on,
            )
            for r in rows
            if r.serial_number not in existing
        ),
    )
    ctx.new_serials = {device.serial_number for device in new}
    ctx.device_ids = existing | {device.serial_number: device.pk for device in new}


def write_coverages(ctx: SeedContext) -> None:
    # Coverages have no natural key: they are written with their device, once.
    rows = ctx.dataset.coverages
    ctx.progress.update(sum(row.serial_number not in ctx.new_serials for row in rows))
    insert(
        ctx,
        WarrantyCoverage,
        (
            WarrantyCoverage(
                device_id=ctx.device_ids[r.serial_number],
                kind=r.kind,
                provider=r.provider,
                contract_ref=r.contract_ref,
                starts_on=r.starts_on,
                ends_on=r.ends_on,
                claims_cap=r.claims_cap,
                claims_used=r.claims_used,
            )
            for r in rows
            if r.serial_number in ctx.new_serials
        ),
    )


def write_assignments(ctx: SeedContext) -> None:
    # Written with their device, once. A student who already holds a device (the database has a
    # life of its own between runs) keeps it: the open-assignment constraint would refuse a second one.
    holding = set(Assignment.objects.filter(returned_at__isnull=True).values_list("student_id", flat=True))
    rows = ctx.dataset.assignments
    ctx.progress.update(sum(row.serial_number not in ctx.new_serials for row in rows))
    insert(
        ctx,
        Assignment,
        (
            Assignment(
                device_id=ctx.device_ids[r.serial_number],
                student_id=ctx.user_ids[r.student],
                handed_over_at=r.handed_over_at,
                handed_over_by_id=ctx.user_ids[r.handed_over_by] if r.handed_over_by else None,
                channel=r.channel,
                tracking_number=r.tracking_number,
                delivered_at=r.handed_over_at,
                returned_at=r.returned_at,
            )
            for r in rows
            if r.serial_number in ctx.new_serials
            and (r.returned_at is not None or ctx.user_ids[r.student] not in holding)
        ),
    )


def write_campaigns(ctx: SeedContext) -> None:
    """Create missing campaigns; raise a target when this scale equips more students (small, then
    region), never lower it (region, then small)."""
    rows = ctx.dataset.campaigns
    existing = {
        (year, establishment_id): (pk, target)
        for pk, year, establishment_id, target in DistributionCampaign.objects.filter(
            establishment_id__in=ctx.establishment_ids.values()
        ).values_list("pk", "school_year", "establishment_id", "target_students")
    }
    raised = []
    missing = []
    for r in rows:
        key = (r.school_year, ctx.establishment_ids[r.establishment_uai])
        if key not in existing:
            missing.append(
                DistributionCampaign(
                    school_year=r.school_year,
                    establishment_id=key[1],
                    target_students=r.target_students,
                    starts_on=r.starts_on,
                    ends_on=r.ends_on,
                )
            )
        elif existing[key][1] < r.target_students:
            raised.append(DistributionCampaign(pk=existing[key][0], target_students=r.target_students))
    ctx.progress.update(len(rows) - len(missing))
    insert(ctx, DistributionCampaign, missing)
    DistributionCampaign.objects.bulk_update(raised, ["target_students"], batch_size=BATCH)
