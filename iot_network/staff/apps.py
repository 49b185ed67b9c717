from django.apps import AppConfig


class StaffConfig(AppConfig):
    default = True
    name = "iot_network.staff"
    label = "staff"
    verbose_name = "Staff workspace"
    default_auto_field = "django.db.models.BigAutoField"
