from celery import shared_task

from . import services


@shared_task
def send_review_reminders() -> int:
    return services.send_review_reminders()
