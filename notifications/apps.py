from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # The services publish through notifications.publish; the Celery task is plugged in here,
        # once, so that no module of this app imports one that imports it back.
        from notifications import publish, tasks

        publish.publisher_set(tasks.publish_delivery)
