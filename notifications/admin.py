"""Notifications in the admin: read-only rows, filters to find what failed, and a resend action."""

from functools import cache

from django.conf import settings
from django.contrib import admin, messages
from django.utils.module_loading import import_string
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from config.read_only_admin import ReadOnlyAdminMixin
from notifications import services
from notifications.models import Notification


@cache
def _may_see(path: str):
    return import_string(path)


def may_see_notifications(user) -> bool:
    # The rule lives with the people (settings.NOTIFICATIONS_ADMIN_PERMISSION): this app has no roles.
    return user.is_active and (user.is_superuser or _may_see(settings.NOTIFICATIONS_ADMIN_PERMISSION)(user))


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # the resend action goes through the service
    list_display = ["created_at", "event", "channel", "recipient", "address", "status", "attempts", "sent_at", "error"]
    list_filter = ["status", "channel", "event"]
    search_fields = ["recipient__username", "recipient__email", "address", "idempotency_key", "subject"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    fieldsets = [
        (None, {"fields": ["recipient", "address", "channel", "event", "language", "link", "idempotency_key"]}),
        (_("Delivery"), {"fields": ["status", "attempts", "last_error", "created_at", "next_attempt_at", "sent_at"]}),
        (_("Message"), {"fields": ["subject", "body", "html_body", "digest"]}),
    ]

    @admin.display(description=_("last error"))
    def error(self, obj: Notification) -> str:
        return Truncator(obj.last_error).chars(80)

    @admin.action(description=_("Resend the selected failed notifications"))
    def resend(self, request, queryset):
        resent = sum(services.notification_resend(notification=n) for n in queryset.filter(status="failed"))
        skipped = queryset.count() - resent
        if resent:
            messages.success(
                request,
                ngettext("%(count)d notification queued again.", "%(count)d notifications queued again.", resent)
                % {"count": resent},
            )
        if skipped:
            messages.warning(
                request,
                ngettext(
                    "%(count)d notification had not failed: left as it was.",
                    "%(count)d notifications had not failed: left as they were.",
                    skipped,
                )
                % {"count": skipped},
            )

    def has_module_permission(self, request):
        return may_see_notifications(request.user)

    def has_view_permission(self, request, obj=None):
        return may_see_notifications(request.user)
