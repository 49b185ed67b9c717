from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class StaffConfig(AppConfig):
    default = True
    name = "iot_network.staff"
    label = "staff"
    verbose_name = "Staff workspace"
    default_auto_field = "django.db.models.BigAutoField"


class StaffAdminConfig(admin_apps.AdminConfig):
    """The Django admin, on a site that shows each person their IoT's dashboard."""

    default = False
    default_site = "iot_network.staff.site.StaffAdminSite"
