"""The demo accounts, put back as they must be on every run."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import models

from demo.fleet.writer import SeedContext, insert
from devices.models import Assignment, Device, Profile


def demo_accounts_ensure(ctx: SeedContext) -> None:
    """The demo accounts are what people log in with: whatever happened to them since the last run
    (a changed password, a deactivation, another role), put back their password, role and place,
    and give each demo student their laptop back if they hold none and nobody else holds it."""
    User = get_user_model()
    rows = {person.username: person for person in ctx.dataset.people if person.is_demo}
    users = list(User.objects.filter(username__in=rows))
    for account in users:
        row = rows[account.get_username()]
        account.password = ctx.password_hash(demo=True)
        account.is_active, account.is_staff, account.is_superuser = True, row.is_staff, False
    User.objects.bulk_update(users, ["password", "is_active", "is_staff", "is_superuser"])

    profiles = {profile.user_id: profile for profile in Profile.objects.filter(user__in=users)}
    for username, row in rows.items():
        profile = profiles.get(ctx.user_ids[username]) or Profile(user_id=ctx.user_ids[username])
        profile.role = row.role
        profile.establishment_id = ctx.establishment_ids[row.establishment_uai] if row.establishment_uai else None
        profile.zone_id = ctx.zone_ids[row.zone_code] if row.zone_code else None
        profiles[profile.user_id] = profile
    Profile.objects.bulk_update([p for p in profiles.values() if p.pk], ["role", "establishment", "zone"])
    Profile.objects.bulk_create([p for p in profiles.values() if not p.pk])

    wanted = {ctx.user_ids[username]: ctx.device_ids[serial] for username, serial in ctx.dataset.demo_devices.items()}
    busy = Assignment.objects.filter(returned_at__isnull=True).filter(
        models.Q(student_id__in=wanted) | models.Q(device_id__in=wanted.values())
    )
    busy_students, busy_devices = set(), set()
    for student_id, device_id in busy.values_list("student_id", "device_id"):
        busy_students.add(student_id)
        busy_devices.add(device_id)
    planned = {(a.serial_number, a.student): a for a in ctx.dataset.assignments if a.student in rows}
    restored = []
    for username, serial in ctx.dataset.demo_devices.items():
        student_id, device_id = ctx.user_ids[username], ctx.device_ids[serial]
        if student_id in busy_students or device_id in busy_devices:
            continue
        plan = planned[(serial, username)]
        restored.append(
            Assignment(
                device_id=device_id,
                student_id=student_id,
                handed_over_at=plan.handed_over_at,
                handed_over_by_id=ctx.user_ids.get(plan.handed_over_by or ""),
                channel=plan.channel,
                delivered_at=plan.handed_over_at,
            )
        )
    if restored:
        insert(ctx, Assignment, restored, counts_as_rows=False)
        Device.objects.filter(pk__in=[a.device_id for a in restored]).update(status=Device.Status.ASSIGNED)
