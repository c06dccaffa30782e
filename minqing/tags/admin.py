from django.contrib import admin

from .models import Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "category", "kind", "target", "is_key_group", "is_active"]
    list_filter = ["category", "kind", "target", "is_key_group", "is_active"]
    search_fields = ["name", "code"]
    readonly_fields = ["rule"]
