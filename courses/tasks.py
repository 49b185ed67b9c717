from celery import shared_task

from .services import refresh_upcoming_starts, send_saved_search_alerts


@shared_task(ignore_result=True)
def refresh_course_start_dates() -> int:
    return refresh_upcoming_starts()


@shared_task(ignore_result=True)
def saved_search_alerts() -> int:
    return send_saved_search_alerts()
