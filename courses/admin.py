from django.contrib import admin

from .models import Course


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "institute", "level", "qualification_type", "status"]
    list_filter = ["status", "level", "qualification_type", "route", "institute__region"]
    list_select_related = ["institute"]
    search_fields = ["title", "provider_name", "institute__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["institute", "route"]
