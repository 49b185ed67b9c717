"""Demo events and the national conference's agenda, from data/events.toml."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from events.models import Event, Session, Speaker
from institutes.models import Institute

from .content import at, fill, read


def _next(today: date, *, month: int, day: int) -> date:
    candidate = date(today.year, month, day)
    return candidate if candidate >= today else date(today.year + 1, month, day)


# Keys of an event in events.toml that say when and where it happens rather than being fields.
_SCHEDULE = {"on", "days_from_today", "more_days_per_institute", "every_nth_institute",
             "starts", "ends", "registration_opens", "institute", "cancelled", "speakers",
             "session"}  # fmt: skip


def _event(spec: dict[str, Any], *, day: date, institute: Institute | None) -> dict[str, Any]:
    fields = fill(
        {key: value for key, value in spec.items() if key not in _SCHEDULE},
        day=day,
        institute=institute,
    )
    return fields | {
        "slug": slugify(fields["slug"]),
        "event_type": Event.Type(fields["event_type"]),
        "institute": institute,
        "audience": Event.Audience(fields["audience"]),
        "starts_at": at(day, spec["starts"]),
        "ends_at": at(day, spec["ends"]),
        "status": Event.Status(fields["status"]),
    }


def load_events(institutes: list[Institute], today: date) -> int:
    data = read("events.toml")
    conference, webinar, open_day, breakfast, taster = (
        data[key] for key in ("conference", "webinar", "open_day", "employer_breakfast", "taster")
    )
    conference_day = _next(today, **conference["on"])
    events = [
        _event(conference, day=conference_day, institute=None)
        | {"registration_opens_at": at(today, conference["registration_opens"])},
        _event(webinar, day=today + timedelta(days=webinar["days_from_today"]), institute=None),
    ]
    for index, institute in enumerate(institutes):
        day = today + timedelta(
            days=open_day["days_from_today"] + index * open_day["more_days_per_institute"]
        )
        events.append(_event(open_day, day=day, institute=institute))
        if index % breakfast["every_nth_institute"] == 0:
            day = today + timedelta(
                days=breakfast["days_from_today"] + index * breakfast["more_days_per_institute"]
            )
            event = _event(breakfast, day=day, institute=institute)
            if institute.slug == breakfast["cancelled"]["institute"]:
                event |= {
                    "status": Event.Status.CANCELLED,
                    "cancellation_reason": breakfast["cancelled"]["cancellation_reason"],
                }
            events.append(event)
    events.append(
        _event(
            taster,
            day=today + timedelta(days=taster["days_from_today"]),
            institute=next(i for i in institutes if i.slug == taster["institute"]),
        )
    )
    conference_slug = events[0]["slug"]
    for fields in events:
        Event.objects.update_or_create(slug=fields.pop("slug"), defaults=fields)
    _load_conference_agenda(Event.objects.get(slug=conference_slug), conference)
    return len(events)


def _load_conference_agenda(conference: Event, data: dict[str, Any]) -> None:
    day = timezone.localtime(conference.starts_at).date()
    speakers = {
        key: Speaker.objects.get_or_create(
            name=person["name"],
            defaults={"role": person["role"], "organisation": person["organisation"]},
        )[0]
        for key, person in data["speakers"].items()
    }
    for spec in data["session"]:
        session, _ = Session.objects.update_or_create(
            event=conference,
            title=spec["title"],
            defaults={
                "kind": Session.Kind(spec["kind"]),
                "starts_at": at(day, spec["starts"]),
                "ends_at": at(day, spec["ends"]),
                "room": spec["room"],
                "capacity": spec.get("capacity"),
            },
        )
        session.speakers.set([speakers[key] for key in spec["speakers"]])
