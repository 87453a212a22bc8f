"""The price list and the labour rates in the admin (managers edit, technicians read), and a
ticket's parts and quotes as read-only records on its admin page. Registered from repairs/admin.py."""

from __future__ import annotations

from django.contrib import admin

from devices.admin import ScopedModelAdmin
from repairs.models import LabourRate, Part, Quote, TicketPart


@admin.register(Part)
class PartAdmin(ScopedModelAdmin):
    list_display = ["reference", "label", "unit_price", "active"]
    list_filter = ["active"]
    search_fields = ["reference", "label"]


@admin.register(LabourRate)
class LabourRateAdmin(ScopedModelAdmin):
    list_display = ["coverage", "hourly_rate"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TicketPartInline(ReadOnlyInline):
    model = TicketPart
    fields = ["part", "quantity", "unit_price", "added_by", "added_at"]
    readonly_fields = fields


class QuoteInline(ReadOnlyInline):
    model = Quote
    fields = ["number", "total", "status", "issued_at", "issued_by", "decided_at", "decided_via", "decided_by"]
    readonly_fields = fields
