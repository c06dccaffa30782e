"""Django admin for superusers: code-level inspection and the per-deployment custom fields.

Day-to-day editing happens in the scoped pages, which audit every change; the admin is read-mostly.
"""

from django.contrib import admin

from minqing.core.sensitive import SensitiveAdminMixin

from .models import CustomField, House, Household, Person, Place


@admin.register(CustomField)
class CustomFieldAdmin(admin.ModelAdmin):
    list_display = ["key", "label", "kind", "order", "is_active"]
    list_editable = ["order", "is_active"]


class ReadOnlyAdmin(SensitiveAdminMixin, admin.ModelAdmin):
    """Registry rows change only through the services (history, scoping, tags); the admin only reads them.

    Sensitive fields (the registry in ``minqing.core.sensitive``) show masked; the clear value only through
    the audited reveal of the registry pages.
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["number", "head_name", "phone", "area_path", "member_count", "status", "updated_at"]
    search_fields = ["number", "head_name"]
    list_filter = ["status", "poverty_alleviated", "monitoring_status"]
    show_full_result_count = False


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["name", "household", "relation", "sex", "birth_date", "phone", "area_path"]
    search_fields = ["name", "household__number"]
    show_full_result_count = False


@admin.register(House)
class HouseAdmin(ReadOnlyAdmin):
    list_display = ["address", "household", "safety_grade", "area_path"]
    show_full_result_count = False


@admin.register(Place)
class PlaceAdmin(ReadOnlyAdmin):
    list_display = ["name", "place_type", "hazard_type", "phone", "area_path"]
    show_full_result_count = False
