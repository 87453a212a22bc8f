from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data (`manage.py seed_demo`). Sits above the product's apps: it imports devices, repairs
    and notifications, and none of them imports it."""

    name = "demo"
    verbose_name = _("Demo data")
