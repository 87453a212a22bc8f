from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Personal data of minors: the notice, retention and purge, export, and who read a file."""

    name = "privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        from privacy import receivers, tasks  # noqa: F401  (tasks: registered for beat)

        receivers.connect()
