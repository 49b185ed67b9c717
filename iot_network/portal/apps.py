from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    """The composition layer: pages and tools that pull several apps together (home page,
    institute page, sitemaps, the staff workspace's dashboard, demo data)."""

    name = "iot_network.portal"
    label = "portal"
    verbose_name = "Portal"


class StaffAdminConfig(admin_apps.AdminConfig):
    """The Django admin, on a site that shows each person their IoT's dashboard."""

    default = False
    default_site = "iot_network.portal.admin_site.StaffAdminSite"
