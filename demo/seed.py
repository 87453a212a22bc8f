"""seed_demo: the fleet, the demo accounts, then the tickets, in one transaction.

- the fleet's *generator* (demo/fleet/generator.py) builds plain rows from seeded random streams,
  without touching the database, and its *writer* (demo/fleet/writer.py) inserts what is missing;
- the tickets are drafted from the written fleet (demo/tickets/generator.py) and written in bulk
  as the services would have left them (demo/tickets/writer.py).

Idempotent: a second run adds nothing, and `region` after `small` adds the difference only.
"""

from __future__ import annotations

from django.db import transaction

from demo.campaign import seed_demo_campaign
from demo.fleet.accounts import demo_accounts_ensure
from demo.fleet.generator import demo_data_generate
from demo.fleet.rows import DEFAULT_SEED, DemoDataset, Scale
from demo.fleet.writer import (
    NoProgress,
    Progress,
    SeedContext,
    SeedStep,
    demo_data_check_allowed,
    write_assignments,
    write_campaigns,
    write_coverages,
    write_device_models,
    write_devices,
    write_establishments,
    write_images,
    write_people,
    write_zones,
)
from demo.tickets.writer import seed_demo_tickets
from privacy.demo import demo_access_log_seed

FLEET_STEPS: tuple[tuple[str, SeedStep], ...] = (
    ("zones", write_zones),
    ("establishments", write_establishments),
    ("device_models", write_device_models),
    ("images", write_images),
    ("people", write_people),
    ("devices", write_devices),
    ("coverages", write_coverages),
    ("assignments", write_assignments),
    ("campaigns", write_campaigns),
    ("demo_accounts", demo_accounts_ensure),
)


@transaction.atomic
def demo_data_write(*, dataset: DemoDataset, progress: Progress | None = None) -> SeedContext:
    """Write what is missing of `dataset`, then its tickets; all or nothing."""
    demo_data_check_allowed()
    ctx = SeedContext(dataset=dataset, progress=progress or NoProgress())
    for _name, step in FLEET_STEPS:
        step(ctx)
    seed_demo_tickets(ctx)
    seed_demo_campaign(ctx)
    demo_access_log_seed()
    return ctx


def demo_data_seed(*, scale: Scale | str, seed: int = DEFAULT_SEED, progress: Progress | None = None) -> SeedContext:
    """Generate and write a scale. Refused (DemoDataNotAllowed) where demo data is not allowed."""
    demo_data_check_allowed()
    return demo_data_write(dataset=demo_data_generate(scale=scale, seed=seed), progress=progress)
