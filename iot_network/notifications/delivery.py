"""Delivering the outbox.

At-least-once, with duplicates made as rare as they can be:

* A batch claims its rows with one conditional UPDATE (queued → sending, with a fresh claim
  token), so two workers holding the same ids never both send a row.
* Each row is marked sent, with its token, straight after the SMTP server accepts it.
* The sweeper (beat, every minute) puts rows back in the queue when they have sat in ``sending``
  longer than any task may run, and re-dispatches queued rows whose task was lost (worker killed
  with SIGKILL, Redis restarted, deploy).

The one window left: a worker that dies after the SMTP server accepted a message and before the
row is marked sent. The sweeper then sends that message again. Every row carries one Message-ID
for its whole life, so the copy is recognisable (and most mail systems drop it).
"""

from __future__ import annotations

import logging
import random
import smtplib
import uuid
from collections.abc import Sequence
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import services
from .models import Category, Message

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
# Account mails carry sign-in and password-reset links: keep them only until they are sent.
SCRUB_WHEN_SENT = {"account"}


def unsubscribe_token(email: str, category: str) -> str:
    return signing.dumps({"e": email, "c": category}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[str, str]:
    """Raises signing.BadSignature when the token was tampered with."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return data["e"], data["c"]


def unsubscribe_url(email: str, category: str) -> str:
    path = reverse("notifications:unsubscribe", args=[unsubscribe_token(email, category)])
    return settings.SITE_URL + path


def build_email(message: Message, connection=None) -> EmailMultiAlternatives:
    context = {
        **message.context,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "recipient": message.recipient,
        "category": message.category,
        "category_label": Category(message.category).label.lower(),
    }
    headers = {"Message-ID": message.message_id}
    if message.category != Category.TRANSACTIONAL:
        url = unsubscribe_url(message.recipient, message.category)
        context["unsubscribe_url"] = url
        context["preferences_url"] = settings.SITE_URL + reverse("notifications:preferences")
        # RFC 8058: mail programs may POST "List-Unsubscribe=One-Click" to the URL.
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    folder = f"notifications/email/{message.kind}"
    subject = " ".join(render_to_string(f"{folder}/subject.txt", context).split())
    # The body's <title> repeats the subject, worded once in subject.txt.
    context["subject"] = subject
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{folder}/body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers=headers,
        connection=connection,
    )
    email.attach_alternative(render_to_string(f"{folder}/body.html", context), "text/html")
    for attachment in message.attachments:
        email.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return email


def is_permanent(exc: Exception) -> bool:
    """5xx replies are permanent (bad address, rejected content); everything else – 4xx replies,
    dropped connections, timeouts – is worth another try."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def retry_delay(attempts: int) -> float:
    """Exponential backoff with full jitter, capped."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    ceiling = min(settings.NOTIFICATIONS_RETRY_MAX_SECONDS, base * 2 ** max(attempts - 1, 0))
    return random.uniform(ceiling / 2, ceiling)


def claim(message_ids: Sequence[int]) -> tuple[uuid.UUID, list[Message]]:
    token = uuid.uuid4()
    now = timezone.now()
    Message.objects.filter(pk__in=message_ids).due(now).update(
        status=Message.Status.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1
    )
    return token, list(Message.objects.filter(claim_token=token, status=Message.Status.SENDING))


def _mark_sent(message: Message, token: uuid.UUID) -> None:
    """The hot path of a bulk send, one statement per message, so written out in SQL: the ORM
    spends longer building this UPDATE than PostgreSQL takes to run it."""
    meta = Message._meta
    table = connection.ops.quote_name(meta.db_table)
    scrub = ", context = '{}'" if message.kind in SCRUB_WHEN_SENT else ""
    sent_at = meta.get_field("sent_at").get_db_prep_value(timezone.now(), connection)
    claim = meta.get_field("claim_token").get_db_prep_value(token, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s, claim_token = NULL{scrub} "
            "WHERE id = %s AND claim_token = %s AND status = %s",
            [Message.Status.SENT, sent_at, message.pk, claim, Message.Status.SENDING],
        )


def _finish(message: Message, token: uuid.UUID, **fields) -> None:
    Message.objects.filter(pk=message.pk, claim_token=token, status=Message.Status.SENDING).update(
        claim_token=None, **fields
    )


@contextmanager
def _asynchronous_commit():
    """Let PostgreSQL acknowledge each status update without waiting for its WAL flush.

    Marking a row sent is one small commit per message; waiting for the disk each time costs
    more than the SMTP exchange. Should PostgreSQL itself crash in the next fraction of a second,
    the last marks may be lost: those rows stay "sending" and the sweeper sends them again – the
    same rare duplicate as a worker dying after the SMTP server accepted a message. The database
    stays consistent either way.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def deliver(message_ids: Sequence[int]) -> dict[str, int]:
    """Send the given queued messages over one connection. Safe to call twice with the same ids."""
    token, messages = claim(message_ids)
    outcome = {"sent": 0, "retry": 0, "failed": 0}
    if not messages:
        return outcome
    with _asynchronous_commit():
        _send_claimed(messages, token, outcome)
    return outcome


def _send_claimed(messages: list[Message], token: uuid.UUID, outcome: dict[str, int]) -> None:
    retry_ids: list[int] = []
    max_delay = 0.0
    smtp = get_connection()
    try:
        smtp.open()
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning("Could not connect to the mail server: %s", type(exc).__name__)
    try:
        for message in messages:
            try:
                smtp.send_messages([build_email(message, smtp)])
            except (OSError, smtplib.SMTPException) as exc:
                error = f"{type(exc).__name__}: {exc}"[:2000]
                if is_permanent(exc) or message.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
                    _finish(message, token, status=Message.Status.FAILED, last_error=error)
                    outcome["failed"] += 1
                    logger.warning("Message %s failed: %s", message.pk, type(exc).__name__)
                else:
                    delay = retry_delay(message.attempts)
                    max_delay = max(max_delay, delay)
                    _finish(
                        message,
                        token,
                        status=Message.Status.QUEUED,
                        last_error=error,
                        next_attempt_at=timezone.now() + timedelta(seconds=delay),
                    )
                    retry_ids.append(message.pk)
                    outcome["retry"] += 1
                _reconnect(smtp)
            else:
                _mark_sent(message, token)
                outcome["sent"] += 1
    finally:
        smtp.close()
    if retry_ids and not settings.CELERY_TASK_ALWAYS_EAGER:
        # In-process tasks (the quick start) would retry at once; there the sweeper catches up.
        # A little slack so the retry does not arrive before its row falls due.
        services.dispatch(retry_ids, countdown=max_delay + 0.5)


def _reconnect(connection) -> None:
    """After an error the SMTP session may be unusable; start a clean one for the next message."""
    try:
        connection.close()
        connection.open()
    except (OSError, smtplib.SMTPException):
        pass  # the next send raises, and is retried like any other transient failure


def purge_old(now=None) -> int:
    """Delete finished rows after the retention period: they hold personal data (addresses,
    names in the context) that is no longer needed once the outcome is known."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.NOTIFICATIONS_RETENTION_DAYS)
    deleted, _ = Message.objects.filter(
        status__in=[Message.Status.SENT, Message.Status.FAILED, Message.Status.WITHHELD],
        created_at__lt=cutoff,
    ).delete()
    return deleted


def sweep(now=None) -> dict[str, int]:
    """Rescue rows a lost task or a killed worker left behind, and hand them out again."""

    now = now or timezone.now()
    overdue = now - timedelta(seconds=settings.NOTIFICATIONS_QUEUED_GRACE)
    # A row claimed longer ago than any task may run belongs to a worker that is gone.
    stuck = Message.objects.filter(
        status=Message.Status.SENDING,
        claimed_at__lt=now - timedelta(seconds=settings.NOTIFICATIONS_SENDING_TIMEOUT),
    ).update(status=Message.Status.QUEUED, claim_token=None, next_attempt_at=overdue)
    # Queued rows still waiting well after they fell due had their task lost; dispatching one
    # that still has a task on the way is harmless, as only one claim can win.
    ids = list(
        Message.objects.filter(status=Message.Status.QUEUED, next_attempt_at__lte=overdue)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if ids:
        services.dispatch(ids)
    return {"requeued": stuck, "dispatched": len(ids)}
