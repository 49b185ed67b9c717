"""Who hears what about their registration, and the calendar invitations that go with it.

Each mail is one kind with its own template folder (templates/notifications/email/<kind>/);
this module only gathers the data those templates read. Times travel as ISO strings and are
put into words at delivery, in Europe/London (iot_network.notifications.formatting)."""

from __future__ import annotations

from django.conf import settings

from iot_network.notifications import formatting
from iot_network.notifications.services import Attachment, Notification, notify_many

from .calendar import invitation
from .models import Event, Registration

# The feed and the event page say it the same way as the mail does.
sentence = formatting.sentence


def when_text(event: Event) -> str:
    return formatting.period_text(event.starts_at, event.ends_at)


def venue_text(event: Event) -> str:
    parts = [event.venue_name, ", ".join(event.venue_address.split("\n")), event.venue_postcode]
    return ", ".join(p.strip() for p in parts if p.strip())


def where_text(event: Event) -> str:
    return "Online" if event.is_online else venue_text(event)


def event_context(registration: Registration) -> dict:
    """What every event mail shows about the event and the person's registration."""
    event = registration.event
    holds = registration.holds_a_place and not event.is_cancelled
    return {
        "name": registration.name,
        "event": event.title,
        "event_url": settings.SITE_URL + event.get_absolute_url(),
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "online": event.is_online,
        "venue": "" if event.is_online else venue_text(event),
        "manage_url": settings.SITE_URL + registration.get_manage_url(),
        # Joining details go only to people with a place.
        "joining_details": event.joining_details if holds and event.is_online else "",
        "accessibility_info": event.accessibility_info,
        "cancelled": event.is_cancelled,
    }


def invitation_for(event: Event, *, name: str, email: str) -> Attachment:
    """The invitation a new place comes with, built ahead of the registration (see
    services.register) so that the event row is not locked while it is written."""
    return Attachment.calendar(
        invitation(event, name=name, email=email),
        filename=f"{event.slug}.ics",
        method="CANCEL" if event.is_cancelled else "REQUEST",
    )


def _invitation_fields(event: Event) -> tuple:
    return (
        event.pk, event.slug, event.title, event.summary, event.status, event.sequence,
        event.starts_at, event.ends_at, event.is_online, event.venue_name, event.venue_address,
        event.venue_postcode, event.institute_id,
    )  # fmt: skip


def invitation_changed(before: Event, after: Event) -> bool:
    """Whether an invitation built from ``before`` would differ from one built from ``after``."""
    return _invitation_fields(before) != _invitation_fields(after)


def notification(
    registration: Registration,
    *,
    kind: str,
    key: str,
    context: dict | None = None,
    attach_invite: bool = False,
    invite: Attachment | None = None,
) -> Notification:
    """One event mail of ``kind``; ``context`` adds what that kind's template needs.
    ``invite``, when given, is the invitation already built for it (see ``invitation_for``)."""
    event = registration.event
    attachments = ()
    if invite is not None:
        attachments = (invite,)
    elif attach_invite:
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
        kind=kind,
        dedupe_key=key,
        context={**event_context(registration), **(context or {})},
        about=registration,
        attachments=attachments,
    )


def tell(registration: Registration, **kwargs) -> None:
    notify_many([notification(registration, **kwargs)])


def confirmation_mail(
    registration: Registration, *, promoted: bool = False, invite: Attachment | None = None
) -> Notification:
    event = registration.event
    return notification(
        registration,
        kind="event-registration-confirmed",
        key=f"event-confirmed:{event.pk}:{registration.pk}:{event.sequence}",
        context={"promoted": promoted},
        attach_invite=True,
        invite=invite,
    )


def confirmation(
    registration: Registration, *, promoted: bool = False, invite: Attachment | None = None
) -> None:
    notify_many([confirmation_mail(registration, promoted=promoted, invite=invite)])


def waiting_mail(registration: Registration, *, position: int) -> Notification:
    event = registration.event
    return notification(
        registration,
        kind="event-waiting-list",
        key=f"event-waiting:{event.pk}:{registration.pk}",
        context={"position": position},
    )


def waiting(registration: Registration, position: int) -> None:
    notify_many([waiting_mail(registration, position=position)])


def offer(registration: Registration) -> None:
    event = registration.event
    tell(
        registration,
        kind="event-offer",
        key=f"event-offer:{event.pk}:{registration.pk}:{registration.offer_expires_at:%Y%m%d%H%M}",
        context={"offer_expires_at": registration.offer_expires_at.isoformat()},
    )
