"""Registrations and the mails around them. Every write that changes who holds a place locks the
event row first, so capacity holds under concurrent requests on PostgreSQL."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from iot_network.notifications.services import (
    Attachment,
    Notification,
    dispatch_on_commit,
    notify_many,
)
from iot_network.staff import audit
from iot_network.staff.scoping import institute_ids

from . import notices, registering
from .models import Event, Feedback, Registration, RegistrationEquality, RegistrationState, Session

Status = Registration.Status


class RegistrationError(Exception):
    """A problem the registrant can fix; the message is shown to them."""


@dataclass(frozen=True)
class RegistrationDetails:
    name: str
    email: str
    organisation: str = ""
    accessibility_needs: str = ""
    dietary_needs: str = ""
    session_ids: tuple[int, ...] = ()


# Registering -------------------------------------------------------------------------------


def _locked_event(event_id: int) -> Event:
    # of=("self",): the organiser is an outer join, which PostgreSQL will not lock.
    return (
        Event.objects.select_for_update(of=("self",)).select_related("institute").get(pk=event_id)
    )


def _places_taken(event: Event) -> int:
    return event.registrations.filter(status__in=Registration.HOLDING_A_PLACE).count()


def _check_sessions(
    event: Event, session_ids, *, registration: Registration | None = None
) -> list[Session]:
    sessions = list(Session.objects.select_for_update().filter(event=event, pk__in=session_ids))
    taken = dict(
        Registration.sessions.through.objects.filter(
            session__in=sessions, registration__status__in=Registration.HOLDING_A_PLACE
        )
        .exclude(registration=registration)
        .values_list("session")
        .annotate(n=Count("pk"))
        .values_list("session", "n")
    )
    for session in sessions:
        session.taken = taken.get(session.pk, 0)
    if len(sessions) != len(set(session_ids)) or not all(s.is_choosable for s in sessions):
        raise RegistrationError("Choose sessions from the list for this event.")
    for first in sessions:
        for second in sessions:
            if (
                first.pk < second.pk
                and first.starts_at < second.ends_at
                and second.starts_at < first.ends_at
            ):
                raise RegistrationError(
                    f"“{first.title}” and “{second.title}” run at the same time: choose one."
                )
    full = [s.title for s in sessions if s.capacity is not None and s.taken >= s.capacity]
    if full:
        raise RegistrationError(f"“{full[0]}” is full. Choose another session.")
    return sessions


# Per registration, how long the event row stayed locked (lock taken to commit), in ms; the
# registration benchmark reads it from this logger.
lock_log = logging.getLogger("events.registration.lock")

NOT_OPEN = "Registration for this event is not open."
ALREADY_REGISTERED = (
    "This email address is already registered for this event. Use the link in your "
    "confirmation email to change or cancel your registration."
)


def event_for_registration(
    queryset: QuerySet[Event] | None = None, *, institute_row: bool = True
) -> QuerySet[Event]:
    """Events read the way ``register`` needs them (the institute, places taken and, on
    PostgreSQL, the row's version), so a view that has read one can hand it over. Without
    ``institute_row``, the institute's name only (all a registration reads of it, for the
    invitation's organiser), for a read that must be one model's columns (compiled.by_slug);
    and whether the event has sessions to choose, which the registration form asks."""
    events = Event.objects if queryset is None else queryset
    if institute_row:
        events = events.select_related("institute")
    else:
        events = events.annotate(
            institute_name=F("institute__name"),
            has_sessions_to_choose=Exists(
                Session.objects.filter(event=OuterRef("pk"), kind__in=Session.CHOOSABLE)
            ),
        )
    events = events.with_places_taken()
    if connection.vendor == "postgresql":
        events = events.annotate(row_version=registering.ROW_VERSION)
    return events


def register(
    *,
    event_id: int,
    details: RegistrationDetails,
    equality: dict[str, str] | None = None,
    unlocked: Event | None = None,
) -> Registration:
    """Give the person a place if there is one, or put them on the waiting list.

    Everyone registering for an event queues on its row lock, so the lock is held only for the
    capacity check, the insert and the outbox row: the calendar invitation, the slowest part of
    the mail, is built before the lock from an unlocked read of the event (and built again under
    the lock only if the event changed meanwhile); a caller that has read the event with
    ``event_for_registration()`` passes it as ``unlocked``. On PostgreSQL, without sessions to
    choose, everything is prepared before the lock, and locking, counting and writing are one
    call of the database (see registering.py)."""
    email = details.email.strip().lower()
    one_call = connection.vendor == "postgresql" and not details.session_ids
    if (
        unlocked is None
        or unlocked.pk != event_id
        or not hasattr(unlocked, "places_taken")
        or (one_call and not hasattr(unlocked, "row_version"))
    ):  # not read by event_for_registration(): read it so
        unlocked = event_for_registration().get(pk=event_id)
    # Once the event looks full, most who follow join the waiting list and need no invitation.
    looks_open = unlocked.capacity is None or unlocked.places_taken < unlocked.capacity
    invite = (
        notices.invitation_for(unlocked, name=details.name, email=email) if looks_open else None
    )
    try:
        if one_call:
            if unlocked.registration_state() != RegistrationState.OPEN:
                raise RegistrationError(NOT_OPEN)
            prepared = _prepare(unlocked, details=details, email=email, invite=invite)
            if registration := _claim(prepared, equality=equality):
                return registration
        # Step by step: SQLite, sessions to choose, or the prepared registration was stale.
        with transaction.atomic():
            try:
                event = _locked_event(event_id)
            except Event.DoesNotExist:  # deleted since it was read
                raise RegistrationError(NOT_OPEN) from None
            _time_the_lock(event_id)
            registration = _register_locked(
                event=event, details=details, email=email, unlocked=unlocked, invite=invite
            )
            if equality:
                RegistrationEquality.objects.create(registration=registration, **equality)
            return registration
    except IntegrityError:
        # The partial unique constraint turns away a second active registration of an address;
        # any other failure is not the registrant's to fix.
        active = Registration.objects.filter(event_id=event_id, email=email).exclude(
            status=Status.CANCELLED
        )
        if not active.exists():
            raise
        raise RegistrationError(ALREADY_REGISTERED) from None


@dataclass
class _Prepared:
    """A registration ready to be claimed in one statement: its row, not yet saved (its id drawn
    from the table's sequence), and the mail for each outcome it may have."""

    registration: Registration
    mail: dict[str, Notification]


def _unsaved(event: Event, details: RegistrationDetails, email: str, **fields) -> Registration:
    return Registration(
        event=event,
        name=details.name,
        email=email,
        organisation=details.organisation,
        accessibility_needs=details.accessibility_needs,
        dietary_needs=details.dietary_needs,
        **fields,
    )


def _prepare(
    event: Event, *, details: RegistrationDetails, email: str, invite: Attachment | None
) -> _Prepared:
    registration = _unsaved(event, details, email, pk=registering.new_registration_id())
    mail = {}
    # A place with no invitation built (the event looked full) is left to the step-by-step path.
    if invite is not None:
        registration.status = Status.CONFIRMED
        mail[Status.CONFIRMED] = notices.confirmation_mail(registration, invite=invite)
    registration.status = Status.WAITING
    mail[Status.WAITING] = notices.waiting_mail(registration, position=0)
    return _Prepared(registration, mail)


def _claim(prepared: _Prepared, *, equality: dict[str, str] | None) -> Registration | None:
    """Take a place or a waiting-list position in one call of the database; None when it wrote
    nothing (the event changed since it was read, or a place came free for someone with no
    invitation prepared)."""
    registration = prepared.registration
    claim = registering.claim(
        registration=registration,
        mail=prepared.mail,
        institutes=institute_ids(registration),
        equality=equality,
    )
    if claim.status is None:
        return None
    _log_lock_held(registration.event.pk, claim.lock_held_ms)
    registration.status = claim.status
    registration._state.adding = False
    dispatch_on_commit([claim.message_id] if claim.message_id else [])
    return registration


def _time_the_lock(event_id: int) -> None:
    """Log, after COMMIT, how long the event row stayed locked from now (the lock was granted).
    Registered before the outbox's own hook, so it measures the lock alone, not the hand-over
    to the broker."""
    locked_at = time.perf_counter()
    transaction.on_commit(
        lambda: _log_lock_held(event_id, (time.perf_counter() - locked_at) * 1000)
    )


def _log_lock_held(event_id: int, held_ms: float) -> None:
    lock_log.info("event %s lock held %.2f ms", event_id, held_ms, extra={"lock_ms": held_ms})


def _register_locked(
    *,
    event: Event,
    details: RegistrationDetails,
    email: str,
    unlocked: Event,
    invite: Attachment | None,
) -> Registration:
    if event.registration_state() != RegistrationState.OPEN:
        raise RegistrationError(NOT_OPEN)
    full = event.capacity is not None and _places_taken(event) >= event.capacity
    sessions = (
        _check_sessions(event, details.session_ids) if details.session_ids and not full else []
    )
    # The partial unique constraint (one active registration per address and event) is the
    # duplicate check: no query of its own under the lock. Its IntegrityError ends the whole
    # transaction (see register).
    registration = _unsaved(
        event, details, email, status=Status.WAITING if full else Status.CONFIRMED
    )
    registration.save(force_insert=True)
    if full:
        position = event.registrations.filter(
            status=Status.WAITING, pk__lte=registration.pk
        ).count()
        notices.waiting(registration, position)
    else:
        if sessions:
            registration.sessions.set(sessions)
        if invite is None or notices.invitation_changed(unlocked, event):
            invite = notices.invitation_for(event, name=details.name, email=email)
        notices.confirmation(registration, invite=invite)
    return registration


@transaction.atomic
def withdraw_equality_answers(*, registration_id: int) -> int:
    """Delete one registrant's equality monitoring answers (they asked); safe to repeat."""
    deleted, _ = RegistrationEquality.objects.filter(registration_id=registration_id).delete()
    return deleted


@transaction.atomic
def change_registration(*, registration_id: int, details: RegistrationDetails) -> Registration:
    registration = Registration.objects.select_related("event").get(pk=registration_id)
    event = _locked_event(registration.event_id)
    registration.event = event
    if not registration.can_change:
        raise RegistrationError("This registration can no longer be changed.")
    if registration.holds_a_place:
        registration.sessions.set(
            _check_sessions(event, details.session_ids, registration=registration)
        )
    registration.name = details.name
    registration.organisation = details.organisation
    registration.accessibility_needs = details.accessibility_needs
    registration.dietary_needs = details.dietary_needs
    registration.save()
    return registration


def _promote_next(event: Event) -> None:
    """Fill free places from the waiting list, first come first served."""
    if event.status != Event.Status.PUBLISHED or event.has_ended:
        return
    free = None if event.capacity is None else event.capacity - _places_taken(event)
    waiting = event.registrations.filter(status=Status.WAITING).order_by("created_at", "pk")
    for registration in waiting[: free if free is not None else None]:
        registration.event = event
        if event.waiting_list == Event.WaitingList.OFFER:
            registration.status = Status.OFFERED
            registration.offer_expires_at = timezone.now() + timedelta(hours=event.offer_hours)
            registration.save(update_fields=["status", "offer_expires_at", "updated_at"])
            notices.offer(registration)
        else:
            registration.status = Status.CONFIRMED
            registration.save(update_fields=["status", "updated_at"])
            notices.confirmation(registration, promoted=True)


@transaction.atomic
def cancel_registration(*, registration_id: int) -> Registration:
    registration = Registration.objects.get(pk=registration_id)
    event = _locked_event(registration.event_id)
    registration.event = event
    if registration.status == Status.CANCELLED:
        return registration
    if not registration.can_change:
        raise RegistrationError("This registration can no longer be cancelled.")
    had_place = registration.holds_a_place
    # Only a confirmed place came with a calendar invitation (an offer or a waiting place did
    # not), so only that needs a cancelling one.
    had_invitation = registration.status in (Status.CONFIRMED, Status.ATTENDED)
    registration.status = Status.CANCELLED
    registration.save(update_fields=["status", "updated_at"])
    registration.sessions.clear()
    if had_invitation:
        # A calendar program applies a CANCEL only if its SEQUENCE is above the invitation's;
        # raising the event's keeps a later invitation (registering again) from being older.
        event.sequence += 1
        event.save(update_fields=["sequence"])
    notices.tell(
        registration,
        kind="event-registration-cancelled",
        key=f"event-registration-cancelled:{event.pk}:{registration.pk}",
        context={"calendar_cancelled": had_invitation},
        attach_invite=had_invitation,
    )
    if had_place:
        _promote_next(event)
    return registration


@transaction.atomic
def accept_offer(*, registration_id: int) -> Registration:
    registration = Registration.objects.get(pk=registration_id)
    event = _locked_event(registration.event_id)
    registration.event = event
    if registration.status != Status.OFFERED or registration.offer_expires_at < timezone.now():
        raise RegistrationError("This offer has expired or was already answered.")
    registration.status = Status.CONFIRMED
    registration.offer_expires_at = None
    registration.save(update_fields=["status", "offer_expires_at", "updated_at"])
    notices.confirmation(registration, promoted=True)
    return registration


def expire_offers(*, now=None) -> int:
    """Move lapsed offers on to the next person (beat, every few minutes)."""
    now = now or timezone.now()
    expired = 0
    event_ids = set(
        Registration.objects.filter(status=Status.OFFERED, offer_expires_at__lt=now).values_list(
            "event_id", flat=True
        )
    )
    for event_id in event_ids:
        with transaction.atomic():
            event = _locked_event(event_id)
            lapsed = list(
                event.registrations.filter(status=Status.OFFERED, offer_expires_at__lt=now)
            )
            for registration in lapsed:
                registration.status = Status.CANCELLED
                registration.save(update_fields=["status", "updated_at"])
                registration.event = event
                notices.tell(
                    registration,
                    kind="event-offer-lapsed",
                    key=f"event-offer-lapsed:{event.pk}:{registration.pk}",
                )
            expired += len(lapsed)
            _promote_next(event)
    return expired


# Staff actions -----------------------------------------------------------------------------


def _everyone(event: Event, statuses) -> list[Registration]:
    registrations = list(event.registrations.filter(status__in=statuses))
    for registration in registrations:
        registration.event = event
    return registrations


@transaction.atomic
def cancel_event(*, event_id: int, reason: str, acting_user) -> int:
    """Cancel the event and tell everyone registered or waiting, with a cancelling .ics."""
    event = _locked_event(event_id)
    if event.is_cancelled:
        return 0
    event.status = Event.Status.CANCELLED
    event.cancellation_reason = reason
    event.sequence += 1
    event.save(update_fields=["status", "cancellation_reason", "sequence", "updated_at"])
    audit.record(actor=acting_user, action="cancelled event", target=event, detail=reason)
    people = _everyone(event, Registration.ACTIVE)
    notify_many(
        [
            notices.notification(
                registration,
                kind="event-cancelled",
                key=f"event-cancelled:{event.pk}:{registration.pk}",
                context={"reason": reason},
                attach_invite=registration.holds_a_place,
            )
            for registration in people
        ]
    )
    return len(people)


CHANGE_FIELDS = (
    "starts_at",
    "ends_at",
    "is_online",
    "venue_name",
    "venue_address",
    "venue_postcode",
)


@transaction.atomic
def event_changed(*, event_id: int, changed: list[str]) -> int:
    """After staff change the time or place: raise SEQUENCE and send everyone with a place the
    updated invitation (same UID), and tell the waiting list."""
    relevant = [name for name in changed if name in CHANGE_FIELDS]
    if not relevant:
        return 0
    event = _locked_event(event_id)
    if event.status != Event.Status.PUBLISHED:
        return 0
    event.sequence += 1
    event.save(update_fields=["sequence", "updated_at"])
    people = _everyone(event, Registration.ACTIVE)
    notify_many(
        [
            notices.notification(
                registration,
                kind="event-changed",
                key=f"event-changed:{event.pk}:{registration.pk}:{event.sequence}",
                attach_invite=registration.holds_a_place,
            )
            for registration in people
        ]
    )
    return len(people)


@transaction.atomic
def message_attendees(
    *, event_id: int, statuses: list[str], subject: str, body: str, batch: str, acting_user
) -> int:
    event = Event.objects.get(pk=event_id)
    people = _everyone(event, statuses)
    audit.record(
        actor=acting_user,
        action="messaged registrants",
        target=event,
        detail=f"{subject} (to {len(people)})",
    )
    # The staff member's words are the message: they travel as data, the frame around them is
    # the template's.
    paragraphs = [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    notify_many(
        [
            notices.notification(
                registration,
                kind="event-message",
                key=f"event-message:{batch}:{registration.pk}",
                context={"message_subject": subject, "message_paragraphs": paragraphs},
            )
            for registration in people
        ]
    )
    return len(people)


@transaction.atomic
def publish_events(*, events: QuerySet[Event], acting_user) -> int:
    """Publish the drafts among ``events`` (staff's selection); returns how many."""
    drafts = list(
        Event.objects.select_for_update().filter(
            pk__in=events.values("pk"), status=Event.Status.DRAFT
        )
    )
    now = timezone.now()
    for event in drafts:
        event.status, event.updated_at = Event.Status.PUBLISHED, now
    Event.objects.bulk_update(drafts, ["status", "updated_at"])
    audit.record_many(actor=acting_user, action="published event", targets=drafts)
    return len(drafts)


@transaction.atomic
def unpublish_events(*, events: QuerySet[Event], acting_user) -> int:
    """Take published events that nobody has registered for back to draft; returns how many.
    An event people have registered for stays published: cancelling it tells them."""
    published = list(
        Event.objects.select_for_update()
        .filter(pk__in=events.values("pk"), status=Event.Status.PUBLISHED)
        .exclude(registrations__status__in=Registration.ACTIVE)
    )
    now = timezone.now()
    for event in published:
        event.status, event.updated_at = Event.Status.DRAFT, now
    Event.objects.bulk_update(published, ["status", "updated_at"])
    audit.record_many(actor=acting_user, action="unpublished event", targets=published)
    return len(published)


@transaction.atomic
def duplicate_events(*, events: QuerySet[Event], acting_user) -> list[Event]:
    """A draft copy of each event, with its routes and agenda, for the next date to be set."""
    copies = []
    for event in events.prefetch_related("sessions__speakers", "routes"):
        original = f"{event.title} (#{event.pk})"
        sessions, routes = list(event.sessions.all()), list(event.routes.all())
        event.pk = None
        event.slug = f"{event.slug[:200]}-copy-{uuid.uuid4().hex[:6]}"
        event.title = f"{event.title} (copy)"
        event.status, event.cancellation_reason, event.sequence = Event.Status.DRAFT, "", 0
        event._state.adding = True
        event.save()
        event.routes.set(routes)
        for session in sessions:
            speakers = list(session.speakers.all())
            session.pk, session.event = None, event
            session._state.adding = True
            session.save()
            session.speakers.set(speakers)
        audit.record(
            actor=acting_user, action="duplicated event", target=event, detail=f"copy of {original}"
        )
        copies.append(event)
    return copies


@transaction.atomic
def check_in(*, event: Event, registration_id: int, attended: bool, acting_user) -> Registration:
    """Mark a confirmed registrant attended at the door (or undo it); others are left as they
    are. An id from another event is not found."""
    registration = (
        Registration.objects.select_for_update().filter(event=event).get(pk=registration_id)
    )
    if registration.status in (Status.CONFIRMED, Status.ATTENDED):
        registration.status = Status.ATTENDED if attended else Status.CONFIRMED
        registration.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=acting_user,
            action="checked in" if attended else "undid check-in",
            target=registration,
        )
    return registration


# Scheduled ----------------------------------------------------------------------------------

REMINDERS = [("7d", timedelta(days=7)), ("1d", timedelta(days=1))]


def send_reminders(*, now=None) -> int:
    """Remind people 7 days and 1 day before. Run hourly: each reminder's dedupe key makes a
    second run, or an overlapping window, send nothing new."""
    now = now or timezone.now()
    sent = 0
    for label, ahead in REMINDERS:
        events = Event.objects.filter(
            status=Event.Status.PUBLISHED, starts_at__gt=now, starts_at__lte=now + ahead
        ).select_related("institute")
        for event in events:
            people = _everyone(event, [Status.CONFIRMED])
            notify_many(
                [
                    notices.notification(
                        registration,
                        kind="event-reminder",
                        key=f"event-reminder:{event.pk}:{registration.pk}:{label}",
                        context={"days_before": ahead.days},
                    )
                    for registration in people
                ]
            )
            sent += len(people)
    return sent


def send_feedback_requests(*, now=None) -> int:
    """Ask attendees for feedback once the event is over (every event is evaluated)."""
    now = now or timezone.now()
    events = Event.objects.filter(
        status=Event.Status.PUBLISHED, ends_at__lte=now, ends_at__gt=now - timedelta(days=3)
    ).select_related("institute")
    sent = 0
    for event in events:
        people = _everyone(event, [Status.CONFIRMED, Status.ATTENDED])
        notify_many(
            [
                notices.notification(
                    registration,
                    kind="event-feedback-request",
                    key=f"event-feedback:{event.pk}:{registration.pk}",
                    context={
                        "feedback_url": settings.SITE_URL
                        + reverse("events:feedback", kwargs={"token": registration.token})
                    },
                )
                for registration in people
            ]
        )
        sent += len(people)
    return sent


def record_feedback(*, registration: Registration, rating: int, useful: bool, comments: str):
    feedback, _ = Feedback.objects.update_or_create(
        registration=registration,
        defaults={"rating": rating, "useful": useful, "comments": comments},
    )
    return feedback
