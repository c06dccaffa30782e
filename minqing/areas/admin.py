from django.contrib import admin

from .models import Area, GridMember


class GridMemberInline(admin.TabularInline):
    model = GridMember
    extra = 0


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    inlines = [GridMemberInline]
