"""Django admin for superusers: code-level inspection and the per-deployment custom fields.

Day-to-day editing happens in the scoped pages, which audit every change; the admin is read-mostly.
"""

from django.contrib import admin

from .models import CustomField, House, Household, Person, Place


@admin.register(CustomField)
class CustomFieldAdmin(admin.ModelAdmin):
    list_display = ["key", "label", "kind", "order", "is_active"]
    list_editable = ["order", "is_active"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Registry rows change only through the services (history, scoping, tags); the admin only reads them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["number", "head_name", "area_path", "member_count", "status", "updated_at"]
    search_fields = ["number", "head_name"]
    list_filter = ["status", "poverty_alleviated", "monitoring_status"]
    show_full_result_count = False


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["name", "household", "relation", "sex", "birth_date", "area_path"]
    search_fields = ["name", "household__number"]
    exclude = ["id_number", "phone"]  # sensitive values stay behind the audited reveal
    show_full_result_count = False


@admin.register(House)
class HouseAdmin(ReadOnlyAdmin):
    list_display = ["address", "household", "safety_grade", "area_path"]
    show_full_result_count = False


@admin.register(Place)
class PlaceAdmin(ReadOnlyAdmin):
    list_display = ["name", "place_type", "hazard_type", "area_path"]
    show_full_result_count = False
