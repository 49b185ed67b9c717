from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "iot_network.notifications"
    label = "notifications"
    verbose_name = "Messages"

    def ready(self):
        # Register the delivery tasks in every process, not only in workers (where Celery's
        # autodiscovery would), so dispatch() can hand work to them by name. Models must be
        # loaded first, hence here rather than at the top of the module.
        from . import tasks  # noqa: F401
