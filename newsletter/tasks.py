from celery import shared_task

from . import services


@shared_task(name=services.QUEUE_ISSUE, ignore_result=True, acks_late=True)
def queue_issue(issue_id: int) -> int:
    """Queue an issue's messages in the outbox (idempotent: dedupe keys per issue and address)."""
    return services.queue(issue_id=issue_id)


@shared_task(ignore_result=True)
def send_due_issues() -> int:
    return services.send_due()
