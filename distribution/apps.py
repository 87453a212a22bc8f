from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistributionConfig(AppConfig):
    """The September campaign: hand-over desk, returns, home delivery and the live dashboard."""

    name = "distribution"
    verbose_name = _("Distribution campaign")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from distribution.triggers import triggers_ensure

        post_migrate.connect(triggers_ensure, sender=self, dispatch_uid="distribution-triggers-ensure")
