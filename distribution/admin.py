"""The desk's history in the admin: read-only (hand-overs, undos and returns are made at the
desk, through the services, never by editing rows). Rights from devices.permissions."""

from django.contrib import admin

from config.read_only_admin import ReadOnlyAdminMixin
from devices import permissions
from distribution.models import HandoverEvent


@admin.register(HandoverEvent)
class HandoverEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "kind", "device", "student", "actor", "condition"]
    list_filter = ["kind", "condition"]
    search_fields = ["device__serial_number", "device__asset_tag", "student__username", "student__last_name"]
    list_select_related = ["device", "student", "actor"]
    date_hierarchy = "at"
    list_per_page = 50
    show_full_result_count = False
    readonly_fields = [f.name for f in HandoverEvent._meta.fields]

    def get_queryset(self, request):
        scope = permissions.establishment_filter(request.user, prefix="device__establishment__")
        queryset = super().get_queryset(request)
        return queryset if scope is None else queryset.filter(scope)

    def has_module_permission(self, request):
        return permissions.can_view_reference_data(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_view_reference_data(request.user)
