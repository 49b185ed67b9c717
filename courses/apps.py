from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self):
        # Register the tasks in every process, not only in workers, so the bulk upload can hand
        # work to them by name (courses.bulk.services); as notifications' AppConfig does.
        from . import tasks  # noqa: F401
