from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairsConfig(AppConfig):
    name = "repairs"
    verbose_name = _("Repairs")

    def ready(self) -> None:
        from repairs import signals, tasks  # noqa: F401  (tasks: registered for repairs.jobs)

        signals.connect()
