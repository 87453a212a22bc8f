"""Admin for the fleet's reference data. Rights come from devices.permissions, not Django perms."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from config.read_only_admin import ReadOnlyAdminMixin
from devices import permissions, services
from devices.models import (
    Assignment,
    Device,
    DeviceModel,
    DistributionCampaign,
    Establishment,
    MasterImage,
    Profile,
    WarrantyCoverage,
    Zone,
    normalise_serial,
)


class ScopedAdminMixin:
    """Admin rights through the permission module; querysets narrowed to what the user may see."""

    def has_module_permission(self, request):
        return permissions.can_view_reference_data(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_view_reference_data(request.user)

    def has_add_permission(self, request, *args):
        return permissions.can_change_reference_data(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.can_change_reference_data(request.user)

    def has_delete_permission(self, request, obj=None):
        return permissions.can_change_reference_data(request.user)


class ScopedModelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_per_page = 50
    show_full_result_count = False  # a COUNT(*) over 61,000 devices on every page is wasted work


class ScopedTabularInline(ScopedAdminMixin, admin.TabularInline):
    extra = 0


@admin.register(Zone)
class ZoneAdmin(ScopedModelAdmin):
    list_display = ["code", "name", "is_depot"]
    list_filter = ["is_depot"]
    search_fields = ["code", "name"]


@admin.register(Establishment)
class EstablishmentAdmin(ScopedModelAdmin):
    list_display = ["uai", "name", "city", "departement", "academie", "kind", "sector", "lycee_numerique", "zone"]
    list_filter = ["academie", "departement", "kind", "sector", "lycee_numerique", "zone"]
    search_fields = ["uai", "name", "city"]
    list_select_related = ["zone"]
    readonly_fields = ["academie"]

    def get_queryset(self, request):
        return permissions.visible_establishments(user=request.user).select_related("zone")


@admin.register(DeviceModel)
class DeviceModelAdmin(ScopedModelAdmin):
    list_display = ["manufacturer", "name", "warranty_months"]
    list_filter = ["manufacturer"]
    search_fields = ["manufacturer", "name"]


@admin.register(MasterImage)
class MasterImageAdmin(ScopedModelAdmin):
    list_display = ["name", "version", "academie", "released_on", "program_count", "is_current"]
    list_filter = ["academie", "is_current"]
    search_fields = ["name", "version"]
    # Only the action below changes which image is current, so the switch is atomic.
    readonly_fields = ["is_current"]
    actions = ["make_current"]

    @admin.action(description=_("Make the selected image its académie's current image"))
    def make_current(self, request, queryset):
        images = list(queryset)
        if len({image.academie for image in images}) != len(images):
            self.message_user(request, _("Select at most one image per académie."), messages.ERROR)
            return
        with transaction.atomic():
            for image in images:
                services.master_image_make_current(image=image)
        self.message_user(
            request,
            ngettext("%(count)d image is now current.", "%(count)d images are now current.", len(images))
            % {"count": len(images)},
        )


class CoverageInline(ScopedTabularInline):
    model = WarrantyCoverage


# Assignments are written by the hand-over service (constraints, device status), not here.
class AssignmentInline(ReadOnlyAdminMixin, ScopedTabularInline):
    model = Assignment
    fk_name = "device"
    fields = ["student", "handed_over_at", "handed_over_by", "channel", "tracking_number", "returned_at"]
    raw_id_fields = ["student", "handed_over_by"]


@admin.register(Device)
class DeviceAdmin(ScopedModelAdmin):
    list_display = ["serial_number", "asset_tag", "model", "establishment", "status", "image", "delivered_on"]
    list_filter = ["status", "model", "establishment__academie", "establishment__departement", "image"]
    search_fields = ["=serial_number", "=asset_tag", "establishment__uai", "establishment__name"]
    list_select_related = ["model", "establishment", "image"]
    autocomplete_fields = ["establishment"]
    inlines = [CoverageInline, AssignmentInline]
    date_hierarchy = "delivered_on"

    def get_queryset(self, request):
        return permissions.visible_devices(user=request.user)

    def get_search_results(self, request, queryset, search_term):
        # Serials are stored upper-case without blanks: let people type them any way.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term:
            queryset |= self.get_queryset(request).filter(serial_number=normalise_serial(search_term))
        return queryset, may_have_duplicates


@admin.register(WarrantyCoverage)
class WarrantyCoverageAdmin(ScopedModelAdmin):
    list_display = ["device", "kind", "provider", "contract_ref", "starts_on", "ends_on", "claims_cap", "claims_used"]
    list_filter = ["kind", "provider"]
    search_fields = ["=device__serial_number", "=device__asset_tag", "contract_ref"]
    list_select_related = ["device"]
    raw_id_fields = ["device"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(device__in=permissions.visible_devices(user=request.user))


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    """The distribution history, read-only: hand-overs and returns go through devices.services,
    which keep the device's status and the one-holder rule together."""

    list_display = ["device", "student", "handed_over_at", "handed_over_by", "channel", "returned_at"]
    list_filter = ["channel", "device__establishment__academie"]
    search_fields = ["=device__serial_number", "=device__asset_tag", "student__username", "student__last_name"]
    list_select_related = ["device", "student", "handed_over_by"]
    date_hierarchy = "handed_over_at"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(device__in=permissions.visible_devices(user=request.user))


@admin.register(DistributionCampaign)
class DistributionCampaignAdmin(ScopedModelAdmin):
    list_display = ["school_year", "establishment", "target_students", "starts_on", "ends_on"]
    list_filter = ["school_year", "establishment__academie"]
    search_fields = ["establishment__uai", "establishment__name"]
    list_select_related = ["establishment"]
    autocomplete_fields = ["establishment"]


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["establishment"]

    def has_view_permission(self, request, obj=None):
        return permissions.can_manage_people(request.user)

    has_add_permission = has_change_permission = has_view_permission


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "first_name", "last_name", "email", "role", "is_active"]
    list_filter = ["profile__role", "is_active", "profile__establishment__academie"]
    list_select_related = ["profile"]
    # A student is found by the establishment's own identifier too (from the imported roster).
    search_fields = ["username", "first_name", "last_name", "email", "=profile__student_number"]
    show_full_result_count = False

    @admin.display(description=_("role"), ordering="profile__role")
    def role(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.get_role_display() if profile else "—"

    def has_module_permission(self, request):
        return permissions.can_manage_people(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_manage_people(request.user)

    def has_add_permission(self, request):
        return permissions.can_manage_people(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.can_manage_people(request.user)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        # A manager runs the program's people, not the site: no self-promotion to superuser.
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["is_superuser", "groups", "user_permissions", "last_login", "date_joined"]
