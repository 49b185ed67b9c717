from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "iot_network.notifications"
    label = "notifications"
    verbose_name = "Messages"
