from django.contrib import admin

from devices import permissions as fleet
from insights.models import BatchNotice, ReimageCampaign


class ReadOnlyForOthers(admin.ModelAdmin):
    """Raised by the weekly job and the services: read here, never edited."""

    def has_module_permission(self, request) -> bool:
        return fleet.reads_everything(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return fleet.reads_everything(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(BatchNotice)
class BatchNoticeAdmin(ReadOnlyForOthers):
    list_display = ["model", "delivered_month", "category", "failures", "expected", "p_value", "raised_at"]
    list_filter = ["category", "model"]


@admin.register(ReimageCampaign)
class ReimageCampaignAdmin(ReadOnlyForOthers):
    list_display = ["establishment", "image", "started_by", "started_at", "closed_at"]
    list_select_related = ["establishment", "image", "started_by"]
