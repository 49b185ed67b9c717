from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Newsletter"

    def ready(self):
        # Register the tasks in every process, as the outbox does, so send_now() can hand an
        # issue to the worker by name.
        from . import tasks  # noqa: F401
