from django.contrib import admin

from iot_network.staff.mixins import ScopedAdminMixin
from iot_network.staff.scoping import scope_of

from .models import Institute, Route

# Facts from the Department for Education's announcements: load_reference_data refreshes them on
# every deploy, so only national admins change them here (an IoT's own edit would be undone).
REFERENCE_FIELDS = [
    "name",
    "slug",
    "lead_institution",
    "region",
    "wave",
    "town",
    "latitude",
    "longitude",
]


@admin.register(Institute)
class InstituteAdmin(ScopedAdminMixin, admin.ModelAdmin):
    staff_may_add = False
    staff_may_delete = False
    list_display = ["name", "lead_institution", "region", "wave", "town"]
    list_filter = ["region", "wave"]
    search_fields = ["name", "lead_institution", "town"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": REFERENCE_FIELDS}),
        (
            "Contact details",
            {
                "description": "Shown on the institute's page. Keep them current: learners and "
                "employers use them to get in touch.",
                "fields": ["address", "phone", "contact_email", "website"],
            },
        ),
        ("About", {"fields": ["summary"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not scope_of(request.user).national:
            return REFERENCE_FIELDS
        return super().get_readonly_fields(request, obj)

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and not scope_of(request.user).national:
            return {}  # the slug is read-only for them
        return super().get_prepopulated_fields(request, obj)


@admin.register(Route)
class RouteAdmin(ScopedAdminMixin, admin.ModelAdmin):
    shared_reference = True
    list_display = ["name", "slug"]
    search_fields = ["name"]
