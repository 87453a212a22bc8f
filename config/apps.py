from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project's own plumbing as an app, for its management commands (run_scheduler) and its
    deployment checks."""

    name = "config"
    verbose_name = "Configuration"

    def ready(self):
        from config import checks  # noqa: F401  (registers them)
