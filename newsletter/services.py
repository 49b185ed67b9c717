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

from events.models import Event
from institutes.models import Institute, Route
from iot_network.notifications.models import Category, Consent, ConsentChange, Message
from iot_network.notifications.services import (
    Notification,
    normalise_email,
    notify,
    notify_many,
    set_consent,
)
from iot_network.staff import audit

from .content import for_kinds, issue_context
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
    owner = user is not None and getattr(user, "email", "").lower() == email
    if owner:
        subscriber.user = user
    interests = {
        "institutes": sorted({getattr(i, "pk", i) for i in institutes}),
        "routes": sorted({getattr(r, "pk", r) for r in routes}),
        "event_types": sorted(set(event_types)),
    }
    if subscriber.confirmed_at is None or owner:
        # Nothing is sent before confirmation, and a signed-in owner needs no proof.
        _apply_interests(subscriber, interests)
        subscriber.pending_interests = None
    else:
        # Someone typed a confirmed subscriber's address: what they get changes only once the
        # address's owner uses the link.
        subscriber.pending_interests = interests
    _send_confirmation(subscriber)
    return subscriber


def interests_to_confirm(subscriber: Subscriber) -> dict:
    """What the subscriber will hear about once the link is used, by name: the interests the
    latest request asked for when they wait for the address's owner, else those already kept.
    ``changes`` says they differ from what a confirmed subscriber gets now."""
    pending = subscriber.pending_interests
    if pending is None:
        institutes = subscriber.institutes.order_by("name").values_list("name", flat=True)
        routes = subscriber.routes.order_by("name").values_list("name", flat=True)
        kinds = subscriber.event_types
    else:
        institutes = Institute.objects.filter(pk__in=pending["institutes"]).order_by("name")
        institutes = institutes.values_list("name", flat=True)
        routes = Route.objects.filter(pk__in=pending["routes"]).order_by("name")
        routes = routes.values_list("name", flat=True)
        kinds = pending["event_types"]
    labels = dict(Event.Type.choices)
    return {
        "institutes": list(institutes),
        "routes": list(routes),
        "event_types": [str(labels.get(kind, kind)) for kind in kinds],
        "changes": pending is not None and subscriber.confirmed_at is not None,
    }


def _apply_interests(subscriber: Subscriber, interests: dict) -> None:
    subscriber.event_types = interests["event_types"]
    subscriber.institutes.set(interests["institutes"])
    subscriber.routes.set(interests["routes"])


@transaction.atomic
def send_new_link(*, email: str) -> None:
    """A new confirmation link for an address that asked to subscribe, keeping its interests.
    An address that never asked gets nothing; the page says the same either way."""
    subscriber = Subscriber.objects.filter(email=normalise_email(email)).first()
    if subscriber is not None:
        # A bare request for a link carries no interests: any asked for by an earlier request
        # (perhaps someone else's) are dropped, not applied by this link.
        subscriber.pending_interests = None
        _send_confirmation(subscriber)


def _send_confirmation(subscriber: Subscriber) -> None:
    # Every request gets a fresh link, with its own days; earlier links stop working.
    subscriber.token = new_token()
    subscriber.token_sent_at = timezone.now()
    subscriber.token_used_at = None
    subscriber.save()
    notify(
        to=subscriber.email,
        kind="newsletter-confirm",
        dedupe_key=f"newsletter-confirm:{subscriber.pk}:{subscriber.token}",
        context={
            "action_url": settings.SITE_URL
            + reverse("newsletter:confirm", kwargs={"token": subscriber.token}),
            "days": settings.NEWSLETTER_CONFIRM_DAYS,
        },
        about=subscriber,
    )


class LinkNotUsable(Exception):
    """The confirmation link was used already or has expired; ``state`` says which."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


@transaction.atomic
def confirm(*, subscriber: Subscriber) -> Subscriber:
    """The address's owner confirmed: a consent record, and issues from now on. The link is
    spent: raises LinkNotUsable when it was used already (two clicks racing) or has expired."""
    # The link that was followed: a request made meanwhile replaced it, and it no longer works.
    subscriber = Subscriber.objects.select_for_update().filter(token=subscriber.token).first()
    if subscriber is None:
        raise LinkNotUsable("unknown")
    now = timezone.now()
    state = subscriber.link_state(now)
    if state != "valid":
        raise LinkNotUsable(state)
    subscriber.confirmed_at = subscriber.confirmed_at or now
    subscriber.token_used_at = now
    if subscriber.pending_interests is not None:
        _apply_interests(subscriber, subscriber.pending_interests)
        subscriber.pending_interests = None
    subscriber.save(
        update_fields=["confirmed_at", "token_used_at", "event_types", "pending_interests"]
    )
    set_consent(
        email=subscriber.email,
        category=Category.NEWSLETTER,
        granted=True,
        source=ConsentChange.Source.DOUBLE_OPT_IN,
        user=subscriber.user,
    )
    return subscriber


# Issues ---------------------------------------------------------------------------------------


def recipients(issue: Issue) -> dict[str, tuple[str, ...]]:
    """Everyone the issue is for, each with the kinds of event they chose: confirmed subscribers
    of its audience, and signed-in people who ticked the newsletter in their preferences without
    subscribing here (no kinds). The outbox then sends only to those who still consent and keeps
    the rest as withheld."""
    chosen = {
        email: tuple(kinds or ())
        for email, kinds in Subscriber.objects.for_issue(issue).values_list("email", "event_types")
    }
    from_preferences = (
        Consent.objects.filter(category=Category.NEWSLETTER, granted=True)
        # Confirmed subscribers are counted above; an unconfirmed request (perhaps typed by
        # someone else) must not stop what the person asked for in their preferences.
        .exclude(email__in=Subscriber.objects.confirmed().values("email"))
        .values_list("email", flat=True)
    )
    return chosen | dict.fromkeys(from_preferences, ())


def _notifications(issue: Issue, recipients: Iterable[tuple[str, dict]]) -> list[Notification]:
    return [
        Notification(
            to=email,
            kind="newsletter-issue",
            dedupe_key=f"newsletter:{issue.pk}:{email}",
            context=context,
            category=Category.NEWSLETTER,
            batch=issue.batch,
        )
        for email, context in recipients
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
    # One context per combination of kinds of event chosen (a handful), not per recipient.
    contexts: dict[tuple[str, ...], dict] = {}
    everyone = sorted(recipients(issue).items())
    for start in range(0, len(everyone), CHUNK):
        chunk = []
        for email, kinds in everyone[start : start + CHUNK]:
            if kinds not in contexts:
                contexts[kinds] = for_kinds(context, kinds)
            chunk.append((email, contexts[kinds]))
        with transaction.atomic():
            notify_many(_notifications(issue, chunk))
    Issue.objects.filter(pk=issue.pk).update(
        status=Issue.Status.SENT, sent_at=timezone.now(), recipients=len(everyone)
    )
    return len(everyone)


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
