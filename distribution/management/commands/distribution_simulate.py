"""`manage.py distribution_simulate --per-minute N [--minutes M]`: plausible hand-overs, live, so
that an audience watching the campaign dashboard sees it move.

Each hand-over goes through the desk's service (`distribution.services.handover_record`), with
its rules: a student of a campaign's establishment who holds no laptop gets a laptop waiting in
stock at the same school, from a staff member of that school. Establishments are drawn at random,
behind schedule or not. Without --minutes it runs until Ctrl-C, which stops it cleanly between
two hand-overs.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from devices.models import Assignment, Device, DistributionCampaign, Profile, Role
from distribution.dates import school_year_label, school_year_of
from distribution.exceptions import Refusal
from distribution.services import handover_record

sleep = time.sleep  # replaced by the tests


class Command(BaseCommand):
    help = (
        "Record plausible laptop hand-overs at the campaign's establishments, N per minute, through "
        "the hand-over desk's service, so that the campaign dashboard moves. Stops after --minutes, or on Ctrl-C."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--per-minute", type=int, required=True, help="hand-overs per minute (1 to 600)")
        parser.add_argument("--minutes", type=float, default=None, help="stop after this many minutes")
        parser.add_argument("--year", type=int, default=None, help="first year of the school year (default: now)")
        parser.add_argument("--seed", type=int, default=None, help="random seed, for a repeatable run")

    def handle(self, *args, per_minute: int, minutes: float | None, year: int | None, seed: int | None, **options):
        if not 1 <= per_minute <= 600:
            raise CommandError(_("--per-minute must be between 1 and 600."))
        if minutes is not None and minutes <= 0:
            raise CommandError(_("--minutes must be positive."))
        year = year or school_year_of(timezone.localdate())
        rng = random.Random(seed)
        waiting, laptops, staff, names = self._candidates(year)
        if not waiting:
            raise CommandError(
                _("No campaign for %(year)s with students waiting for a laptop in stock at their school.")
                % {"year": school_year_label(year)}
            )
        total = None if minutes is None else max(1, round(per_minute * minutes))
        interval = 60 / per_minute
        done = 0
        self.stdout.write(
            _("%(count)s hand-overs a minute at %(schools)s establishments; Ctrl-C to stop.")
            % {"count": per_minute, "schools": len(waiting)}
        )
        next_at = time.monotonic()
        try:
            while (total is None or done < total) and waiting:
                wait = next_at - time.monotonic()
                if wait > 0:
                    sleep(wait)
                next_at += interval
                establishment_id = rng.choice(sorted(waiting))
                if self._hand_over(establishment_id, waiting, laptops, staff, names, rng):
                    done += 1
        except KeyboardInterrupt:
            self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(_("%(count)s hand-overs recorded.") % {"count": done}))

    def _candidates(self, year: int):
        """Per establishment of the campaign: students without a laptop, laptops in stock, a staff member."""
        establishments = dict(
            DistributionCampaign.objects.filter(school_year=school_year_label(year)).values_list(
                "establishment_id", "establishment__name"
            )
        )
        holding = Assignment.objects.filter(returned_at__isnull=True).values("student_id")
        waiting: dict[int, list[int]] = defaultdict(list)
        for establishment_id, user_id in (
            Profile.objects.filter(role=Role.STUDENT, establishment_id__in=establishments, user__is_active=True)
            .exclude(user_id__in=holding)
            .order_by("user_id")
            .values_list("establishment_id", "user_id")
        ):
            waiting[establishment_id].append(user_id)
        laptops: dict[int, list[int]] = defaultdict(list)
        for establishment_id, device_id in (
            Device.objects.filter(status=Device.Status.IN_STOCK, establishment_id__in=establishments)
            .order_by("pk")
            .values_list("establishment_id", "pk")
        ):
            laptops[establishment_id].append(device_id)
        staff = dict(
            Profile.objects.filter(role=Role.STAFF, establishment_id__in=establishments).values_list(
                "establishment_id", "user_id"
            )
        )
        # A hand-over is a staff member's act: establishments without staff are left out.
        usable = {e: students for e, students in waiting.items() if laptops.get(e) and e in staff}
        return usable, laptops, staff, establishments

    def _hand_over(self, establishment_id, waiting, laptops, staff, names, rng) -> bool:
        students, devices = waiting[establishment_id], laptops[establishment_id]
        student_id = students.pop(rng.randrange(len(students)))
        device_id = devices.pop(0)
        if not students or not devices:
            waiting.pop(establishment_id, None)
        User = get_user_model()
        try:
            assignment = handover_record(
                device=Device.objects.get(pk=device_id),
                student=User.objects.get(pk=student_id),
                actor=User.objects.filter(pk=staff.get(establishment_id)).first(),
                charter_signed=True,
                reimage=True,  # as a desk does when it is told the image is outdated
            ).assignment
        except Refusal as error:  # someone at the desk was quicker: skip this pair
            self.stderr.write(str(error))
            return False
        self.stdout.write(
            f"{timezone.localtime(assignment.handed_over_at):%H:%M:%S} {names[establishment_id]}: "
            f"{assignment.student.get_full_name()} ← {assignment.device.serial_number}"
        )
        return True
