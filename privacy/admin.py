"""Managers read the access log (filter by student, by reader) and edit the privacy notice."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from config.read_only_admin import ReadOnlyAdminMixin
from devices import permissions as fleet
from privacy.models import AccessLog, PrivacyNotice
from privacy.notice import DEFAULT_NOTICE


def _reads_everything(request) -> bool:
    user = request.user
    return user.is_active and (user.is_superuser or fleet.reads_everything(user))


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # privacy_purge deletes rows past their retention
    list_display = ["at", "reader", "reader_role", "student", "kind", "object_ref", "export"]
    list_filter = [
        "kind",
        "reader_role",
        ("student", admin.RelatedOnlyFieldListFilter),
        ("reader", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["student__username", "student__last_name", "reader__username", "reader__last_name", "object_ref"]
    list_select_related = ["reader", "student"]
    date_hierarchy = "hour"
    # Every column is a record: nothing here is typed by hand.
    readonly_fields = ["reader", "reader_role", "student", "kind", "object_ref", "hour", "at"]

    @admin.display(description=_("student's data"))
    def export(self, obj: AccessLog) -> str:
        url = reverse("privacy:student_export", args=[obj.student_id])
        return format_html('<a href="{}">{}</a>', url, _("Download"))

    def has_module_permission(self, request):
        return _reads_everything(request)

    def has_view_permission(self, request, obj=None):
        return _reads_everything(request)


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "updated_at"]

    def get_changeform_initial_data(self, request):
        return {"body": str(DEFAULT_NOTICE)}

    def has_module_permission(self, request):
        return _reads_everything(request)

    def has_view_permission(self, request, obj=None):
        return _reads_everything(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and (request.user.is_superuser or fleet.is_manager(request.user))

    def has_add_permission(self, request):
        return self.has_change_permission(request) and not PrivacyNotice.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request)  # back to the default text
