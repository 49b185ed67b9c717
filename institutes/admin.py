from django.contrib import admin

from .models import Institute, Route


@admin.register(Institute)
class InstituteAdmin(admin.ModelAdmin):
    list_display = ["name", "lead_institution", "region", "wave", "town"]
    list_filter = ["region", "wave"]
    search_fields = ["name", "lead_institution", "town"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
