from django.contrib import admin

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "event_type", "institute", "starts_at", "status"]
    list_filter = ["status", "event_type", "audience", "is_online"]
    list_select_related = ["institute"]
    search_fields = ["title", "venue_name"]
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["institute"]
