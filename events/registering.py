"""Taking a place in a registration rush (PostgreSQL): the event row stays locked for one call
inside the database, never across a round trip to Python.

Everyone registering for an event queues on its row lock, so whatever happens while one person
holds it, everyone behind them waits for. ``services.register`` therefore prepares everything
before the lock: the registration's id (drawn from the table's sequence), the mail for either
outcome (a confirmation with its calendar invitation, or a waiting-list message), their
Message-IDs and IoT links, and the version of the event's row (its ``xmin``) it read. Then one
call of ``events_claim_place()`` (migration 0003), in autocommit, locks the row, checks it is
still that version, counts the places and the waiting list, and inserts the registration with the
status the count gives, the one message that status calls for (the waiting-list position filled
in by the database), the message's IoT links and any equality answers; COMMIT follows at once.

The count is a statement of its own inside the function, after the lock is granted, so its
snapshot includes the registration of whoever held the lock before (counting inside the locking
statement would not: a statement's snapshot is taken before it waits). ``created_at`` is the
database's clock at the insert, so the waiting list's order (created_at, then id) is the order
the lock was granted in. When the row changed since it was read, or a place came free for someone
prepared for the waiting list, the call writes nothing and the caller goes step by step.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

from iot_network.notifications.services import Notification, message_values

from .models import Registration

# The version of an event's row: the transaction that wrote it (xmin) and where it lies (ctid);
# every update writes a new version of the row somewhere else, even within one transaction.
ROW_VERSION = RawSQL("events_event.xmin::text || '/' || events_event.ctid::text", ())

CLAIM_SQL = "SELECT * FROM events_claim_place(%s, %s, %s, %s, %s, %s, %s)"

EQUALITY_FIELDS = ("sex", "ethnic_group", "disability", "age_band")


@dataclass(frozen=True)
class Claim:
    """What the call did: ``status`` is None when it wrote nothing."""

    status: str | None
    message_id: int | None
    lock_held_ms: float


def new_registration_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('events_registration', 'id'))")
        return cursor.fetchone()[0]


def claim(
    *,
    registration: Registration,
    mail: dict[str, Notification],
    institutes: set[int],
    equality: dict[str, str] | None,
) -> Claim:
    """Lock, check, count, decide and insert in one call. ``registration.event`` carries
    ``row_version`` (annotated with ROW_VERSION when it was read); ``mail`` holds the prepared
    message for each status it may have ("confirmed" only when an invitation was prepared,
    "waiting"), all transactional, so queued at once. Raises IntegrityError when the address
    already holds an active registration for the event."""
    messages = {str(status): message_values(n) for status, n in mail.items()}
    row = {
        "id": registration.pk,
        "name": registration.name,
        "email": registration.email,
        "organisation": registration.organisation,
        "accessibility_needs": registration.accessibility_needs,
        "dietary_needs": registration.dietary_needs,
    }
    answers = {key: equality.get(key, "") for key in EQUALITY_FIELDS} if equality else None
    # In autocommit the call is its own transaction: COMMIT follows it in the database, with no
    # round trip to Python while the lock is held. Inside a caller's transaction it takes a
    # savepoint, so a refused duplicate does not end the caller's transaction.
    within = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    event = registration.event
    with within, connection.cursor() as cursor:
        cursor.execute(
            CLAIM_SQL,
            [
                event.pk,
                event.row_version,
                [str(s) for s in Registration.HOLDING_A_PLACE],
                json.dumps(row),
                json.dumps(messages),
                sorted(institutes),
                json.dumps(answers) if answers is not None else None,
            ],
        )
        status, message_id, held_ms = cursor.fetchone()
    return Claim(status, message_id, held_ms)
