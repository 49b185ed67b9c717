from django.contrib import admin

from .models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "org_type", "sector", "status", "listed_in_directory", "created_at"]
    list_filter = ["status", "org_type", "sector", "listed_in_directory"]
    list_select_related = ["sector"]
    search_fields = ["name"]  # also used by the course admin's autocomplete
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["institutes"]
