from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def send_event_reminders() -> int:
    return services.send_reminders()


@shared_task(ignore_result=True)
def expire_waiting_list_offers() -> int:
    return services.expire_offers()


@shared_task(ignore_result=True)
def send_feedback_requests() -> int:
    return services.send_feedback_requests()
