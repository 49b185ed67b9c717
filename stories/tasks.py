from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def publish_scheduled_stories() -> int:
    """Publish stories whose time has come; safe to run twice (a published story is not due)."""
    return services.publish_due()
