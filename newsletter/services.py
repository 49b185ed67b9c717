"""Newsletter writes: subscribing (double opt-in), confirming, and composing, testing,
scheduling and sending issues through the outbox's bulk path."""

from __future__ import annotations

from collections.abc import Iterable

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from iot_network.notifications.models import Category, Consent, ConsentChange, Message
from iot_network.notifications.services import (
    Notification,
    normalise_email,
    notify,
    notify_many,
    set_consent,
)
from iot_network.staff import audit

from .content import issue_context
from .models import Issue, Subscriber, new_token

# Rows queued per transaction: each chunk commits (and is handed to the worker) on its own, so a
# large send holds no long transaction and the first messages leave while the rest are queued.
CHUNK = 1000
QUEUE_ISSUE = "newsletter.tasks.queue_issue"


class NewsletterError(Exception):
    """A rule stopped the change; the message is fit to show the person."""


@transaction.atomic
def subscribe(*, email: str, institutes=(), routes=(), event_types=(), user=None) -> Subscriber:
    """Record the request and send the confirmation mail. Nothing is sent to the address until
    its owner confirms (and only a confirmation, whoever typed it)."""
    email = normalise_email(email)
    subscriber, _ = Subscriber.objects.get_or_create(email=email)
    if subscriber.confirmed_at is None:
        subscriber.token = new_token()
    if user is not None and getattr(user, "email", "").lower() == email:
        subscriber.user = user
    subscriber.event_types = sorted(set(event_types))
    subscriber.save()
    subscriber.institutes.set(institutes)
    subscriber.routes.set(routes)
    notify(
        to=email,
        kind="newsletter-confirm",
        dedupe_key=f"newsletter-confirm:{subscriber.pk}:{timezone.now().isoformat()}",
        context={
            "action_url": settings.SITE_URL
            + reverse("newsletter:confirm", kwargs={"token": subscriber.token}),
        },
        about=subscriber,
    )
    return subscriber


@transaction.atomic
def confirm(*, subscriber: Subscriber) -> Subscriber:
    """The address's owner confirmed: a consent record, and issues from now on."""
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["confirmed_at"])
    set_consent(
        email=subscriber.email,
        category=Category.NEWSLETTER,
        granted=True,
        source=ConsentChange.Source.DOUBLE_OPT_IN,
        user=subscriber.user,
    )
    return subscriber


# Issues ---------------------------------------------------------------------------------------


def recipients(issue: Issue) -> list[str]:
    """Everyone the issue is for: confirmed subscribers of its audience, and signed-in people who
    ticked the newsletter in their preferences without subscribing here. The outbox then sends
    only to those who still consent and keeps the rest as withheld."""
    subscribed = set(Subscriber.objects.for_issue(issue).values_list("email", flat=True))
    from_preferences = set(
        Consent.objects.filter(category=Category.NEWSLETTER, granted=True)
        .exclude(email__in=Subscriber.objects.values("email"))
        .values_list("email", flat=True)
    )
    return sorted(subscribed | from_preferences)


def _notifications(issue: Issue, emails: Iterable[str], context: dict) -> list[Notification]:
    return [
        Notification(
            to=email,
            kind="newsletter-issue",
            dedupe_key=f"newsletter:{issue.pk}:{email}",
            context=context,
            category=Category.NEWSLETTER,
            batch=issue.batch,
        )
        for email in emails
    ]


@transaction.atomic
def send_test(*, issue: Issue, acting_user) -> None:
    """The issue as a recipient gets it, to the member of staff (whatever their consent)."""
    notify(
        to=acting_user.email,
        kind="newsletter-issue",
        dedupe_key=f"newsletter:{issue.pk}:test:{acting_user.pk}:{timezone.now().isoformat()}",
        context=issue_context(issue) | {"test": True},
        about=issue,
    )
    audit.record(actor=acting_user, action="sent newsletter test", target=issue)


@transaction.atomic
def schedule(*, issue: Issue, send_at, acting_user) -> Issue:
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if issue.status not in (Issue.Status.DRAFT, Issue.Status.SCHEDULED):
        raise NewsletterError("This issue has already been sent.")
    if send_at <= timezone.now():
        raise NewsletterError("Choose a time in the future, or send it now.")
    issue.status, issue.send_at = Issue.Status.SCHEDULED, send_at
    issue.save(update_fields=["status", "send_at", "updated_at"])
    audit.record(
        actor=acting_user, action="scheduled newsletter", target=issue, detail=send_at.isoformat()
    )
    return issue


@transaction.atomic
def send_now(*, issue: Issue, acting_user) -> Issue:
    """Mark the issue as being sent; the worker queues its messages after commit."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if issue.status not in (Issue.Status.DRAFT, Issue.Status.SCHEDULED):
        raise NewsletterError("This issue has already been sent.")
    issue.status = Issue.Status.SENDING
    issue.send_at = issue.send_at or timezone.now()
    issue.save(update_fields=["status", "send_at", "updated_at"])
    audit.record(actor=acting_user, action="sent newsletter", target=issue)
    issue_id = issue.pk
    # By name, as the outbox does: tasks.py imports this module.
    transaction.on_commit(lambda: current_app.tasks[QUEUE_ISSUE].delay(issue_id))
    return issue


def send_due(*, now=None) -> int:
    """Scheduled issues whose time has come (beat, every minute)."""
    count = 0
    for issue in Issue.objects.due(now):
        try:
            send_now(issue=issue, acting_user=None)
        except NewsletterError:
            continue
        count += 1
    return count


def queue(*, issue_id: int) -> int:
    """Write one outbox row per recipient, a chunk per transaction. Safe to run twice: the
    dedupe key (issue and address) turns away rows already queued. Returns the recipients."""
    issue = Issue.objects.get(pk=issue_id)
    if issue.status == Issue.Status.SENT:
        return issue.recipients
    context = issue_context(issue)
    emails = recipients(issue)
    for start in range(0, len(emails), CHUNK):
        with transaction.atomic():
            notify_many(_notifications(issue, emails[start : start + CHUNK], context))
    Issue.objects.filter(pk=issue.pk).update(
        status=Issue.Status.SENT, sent_at=timezone.now(), recipients=len(emails)
    )
    return len(emails)


def status_counts(issue: Issue) -> dict[str, int]:
    """Queued, sent, failed and withheld messages of the issue, as the outbox has them now."""
    rows = (
        Message.objects.filter(batch=issue.batch)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(("queued", "sending", "sent", "failed", "withheld"), 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts
