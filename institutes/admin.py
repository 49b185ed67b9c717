from django.contrib import admin

from iot_network.staff.mixins import ScopedAdminMixin

from .models import Institute, Route


@admin.register(Institute)
class InstituteAdmin(ScopedAdminMixin, admin.ModelAdmin):
    staff_may_add = False
    staff_may_delete = False
    list_display = ["name", "lead_institution", "region", "wave", "town"]
    list_filter = ["region", "wave"]
    search_fields = ["name", "lead_institution", "town"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Route)
class RouteAdmin(ScopedAdminMixin, admin.ModelAdmin):
    shared_reference = True
    list_display = ["name", "slug"]
    search_fields = ["name"]
