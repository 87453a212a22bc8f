from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """Fleet intelligence: spare pools sized from failure rates, failing batches, image drift."""

    name = "insights"
    verbose_name = _("Fleet intelligence")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from insights.triggers import triggers_ensure

        post_migrate.connect(triggers_ensure, sender=self, dispatch_uid="insights-triggers-ensure")
