"""What registrants are told, and the calendar invitations that go with it. Composed here,
delivered by the outbox (iot_network.notifications)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format

from iot_network.notifications.services import Attachment, Notification, notify_many

from .calendar import invitation
from .models import Event, Registration


def when_text(event: Event) -> str:
    start = timezone.localtime(event.starts_at)
    end = timezone.localtime(event.ends_at)
    if start.date() == end.date():
        day = date_format(start, "l j F Y")
        return f"{day}, {date_format(start, 'g:i a')} to {date_format(end, 'g:i a')}"
    return f"{date_format(start, 'l j F Y, g:i a')} to {date_format(end, 'l j F Y, g:i a')}"


def sentence(text: str) -> str:
    """``text`` with one closing full stop: a time such as "9:00 a.m." already has it."""
    return text if text.endswith(".") else f"{text}."


def where_text(event: Event) -> str:
    if event.is_online:
        return "Online"
    parts = [event.venue_name, ", ".join(event.venue_address.split("\n")), event.venue_postcode]
    return ", ".join(p.strip() for p in parts if p.strip())


def notification(
    registration: Registration,
    *,
    key: str,
    subject: str,
    heading: str,
    paragraphs: list[str],
    attach_invite: bool = False,
    action: tuple[str, str] | None = None,
) -> Notification:
    event = registration.event
    holds = registration.holds_a_place and not event.is_cancelled
    context = {
        "subject": subject,
        "heading": heading,
        "paragraphs": paragraphs,
        "name": registration.name,
        "event": event.title,
        "event_url": settings.SITE_URL + event.get_absolute_url(),
        "when": when_text(event),
        "where": where_text(event),
        "action_label": action[0] if action else "View, change or cancel your registration",
        "action_url": action[1] if action else settings.SITE_URL + registration.get_manage_url(),
        # Joining details go only to people with a place.
        "joining_details": event.joining_details if holds and event.is_online else "",
        "accessibility_info": event.accessibility_info,
        "cancelled": event.is_cancelled,
    }
    attachments = ()
    if attach_invite:
        # A cancelled registration's invite takes the event out of the person's calendar.
        removed = event.is_cancelled or registration.status == Registration.Status.CANCELLED
        attachments = (
            Attachment.calendar(
                invitation(
                    event, name=registration.name, email=registration.email, cancelled=removed
                ),
                filename=f"{event.slug}.ics",
                method="CANCEL" if removed else "REQUEST",
            ),
        )
    return Notification(
        to=registration.email,
        kind="event-notice",
        dedupe_key=key,
        context=context,
        about=registration,
        attachments=attachments,
    )


def tell(registration: Registration, **kwargs) -> None:
    notify_many([notification(registration, **kwargs)])


def confirmation(registration: Registration, *, promoted: bool = False) -> None:
    event = registration.event
    tell(
        registration,
        key=f"event-confirmed:{event.pk}:{registration.pk}:{event.sequence}",
        subject=f"Your place is confirmed: {event.title}",
        heading="Your place is confirmed",
        paragraphs=[
            "A place has become free and it is yours."
            if promoted
            else "Thank you for registering.",
            "The calendar invitation attached adds the event to your calendar.",
        ],
        attach_invite=True,
    )


def waiting(registration: Registration, position: int) -> None:
    event = registration.event
    tell(
        registration,
        key=f"event-waiting:{event.pk}:{registration.pk}",
        subject=f"You are on the waiting list: {event.title}",
        heading="You are on the waiting list",
        paragraphs=[
            f"The event is full. You are number {position} on the waiting list.",
            "If a place becomes free we will email you straight away.",
        ],
    )


def offer(registration: Registration) -> None:
    event = registration.event
    expires = date_format(timezone.localtime(registration.offer_expires_at), "l j F, g:i a")
    tell(
        registration,
        key=f"event-offer:{event.pk}:{registration.pk}:{registration.offer_expires_at:%Y%m%d%H%M}",
        subject=f"A place is free for you: {event.title}",
        heading="A place is free for you",
        paragraphs=[
            "A place has become free. " + sentence(f"It is held for you until {expires}"),
            "Use the link below to accept it. If you do not, it goes to the next person waiting.",
        ],
        action=("Accept the place", settings.SITE_URL + registration.get_manage_url()),
    )
