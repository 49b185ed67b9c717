from datetime import timedelta

import pytest
from icalendar import Calendar

from events import services
from tests.factories import EventFactory, RouteFactory

pytestmark = pytest.mark.django_db


def vevents(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return {str(e["SUMMARY"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}


def test_network_feed_is_valid_and_keeps_uids_and_cancelled_events(client):
    kept = EventFactory(title="Open day")
    dropped = EventFactory(title="Breakfast")
    EventFactory(title="Draft", status="draft")
    before = vevents(client, "/events/calendar.ics")
    assert set(before) == {"Open day", "Breakfast"}
    kept.title, kept.starts_at = "Open day (new time)", kept.starts_at + timedelta(hours=1)
    kept.ends_at += timedelta(hours=1)
    kept.save()
    services.cancel_event(event_id=dropped.pk, reason="Venue closed", acting_user=None)
    after = vevents(client, "/events/calendar.ics")
    assert after["Open day (new time)"]["UID"] == before["Open day"]["UID"]
    assert str(after["Breakfast"]["STATUS"]) == "CANCELLED"
    assert int(after["Breakfast"]["SEQUENCE"]) == 1
    for vevent in after.values():
        assert vevent.decoded("DTSTART").tzname() == "UTC"  # UTC times need no VTIMEZONE


def test_institute_and_subject_feeds_only_carry_their_events(client):
    digital = RouteFactory(slug="digital", name="Digital")
    a, b = EventFactory(title="A"), EventFactory(title="B")
    a.routes.add(digital)
    assert set(vevents(client, f"/events/calendar/institute/{b.institute.slug}.ics")) == {"B"}
    assert set(vevents(client, "/events/calendar/subject/digital.ics")) == {"A"}


def test_single_event_ics_and_atom_feed(client):
    event = EventFactory(title="Taster session")
    assert set(vevents(client, f"/events/{event.slug}/event.ics")) == {"Taster session"}
    atom = client.get("/events/feed/").content.decode()
    assert "<title>Taster session</title>" in atom
