from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import CheckIn, CheckInAttempt, CheckInRule


@admin.register(CheckInRule)
class CheckInRuleAdmin(admin.ModelAdmin):
    list_display = ["area", "allow_location", "radius_m", "updated_at"]
    search_fields = ["area__name", "area_path"]
    raw_id_fields = ["area", "updated_by"]


class EvidenceAdmin(admin.ModelAdmin):
    """Check-ins and refusals are evidence: read-only in the admin."""

    date_hierarchy = "date"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CheckIn)
class CheckInAdmin(EvidenceAdmin):
    list_display = ["user", "date", "at", "area", "method", "ip"]
    list_filter = ["method"]


@admin.register(CheckInAttempt)
class CheckInAttemptAdmin(EvidenceAdmin):
    list_display = ["user", "at", "area", "reason", "ip"]
    list_filter = ["reason"]
