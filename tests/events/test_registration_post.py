"""Registering through the form: the POST reads its event in one query compiled once per process
(events.views._event_to_register_for), with the organiser's name and whether there are sessions
to choose, so it neither reads the institute row nor asks about sessions again."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from events.models import Registration
from iot_network.notifications.models import Message
from tests.factories import EventFactory, InstituteFactory, SessionFactory

pytestmark = pytest.mark.django_db

FORM = {"name": "Ann Example", "email": "ann@example.com", "consent": "on"}


def _post(client, event, data=FORM):
    return client.post(f"/events/{event.slug}/register/", data)


def _organiser(email: str) -> str:
    [attachment] = Message.objects.get(recipient=email).attachments
    [vevent] = Calendar.from_ical(attachment["content"]).walk("VEVENT")
    return str(vevent["ORGANIZER"].params["CN"])


def test_the_post_reads_the_event_once_and_never_the_institute_or_its_sessions(client):
    event = EventFactory(institute=InstituteFactory(name="Tees Valley Institute of Technology"))
    SessionFactory(event=event, kind="plenary")  # not one to choose

    with CaptureQueriesContext(connection) as queries:
        response = _post(client, event)

    assert response.status_code == 302
    assert Registration.objects.get().status == "confirmed"
    reads = [q["sql"] for q in queries.captured_queries]
    [event_read] = [sql for sql in reads if 'FROM "events_event"' in sql]
    # The sessions are asked about within that read, and no other query.
    assert [sql for sql in reads if '"events_session"' in sql] == [event_read]
    assert not any(sql.lstrip().startswith('SELECT "institutes_institute"') for sql in reads)
    assert _organiser("ann@example.com") == "Tees Valley Institute of Technology"


def test_an_event_of_the_network_is_organised_by_the_network(client, settings):
    event = EventFactory(institute=None)

    assert _post(client, event).status_code == 302

    assert _organiser("ann@example.com") == settings.SITE_NAME


def test_sessions_to_choose_are_offered_again_after_an_error(client):
    event = EventFactory()
    workshop = SessionFactory(event=event, kind="workshop", title="Soldering workshop")

    response = _post(client, event, {"name": "", "email": "ann@example.com"})

    assert response.status_code == 400
    assert "Soldering workshop" in response.content.decode()
    response = _post(client, event, {**FORM, "sessions": [workshop.pk]})
    assert response.status_code == 302
    assert list(Registration.objects.get().sessions.all()) == [workshop]


def test_no_sessions_field_without_sessions_to_choose(client):
    event = EventFactory()
    SessionFactory(event=event, kind="panel", title="Closing panel")

    response = _post(client, event, {"name": "", "email": "ann@example.com"})

    assert response.status_code == 400
    assert 'name="sessions"' not in response.content.decode()


def test_a_draft_or_unknown_event_cannot_be_registered_for(client):
    draft = EventFactory(status="draft")
    assert _post(client, draft).status_code == 404
    assert client.post("/events/no-such-event/register/", FORM).status_code == 404
    assert not Registration.objects.exists()
