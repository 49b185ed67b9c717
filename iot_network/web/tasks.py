from celery import shared_task
from django.core.management import call_command


@shared_task
def clear_expired_sessions() -> None:
    """Remove expired sessions so the session table does not grow for ever."""
    call_command("clearsessions")
