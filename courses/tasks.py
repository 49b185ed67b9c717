from celery import shared_task

from .services import send_saved_search_alerts


@shared_task(ignore_result=True)
def saved_search_alerts() -> int:
    return send_saved_search_alerts()
