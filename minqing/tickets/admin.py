"""Django admin for superusers: the request catalogue (categories, time limits, routing rules) is edited here
until its own pages come; tickets are read-only (they change only through the services, with their timeline)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from minqing.core.sensitive import SensitiveAdminMixin

from .models import Category, RoutingRule, Ticket, TimeLimit


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "parent"]
    search_fields = ["code", "name"]


@admin.register(TimeLimit)
class TimeLimitAdmin(admin.ModelAdmin):
    list_display = ["category", "urgency", "amount", "unit"]
    list_filter = ["urgency", "unit"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "area", "add_paired_cadre", "village_first"]
    list_filter = ["add_paired_cadre", "village_first"]
    filter_horizontal = ["departments"]
    raw_id_fields = ["area"]


@admin.register(Ticket)
class TicketAdmin(SensitiveAdminMixin, admin.ModelAdmin):
    list_display = ["number", "kind", "category", "status", "level", "area_path", "due_at", "created_at"]
    list_filter = ["status", "kind", "channel", "urgency", "level"]
    search_fields = ["number"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
