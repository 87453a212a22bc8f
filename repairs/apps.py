from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairsConfig(AppConfig):
    name = "repairs"
    verbose_name = _("Repairs")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from repairs import signals, tasks  # noqa: F401  (tasks: registered for repairs.jobs)
        from repairs.sla.calendar import calendar_warm_up
        from repairs.triggers import triggers_ensure

        signals.connect()
        calendar_warm_up()
        post_migrate.connect(triggers_ensure, sender=self, dispatch_uid="repairs-triggers-ensure")
