from celery import shared_task

from . import delivery, services


@shared_task(name=services.SEND_MESSAGES, acks_late=True, ignore_result=True)
def send_messages(message_ids: list[int]) -> dict[str, int]:
    """Deliver a batch of outbox rows. Idempotent: rows already claimed or sent are skipped."""
    return delivery.deliver(message_ids)


@shared_task(ignore_result=True)
def purge_old_messages() -> int:
    return delivery.purge_old()


@shared_task(ignore_result=True)
def sweep_outbox() -> dict[str, int]:
    return delivery.sweep()
