"""The one way the portal sends mail: ``notify()`` writes to the outbox inside the caller's
transaction; delivery happens after commit (see delivery.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from celery import current_app
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from iot_network import outages
from iot_network.staff import audit
from iot_network.staff.scoping import institute_ids, link_institutes

from .models import OPTIONAL_CATEGORIES, Category, Consent, ConsentChange, Message

SEND_MESSAGES = "iot_network.notifications.tasks.send_messages"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str
    mimetype: str

    @classmethod
    def calendar(cls, ics: str, *, filename: str = "invite.ics", method: str = "REQUEST"):
        """An iCalendar invitation; ``method`` is REQUEST for new or changed events, CANCEL for
        cancelled ones, so mail programs update the entry already in the calendar."""
        return cls(filename, ics, f"text/calendar; method={method}; charset=utf-8")


@dataclass(frozen=True)
class Notification:
    to: str
    kind: str
    dedupe_key: str
    context: dict = field(default_factory=dict)
    category: str = Category.TRANSACTIONAL
    about: models.Model | None = None
    attachments: Sequence[Attachment] = ()
    batch: str = ""


def normalise_email(address: str) -> str:
    return address.strip().lower()


def _consenting(addresses: Iterable[str], category: str) -> set[str]:
    if category == Category.TRANSACTIONAL:
        return set(addresses)
    return set(
        Consent.objects.filter(
            email__in=set(addresses), category=category, granted=True
        ).values_list("email", flat=True)
    )


def message_values(n: Notification) -> dict:
    """The outbox row's columns for ``n``, but for its status (which consent decides)."""
    return {
        "recipient": normalise_email(n.to),
        "kind": n.kind,
        "category": n.category,
        "dedupe_key": n.dedupe_key,
        "context": n.context,
        "attachments": [vars(a) for a in n.attachments],
        "batch": n.batch,
        "message_id": Message.new_message_id(n.kind),
        "about_type_id": ContentType.objects.get_for_model(n.about).pk if n.about else None,
        "about_id": str(n.about.pk) if n.about else "",
    }


def notify_many(notifications: Sequence[Notification]) -> list[Message]:
    """Queue many messages with a few queries; returns the rows this call created.

    Rows whose dedupe key already exists are left alone (the call is idempotent). Mail in an
    optional category to someone who has not opted in is kept as ``withheld``, so staff can see it
    was not sent and why. Delivery is scheduled only when the caller's transaction commits.
    """
    if not notifications:
        return []
    by_category: dict[str, set[str]] = {}
    for n in notifications:
        by_category.setdefault(n.category, set()).add(normalise_email(n.to))
    consenting = {
        category: _consenting(emails, category) for category, emails in by_category.items()
    }

    now = timezone.now()
    # No query for the keys already used: the unique dedupe key turns them away in the insert
    # (ignore_conflicts), and only the rows this call inserted are read back. A registration
    # writes its row while it holds the event's lock, so every query here is one the next
    # registrant waits for.
    rows, seen = [], set()
    institutes_by_key: dict[str, set[int]] = {}
    for n in notifications:
        if n.dedupe_key in seen:
            continue
        seen.add(n.dedupe_key)
        values = message_values(n)
        allowed = values["recipient"] in consenting[n.category]
        rows.append(
            Message(
                **values,
                status=Message.Status.QUEUED if allowed else Message.Status.WITHHELD,
                next_attempt_at=now if allowed else None,
            )
        )
        if n.about is not None:
            institutes_by_key[n.dedupe_key] = institute_ids(n.about)
    # ignore_conflicts: a concurrent transaction may have queued the same key meanwhile.
    Message.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    created = list(
        Message.objects.filter(
            dedupe_key__in=[row.dedupe_key for row in rows],
            message_id__in=[row.message_id for row in rows],
        )
    )
    link_institutes(
        Message,
        {
            m.pk: institutes_by_key[m.dedupe_key]
            for m in created
            if m.dedupe_key in institutes_by_key
        },
    )
    dispatch_on_commit([m.pk for m in created if m.status == Message.Status.QUEUED])
    return created


def dispatch_on_commit(message_ids: Sequence[int]) -> None:
    """Hand queued rows to the worker once the caller's transaction commits."""
    if message_ids:
        transaction.on_commit(lambda: dispatch(message_ids))


def notify(
    *,
    to: str,
    kind: str,
    dedupe_key: str,
    context: dict | None = None,
    category: str = Category.TRANSACTIONAL,
    about: models.Model | None = None,
    attachments: Sequence[Attachment] = (),
) -> Message | None:
    """Queue one message. Returns the new row, or None when the dedupe key was already used."""
    created = notify_many(
        [
            Notification(
                to=to,
                kind=kind,
                dedupe_key=dedupe_key,
                context=context or {},
                category=category,
                about=about,
                attachments=attachments,
            )
        ]
    )
    return created[0] if created else None


def dispatch(message_ids: Sequence[int], *, countdown: float | None = None) -> None:
    """Hand message ids to the worker in batches (one SMTP connection per batch)."""
    # Looked up by name in Celery's registry rather than imported: tasks.py imports delivery,
    # which hands retries back through this function.
    send_messages = current_app.tasks[SEND_MESSAGES]
    size = settings.NOTIFICATIONS_BATCH_SIZE
    for start in range(0, len(message_ids), size):
        try:
            send_messages.apply_async(
                args=[list(message_ids[start : start + size])], countdown=countdown
            )
        except (KombuOperationalError, OSError) as exc:
            # Runs after commit: the rows are saved and stay queued, and the sweeper hands them
            # to a worker once the broker is back. The person's request must not fail for it.
            outages.report("broker", "mail left queued for the sweeper", exc)
            return
        outages.recovered("broker")


@transaction.atomic
def retry_failed(*, messages: models.QuerySet[Message], acting_user) -> int:
    """Queue the failed messages among ``messages`` again, from a first attempt; they are handed
    to the worker after commit. Returns how many."""
    failed = list(
        Message.objects.select_for_update().filter(
            pk__in=messages.values("pk"), status=Message.Status.FAILED
        )
    )
    ids = [message.pk for message in failed]
    Message.objects.filter(pk__in=ids).update(
        status=Message.Status.QUEUED, next_attempt_at=timezone.now(), attempts=0
    )
    audit.record_many(actor=acting_user, action="retried message", targets=failed)
    transaction.on_commit(lambda: dispatch(ids))
    return len(ids)


# Consent -------------------------------------------------------------------------------------


def has_consent(email: str, category: str) -> bool:
    return bool(_consenting([normalise_email(email)], category))


@transaction.atomic
def set_consent(*, email: str, category: str, granted: bool, source: str, user=None) -> bool:
    """Record a consent decision. Returns True when it changed anything."""
    if category not in OPTIONAL_CATEGORIES:
        raise ValueError(f"{category!r} is not an optional category")
    email = normalise_email(email)
    current = (
        Consent.objects.select_for_update()
        .filter(email=email, category=category)
        .values_list("granted", flat=True)
        .first()
    )
    # No row means no consent, so saying "no" for the first time changes nothing.
    if bool(current) == granted:
        return False
    Consent.objects.update_or_create(email=email, category=category, defaults={"granted": granted})
    ConsentChange.objects.create(
        email=email, category=category, granted=granted, source=source, user=user
    )
    return True


def consents_for(email: str) -> dict[str, bool]:
    granted = dict(
        Consent.objects.filter(email=normalise_email(email)).values_list("category", "granted")
    )
    return {category: granted.get(category, False) for category in OPTIONAL_CATEGORIES}
