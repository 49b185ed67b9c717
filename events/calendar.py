"""iCalendar (RFC 5545) for events: invitations attached to mails, and subscribable feeds.

Times are written in UTC, so no VTIMEZONE is needed. Each event keeps one UID for life and its
SEQUENCE rises when the time or place changes, so calendar programs update the entry they have
instead of adding a second one; cancelled events stay in feeds with STATUS:CANCELLED.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as VEvent

from .models import Event

PRODID = "-//Institutes of Technology Network//Events//EN"


def event_uid(event: Event) -> str:
    return f"event-{event.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}"


def _location(event: Event) -> str:
    if event.is_online:
        return "Online"
    parts = [event.venue_name, " ".join(event.venue_address.split()), event.venue_postcode]
    return ", ".join(part for part in parts if part)


def vevent(
    event: Event, *, attendee: tuple[str, str] | None = None, cancelled: bool = False
) -> VEvent:
    url = settings.SITE_URL + event.get_absolute_url()
    entry = VEvent()
    entry.add("uid", event_uid(event))
    entry.add("dtstamp", datetime.now(UTC))
    entry.add("dtstart", event.starts_at.astimezone(UTC))
    entry.add("dtend", event.ends_at.astimezone(UTC))
    entry.add("summary", event.title)
    entry.add("description", f"{event.summary}\n\n{url}")
    entry.add("location", _location(event))
    entry.add("url", url)
    entry.add("sequence", event.sequence)
    entry.add("status", "CANCELLED" if cancelled or event.is_cancelled else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].rstrip('>')}")
    organizer.params["cn"] = vText(event.organiser_name)
    entry.add("organizer", organizer)
    if attendee:
        name, email = attendee
        address = vCalAddress(f"mailto:{email}")
        address.params["cn"] = vText(name)
        address.params["partstat"] = vText("ACCEPTED")
        entry.add("attendee", address)
    return entry


def calendar(
    events: Iterable[Event],
    *,
    method: str = "PUBLISH",
    name: str = "",
    attendee=None,
    cancelled: bool = False,
) -> str:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(vevent(event, attendee=attendee, cancelled=cancelled))
    return cal.to_ical().decode()


def invitation(event: Event, *, name: str, email: str, cancelled: bool = False) -> str:
    """The .ics for one person's mail: a request to add (or update) the event, or to remove it
    when the event is cancelled or ``cancelled`` says the person gave up their place. A removal
    carries the same UID as the invitation, so calendar programs delete that entry."""
    cancelled = cancelled or event.is_cancelled
    return calendar(
        [event],
        method="CANCEL" if cancelled else "REQUEST",
        attendee=(name, email),
        cancelled=cancelled,
    )
