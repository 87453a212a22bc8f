from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """Fleet intelligence: spare pools sized from failure rates, failing batches, image drift."""

    name = "insights"
    verbose_name = _("Fleet intelligence")
