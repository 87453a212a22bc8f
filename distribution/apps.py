from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistributionConfig(AppConfig):
    """The September campaign: hand-over desk, returns, home delivery and the live dashboard."""

    name = "distribution"
    verbose_name = _("Distribution campaign")
