"""Who may see and do what. The one place where roles turn into rights.

Views, the API and the admin all ask these functions; none of them reads `profile.role` itself.
Scopes are returned as querysets (or Q objects) so that callers filter in SQL, never in Python.

- student: the devices they hold; their own tickets.
- staff: everything of their establishment.
- technician: the establishments of their zone (the depot zone: every establishment, plus the
  devices held at the depot).
- manager: everything, and may change reference data.
- supervisor (region): reads everything, changes nothing.
- superuser: as a manager.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from devices.models import Device, Establishment, Profile, Role
from devices.selectors import current_holdings

User = AbstractBaseUser | AnonymousUser


def profile_of(user: User) -> Profile | None:
    if not user.is_authenticated:
        return None
    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


def role_of(user: User) -> str | None:
    if user.is_authenticated and user.is_superuser:
        return Role.MANAGER
    profile = profile_of(user)
    return profile.role if profile else None


def is_manager(user: User) -> bool:
    return role_of(user) == Role.MANAGER


def reads_everything(user: User) -> bool:
    return role_of(user) in (Role.MANAGER, Role.SUPERVISOR)


def is_depot_technician(user: User) -> bool:
    profile = profile_of(user)
    return bool(profile and profile.role == Role.TECHNICIAN and profile.zone_id and profile.zone.is_depot)


def scope_key(user: User) -> tuple:
    """All that the scopes of this module read of `user`: two people with the same key see the same
    establishments, devices and tickets (a student, their own). A key of compiled queries
    (config/compiled_sql.py)."""
    role = role_of(user)
    if role in (Role.MANAGER, Role.SUPERVISOR, None):
        return (role,)
    if role == Role.STUDENT:
        return (role, user.pk)
    profile = profile_of(user)
    zone = profile.zone if profile.zone_id else None
    return (role, profile.zone_id, zone.is_depot if zone else None, profile.establishment_id)


def establishment_filter(user: User, prefix: str = "") -> Q | None:
    """A Q selecting the establishments in the user's scope, on a lookup path `prefix`
    (e.g. "establishment__" from Device). None means "no restriction"; an impossible Q means none."""
    role = role_of(user)
    if role in (Role.MANAGER, Role.SUPERVISOR):
        return None
    profile = profile_of(user)
    if role == Role.TECHNICIAN:
        if profile.zone.is_depot:
            return None
        return Q(**{f"{prefix}zone_id": profile.zone_id})
    if role == Role.STAFF:
        return Q(**{f"{prefix}pk": profile.establishment_id})
    return Q(pk__in=[])


def visible_establishments(*, user: User) -> QuerySet[Establishment]:
    scope = establishment_filter(user)
    qs = Establishment.objects.all()
    return qs if scope is None else qs.filter(scope)


def visible_devices(*, user: User) -> QuerySet[Device]:
    role = role_of(user)
    qs = Device.objects.all()
    if role is None:
        return qs.none()
    if role == Role.STUDENT:
        return qs.filter(pk__in=current_holdings(student=user).values("device_id"))
    scope = establishment_filter(user, prefix="establishment__")
    if scope is None:
        return qs
    if role == Role.TECHNICIAN:
        # Zone technicians also see what sits at the depot: spares and devices under repair there.
        return qs.filter(scope | Q(establishment__isnull=True))
    return qs.filter(scope)


def can_view_establishment(*, user: User, establishment: Establishment) -> bool:
    return visible_establishments(user=user).filter(pk=establishment.pk).exists()


def can_view_device(*, user: User, device: Device) -> bool:
    return visible_devices(user=user).filter(pk=device.pk).exists()


def can_act_for_establishment(*, user: User, establishment: Establishment | None) -> bool:
    """Staff of the establishment, a technician of its zone, or a manager: may hand devices over,
    declare on behalf of students, receive devices dropped at school."""
    role = role_of(user)
    if role == Role.MANAGER:
        return True
    if role not in (Role.STAFF, Role.TECHNICIAN):
        return False
    if establishment is None:  # the depot
        return role == Role.TECHNICIAN
    # establishment_filter's scope, decided on the establishment already in hand (no query).
    profile = profile_of(user)
    if role == Role.STAFF:
        return establishment.pk == profile.establishment_id
    return profile.zone.is_depot or establishment.zone_id == profile.zone_id


# Reference data (establishments, models, images, devices, warranties) in the admin.


def can_view_reference_data(user: User) -> bool:
    return role_of(user) in (Role.MANAGER, Role.SUPERVISOR, Role.TECHNICIAN)


def can_change_reference_data(user: User) -> bool:
    return is_manager(user)


def can_manage_people(user: User) -> bool:
    return is_manager(user)
