from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairsConfig(AppConfig):
    name = "repairs"
    verbose_name = _("Repairs")

    def ready(self) -> None:
        from devices.demo import register_seed_step
        from repairs import signals, tasks  # noqa: F401  (tasks: registered for repairs.jobs)
        from repairs.demo import seed_demo_tickets
        from repairs.sla.engine import seed_demo_sla

        signals.connect()
        register_seed_step("tickets", seed_demo_tickets)
        register_seed_step("sla", seed_demo_sla)  # after the tickets: their due dates and flags
