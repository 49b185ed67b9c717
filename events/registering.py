"""Taking a place in a registration rush (PostgreSQL): the event row stays locked for two short
statements and COMMIT, not while Python runs.

Everyone registering for an event queues on its row lock, so whatever happens while one person
holds it, everyone behind them waits for. ``services.register`` therefore prepares everything
before it takes the lock: the registration's id (drawn from the table's sequence), the mail for
either outcome (a confirmation with its calendar invitation, or a waiting-list message), their
Message-IDs and IoT links. Under the lock it sends two statements:

1. ``SELECT ... FOR UPDATE`` of the event's row: the fields the prepared mail and the "is
   registration open" decision were built from. If any changed since they were read, the caller
   falls back to the step-by-step path (``services._register_locked``) under the lock it now holds.
2. One statement that counts the places taken and the waiting list, and inserts the registration
   with the status that count gives, the one message that status calls for (the waiting-list
   position filled in by the database), the message's IoT links and any equality answers.

The count runs in a statement of its own after the lock is granted, so its snapshot includes the
registration of whoever held the lock before (counting inside the locking statement would not:
a statement's snapshot is taken before it waits). ``created_at`` is the database's clock at the
insert, so the waiting list's order (created_at, then id) is the order the lock was granted in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import connection

from iot_network.notifications.services import Notification, message_values

from .models import Event, Registration

# What the prepared mail and the open/closed decision depend on: if one of these changed between
# the unlocked read and the lock, the prepared registration is thrown away.
CHECKED_FIELDS = (
    "slug", "title", "summary", "status", "sequence", "starts_at", "ends_at", "is_online",
    "venue_name", "venue_address", "venue_postcode", "institute_id", "registration_opens_at",
    "registration_closes_at", "joining_details", "accessibility_info", "capacity",
)  # fmt: skip

LOCK_SQL = (
    f"SELECT {', '.join(CHECKED_FIELDS)} FROM {Event._meta.db_table} WHERE id = %s FOR UPDATE"
)

CLAIM_SQL = """
WITH counted AS (
    SELECT count(*) FILTER (WHERE status = ANY(%(holding)s)) AS taken,
           count(*) FILTER (WHERE status = 'waiting') AS waiting
    FROM events_registration
    WHERE event_id = %(event_id)s
), chosen AS (
    SELECT CASE WHEN %(capacity)s::integer IS NULL OR taken < %(capacity)s::integer
                THEN 'confirmed' ELSE 'waiting' END AS status,
           waiting + 1 AS position
    FROM counted
), reg AS (
    INSERT INTO events_registration (
        id, event_id, name, email, organisation, accessibility_needs, dietary_needs, status,
        offer_expires_at, created_at, updated_at
    )
    SELECT %(id)s, %(event_id)s, %(name)s, %(email)s, %(organisation)s, %(accessibility_needs)s,
           %(dietary_needs)s, chosen.status, NULL, clock_timestamp(), clock_timestamp()
    FROM chosen
    -- A place with no prepared invitation (the event looked full when it was read) is left to
    -- the step-by-step path, which builds one.
    WHERE chosen.status = 'waiting' OR %(confirmable)s
    RETURNING id, status
), msg AS (
    INSERT INTO notifications_message (
        recipient, kind, category, dedupe_key, context, attachments, batch, message_id, status,
        attempts, last_error, created_at, next_attempt_at, about_id, about_type_id
    )
    SELECT m.recipient, m.kind, m.category, m.dedupe_key,
           CASE WHEN reg.status = 'waiting'
                THEN jsonb_set(m.context, '{position}', to_jsonb(chosen.position))
                ELSE m.context END,
           m.attachments, m.batch, m.message_id, 'queued', 0, '', clock_timestamp(),
           clock_timestamp(), m.about_id, m.about_type_id
    FROM reg
    CROSS JOIN chosen
    JOIN jsonb_to_recordset(%(messages)s::jsonb) AS m(
        for_status text, recipient text, kind text, category text, dedupe_key text,
        context jsonb, attachments jsonb, batch text, message_id text, about_id text,
        about_type_id integer
    ) ON m.for_status = reg.status
    ON CONFLICT DO NOTHING
    RETURNING id
), linked AS (
    INSERT INTO notifications_message_institutes (message_id, institute_id)
    SELECT msg.id, institute_id FROM msg CROSS JOIN unnest(%(institutes)s::bigint[]) AS institute_id
), answered AS (
    INSERT INTO events_registrationequality (
        registration_id, sex, ethnic_group, disability, age_band, answered_at
    )
    SELECT reg.id, %(sex)s, %(ethnic_group)s, %(disability)s, %(age_band)s, clock_timestamp()
    FROM reg
    WHERE %(answered)s
)
SELECT (SELECT status FROM reg), (SELECT id FROM msg)
"""


EQUALITY_FIELDS = ("sex", "ethnic_group", "disability", "age_band")


@dataclass(frozen=True)
class Claim:
    """What the claim statement did: ``status`` is None when it inserted nothing."""

    status: str | None
    message_id: int | None


def new_registration_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('events_registration', 'id'))")
        return cursor.fetchone()[0]


def lock_unchanged(event: Event) -> bool:
    """Lock the event's row; whether it still holds what ``event`` was read with."""
    with connection.cursor() as cursor:
        cursor.execute(LOCK_SQL, [event.pk])
        row = cursor.fetchone()
    return row is not None and row == tuple(getattr(event, name) for name in CHECKED_FIELDS)


def claim(
    *,
    registration: Registration,
    event: Event,
    mail: dict[str, Notification],
    institutes: set[int],
    equality: dict[str, str] | None,
) -> Claim:
    """Count, decide and insert in one statement, under the lock ``lock_unchanged`` took.

    ``mail`` holds the prepared message for each status it may have ("confirmed" only when an
    invitation was prepared, "waiting"); all are transactional, so queued at once. Raises
    IntegrityError when the address already holds an active registration for the event."""
    messages = [
        {"for_status": status, **message_values(notification)}
        for status, notification in mail.items()
    ]
    answers = equality or {}
    with connection.cursor() as cursor:
        cursor.execute(
            CLAIM_SQL,
            {
                "holding": [str(s) for s in Registration.HOLDING_A_PLACE],
                "event_id": event.pk,
                "capacity": event.capacity,
                "id": registration.pk,
                "name": registration.name,
                "email": registration.email,
                "organisation": registration.organisation,
                "accessibility_needs": registration.accessibility_needs,
                "dietary_needs": registration.dietary_needs,
                "confirmable": "confirmed" in mail,
                "messages": json.dumps(messages),
                "institutes": sorted(institutes),
                "answered": bool(equality),
                **{key: answers.get(key, "") for key in EQUALITY_FIELDS},
            },
        )
        status, message_id = cursor.fetchone()
    return Claim(status=status, message_id=message_id)
