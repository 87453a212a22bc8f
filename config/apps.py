from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project's own plumbing as an app, for its management commands (run_scheduler)."""

    name = "config"
    verbose_name = "Configuration"
