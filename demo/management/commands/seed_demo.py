"""`manage.py seed_demo [--scale small|region]`: demo data and the demo accounts.

Thin: demo.seed generates and writes; this prints what happened.
"""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from tqdm import tqdm

from demo.fleet.generator import demo_data_generate
from demo.fleet.rows import DEMO_PASSWORD, DEMO_USERNAMES, Scale
from demo.fleet.writer import DemoDataNotAllowed, SeedContext, demo_data_check_allowed
from demo.seed import demo_data_write
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
from repairs.models import Ticket


class Command(BaseCommand):
    help = (
        "Create demo data: technician zones, establishments, laptops, warranties, people and their "
        "laptops, distribution campaigns, tickets in every state (with loaners and swaps), and the demo "
        "accounts (password 'demo'). Idempotent. "
        "Refused where DEMO_DATA_ALLOWED is off (production)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=[scale.value for scale in Scale],
            default=Scale.SMALL.value,
            help="small: 18 establishments, a few hundred laptops (about a second); "
            "region: 370 establishments, 61,000 laptops and about 12,700 tickets "
            "(under a minute, see bench/seed_demo.py).",
        )

    def handle(self, *args, scale: str, verbosity: int = 1, **options) -> None:
        started = time.perf_counter()
        # A progress bar only where someone watches: not in tests, logs or pipes.
        show_progress = verbosity > 0 and scale == Scale.REGION and self.stdout.isatty()
        try:
            demo_data_check_allowed()  # before spending seconds on generating a region
            dataset = demo_data_generate(scale=scale)
            with tqdm(total=dataset.row_count(), unit=" rows", disable=not show_progress, leave=False) as bar:
                ctx = demo_data_write(dataset=dataset, progress=bar)
        except DemoDataNotAllowed as exc:
            raise CommandError(
                _(
                    "Demo data is not allowed here (DEMO_DATA_ALLOWED is off, as in production): "
                    "the demo accounts have a published password."
                )
            ) from exc
        if verbosity > 0:
            self._summary(ctx, scale=scale, seconds=time.perf_counter() - started)

    def _summary(self, ctx: SeedContext, *, scale: str, seconds: float) -> None:
        User = get_user_model()
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo data ready (scale: %(scale)s) in %(seconds).1f s.") % {"scale": scale, "seconds": seconds}
            )
        )
        for model in (
            Zone,
            Establishment,
            DeviceModel,
            MasterImage,
            User,
            Profile,
            Device,
            WarrantyCoverage,
            Assignment,
            DistributionCampaign,
            Ticket,
        ):
            self.stdout.write(
                "  "
                + _("%(label)s: %(created)d created, %(total)d in total")
                % {
                    "label": capfirst(model._meta.verbose_name_plural),
                    "created": ctx.created[model._meta.label],
                    "total": model.objects.count(),
                }
            )
        self.stdout.write(_("Demo accounts (password: %(password)s):") % {"password": DEMO_PASSWORD})
        profiles = {
            profile.user.get_username(): profile
            for profile in Profile.objects.filter(user__username__in=DEMO_USERNAMES).select_related(
                "user", "establishment", "zone"
            )
        }
        for username in DEMO_USERNAMES:
            profile = profiles[username]
            where = profile.establishment or profile.zone or _("every establishment")
            line = f"  {username:<20} {profile.get_role_display()}, {where}"
            if serial := ctx.dataset.demo_devices.get(username):
                line += " — " + _("holds %(serial)s") % {"serial": serial}
            self.stdout.write(line)
