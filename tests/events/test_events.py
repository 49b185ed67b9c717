import json
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import IntegrityError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.models import Registration
from tests.factories import EventFactory, OrganisationFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_event_list_separates_upcoming_and_past(client):
    EventFactory(title="Future open day")
    past_start = timezone.now() - timedelta(days=10)
    EventFactory(
        title="Last month's taster", starts_at=past_start, ends_at=past_start + timedelta(hours=2)
    )
    content = client.get("/events/").content.decode()
    assert (
        content.index("Future open day")
        < content.index("Past events")
        < content.index("Last month")
    )


def test_filters_for_online_audience_and_places_left(client, event):
    EventFactory(title="Webinar for employers", is_online=True, audience="employers", capacity=None)
    EventFactory(title="Event for everyone", audience="everyone")
    for n in range(2):
        Registration.objects.create(
            event=event, name=f"P{n}", email=f"p{n}@example.com", status="confirmed"
        )
    content = client.get("/events/?attendance=online").content.decode()
    assert "Webinar for employers" in content and "Robotics open day" not in content
    content = client.get("/events/?audience=employers").content.decode()
    assert "Webinar for employers" in content and "Event for everyone" in content
    assert "Robotics open day" not in client.get("/events/?places_left=on").content.decode()


def test_cancelled_event_stays_visible_and_says_so(client):
    event = EventFactory(status="cancelled", cancellation_reason="Storm warning.")
    content = client.get(event.get_absolute_url()).content.decode()
    assert "This event has been cancelled." in content
    assert "Storm warning." in content
    assert "Register" not in content


def test_event_page_has_agenda_places_and_json_ld(client, event):
    session = SessionFactory(event=event, title="Robots in care homes", room="Lab 2")
    session.speakers.create(
        name="Priya Nair", role="Head of Engineering", organisation="Example Ltd"
    )
    Registration.objects.create(event=event, name="P", email="p@example.com", status="confirmed")
    content = client.get(event.get_absolute_url()).content.decode()
    assert "Robots in care homes" in content and "Priya Nair" in content
    assert "1 place left" in content
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)[1]
    )
    assert data["@type"] == "Event"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["offers"]["availability"] == "https://schema.org/InStock"


def test_full_event_offers_the_waiting_list(client, event):
    for n in range(2):
        Registration.objects.create(
            event=event, name=f"P{n}", email=f"p{n}@example.com", status="confirmed"
        )
    content = client.get(event.get_absolute_url()).content.decode()
    assert "Join the waiting list" in content
    assert "SoldOut" in content


def test_description_is_sanitised(client):
    event = EventFactory(description='<p>Hello <strong>there</strong><script>alert(1)</script>'
                                     '<a href="javascript:alert(1)">x</a></p>')  # fmt: skip
    content = client.get(event.get_absolute_url()).content.decode()
    assert "<strong>there</strong>" in content
    assert "<script>alert" not in content and "javascript:" not in content


def test_register_change_and_cancel_through_the_signed_link(client, event):
    response = client.post(
        f"/events/{event.slug}/register/",
        {"name": "Ann Example", "email": "ann@example.com", "consent": "on"},
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    manage = registration.get_manage_url()
    assert "ann@example.com" in client.get(response["Location"]).content.decode()
    response = client.post(manage, {"name": "Ann Changed", "dietary_needs": "Vegan"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.name, registration.dietary_needs) == ("Ann Changed", "Vegan")
    page = client.get(f"{manage}cancel/")
    assert page.status_code == 200
    assert "Are you sure you want to cancel?" in page.content.decode()
    assert Registration.objects.get().status == "confirmed"  # GET does not cancel
    client.post(f"{manage}cancel/")
    assert Registration.objects.get().status == "cancelled"
    # The link again, later: it says so, and offers no second cancelling.
    page = client.get(f"{manage}cancel/").content.decode()
    assert "Your registration is already cancelled" in page
    assert "Are you sure" not in page and "Yes, cancel my registration" not in page


def test_a_tampered_registration_link_is_404(client, event):
    registration = Registration.objects.create(
        event=event, name="A", email="a@example.com", status="confirmed"
    )
    token = registration.token
    forged = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    assert client.get(f"/events/registration/{forged}/").status_code == 404
    assert client.get("/events/registration/12/").status_code == 404


def test_registration_errors_are_explained(client, event):
    response = client.post(f"/events/{event.slug}/register/", {"name": "", "email": "nope"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content
    assert "Enter your full name." in content
    assert "Enter an email address in the correct format, like name@example.com." in content
    assert "You must agree" in content
    assert not Registration.objects.exists()


def test_one_active_registration_per_address_is_enforced_by_the_database(event):
    Registration.objects.create(event=event, name="A", email="a@example.com", status="confirmed")
    Registration.objects.create(event=event, name="A", email="a@example.com", status="cancelled")
    with pytest.raises(IntegrityError):
        Registration.objects.create(event=event, name="A", email="a@example.com", status="waiting")


def test_draft_event_and_its_registration_page_are_404(client):
    draft = EventFactory(status="draft")
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(f"/events/{draft.slug}/register/").status_code == 404


def test_event_cannot_end_before_it_starts():
    start = timezone.now()
    with pytest.raises(IntegrityError):
        EventFactory(starts_at=start, ends_at=start - timedelta(hours=1))


FIELDS = ["event_type", "audience", "region", "institute", "route", "attendance", "date_from",
          "date_to", "places_left", "page", "name", "email", "organisation", "sessions", "consent",
          "accessibility_needs"]  # fmt: skip
VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["open-day", "online", "london", "2030-02-30", "on", "-1", "\x00", "x" * 2000]),
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.lists(st.tuples(st.sampled_from(FIELDS), VALUES), max_size=8))
def test_any_input_gives_a_page_not_an_error(client, event, data):
    assert client.get("/events/", data).status_code in {200, 400}
    body = urlencode(data)
    response = client.post(
        f"/events/{event.slug}/register/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in {302, 400, 429}  # 429: the form's rate limit, after many tries


def test_partners_unrelated_to_events_do_not_leak(client):
    OrganisationFactory(name="Private Ltd", listed_in_directory=False)
    assert "Private Ltd" not in client.get("/events/").content.decode()


def test_session_times_on_the_form_are_london_time(client):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tests.factories import SessionFactory

    noon = datetime(2030, 7, 4, 12, 0, tzinfo=ZoneInfo("Europe/London"))  # 11:00 UTC
    event = EventFactory(starts_at=noon, ends_at=noon + timedelta(hours=5))
    SessionFactory(
        event=event, title="Net Zero breakout", starts_at=noon, ends_at=noon + timedelta(hours=1)
    )
    assert (
        "Net Zero breakout (12:00–13:00)"
        in client.get(f"/events/{event.slug}/register/").content.decode()
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.lists(st.tuples(st.sampled_from(FIELDS + ["rating", "useful", "comments"]), VALUES),
                     max_size=8))  # fmt: skip
def test_any_input_to_the_manage_and_feedback_forms_gives_a_page(client, event, data):
    registration, _ = Registration.objects.get_or_create(
        event=event, email="fuzz@example.com", defaults={"name": "Fuzz", "status": "confirmed"}
    )
    body = urlencode(data)
    kind = "application/x-www-form-urlencoded"
    manage = registration.get_manage_url()
    # 429: the rate limit on changes, after many valid ones (fuzz examples share one link).
    assert client.post(manage, body, content_type=kind).status_code in {302, 400, 429}
    # Feedback opens once the event is over; before that the page is a 404, never a 500.
    assert client.post(f"{manage}feedback/", body, content_type=kind).status_code in {302, 400, 404}


def test_changes_and_cancellations_through_a_link_are_rate_limited(client, event):
    registration = Registration.objects.create(
        event=event, name="Ann", email="ann@example.com", status="confirmed"
    )
    manage = registration.get_manage_url()
    for n in range(20):
        response = client.post(manage, {"name": f"Ann {n}"})
        assert response.status_code == 302
    assert client.post(manage, {"name": "Ann again"}).status_code == 429
    assert client.post(manage.rstrip("/") + "/cancel/").status_code == 429
    registration.refresh_from_db()
    assert (registration.name, registration.status) == ("Ann 19", "confirmed")


def json_ld(client, event) -> dict:
    content = client.get(event.get_absolute_url()).content.decode()
    return json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)[1]
    )


def test_a_cancelled_events_json_ld_says_so_and_offers_no_places(client):
    event = EventFactory(status="cancelled", capacity=40)
    data = json_ld(client, event)
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["offers"]["availability"] == "https://schema.org/Discontinued"


def test_json_ld_availability_follows_the_registration_state(client, event):
    assert json_ld(client, event)["offers"]["availability"] == "https://schema.org/InStock"
    for n in range(2):
        Registration.objects.create(
            event=event, name=f"P{n}", email=f"p{n}@example.com", status="confirmed"
        )
    assert json_ld(client, event)["offers"]["availability"] == "https://schema.org/SoldOut"
    later = EventFactory(registration_opens_at=timezone.now() + timedelta(days=1))
    assert json_ld(client, later)["offers"]["availability"] == "https://schema.org/PreOrder"
    closed = EventFactory(registration_closes_at=timezone.now() - timedelta(days=1))
    assert json_ld(client, closed)["offers"]["availability"] == "https://schema.org/OutOfStock"


def test_json_ld_address_carries_the_venue_postcode_and_omits_an_unknown_one(client):
    event = EventFactory(venue_address="1 Example Way\nBirmingham", venue_postcode="B1 1AA")
    address = json_ld(client, event)["location"]["address"]
    assert address["streetAddress"] == "1 Example Way, Birmingham"
    assert address["postalCode"] == "B1 1AA"
    assert "postalCode" not in json_ld(client, EventFactory())["location"]["address"]


def test_times_that_end_a_sentence_get_one_full_stop(client):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")
    start = datetime(2030, 7, 4, 9, 0, tzinfo=london)
    event = EventFactory(
        starts_at=start,
        ends_at=start + timedelta(hours=7),
        venue_name="Main campus",
        registration_closes_at=datetime(2030, 7, 1, 9, 0, tzinfo=london),
    )
    content = client.get(event.get_absolute_url()).content.decode()
    assert "Registration closes Monday 1 July 2030, 9:00 a.m.</p>" in content
    not_yet = EventFactory(
        starts_at=start,
        ends_at=start + timedelta(hours=7),
        registration_opens_at=datetime(2030, 6, 3, 9, 0, tzinfo=london),
    )
    content = client.get(not_yet.get_absolute_url()).content.decode()
    assert "Registration opens Monday 3 June 2030, 9:00 a.m.</p>" in content
    feed = client.get("/events/feed/").content.decode()
    assert (
        "Thursday 4 July 2030, 9:00 a.m. to 4:00 p.m. Main campus. "
        "Tour the labs and meet the tutors."
    ) in feed
    assert "m.." not in feed


def test_reversed_dates_are_explained_not_shown_as_no_events(client, event):
    response = client.get("/events/", {"date_from": "2031-02-01", "date_to": "2031-01-01"})
    assert response.status_code == 400
    assert "The latest start date must be on or after the earliest." in response.content.decode()
    same_day = client.get("/events/", {"date_from": "2031-01-01", "date_to": "2031-01-01"})
    assert same_day.status_code == 200


def test_a_signed_in_learner_finds_their_name_and_email_filled_in(client, event):
    learner = UserFactory(email="ann@learner.example", full_name="Ann Example")
    client.force_login(learner)
    page = client.get(f"/events/{event.slug}/register/").content.decode()
    assert 'value="Ann Example"' in page and 'value="ann@learner.example"' in page
    # Someone else, signed out, gets the empty form (nothing of Ann's is shared with them).
    client.logout()
    page = client.get(f"/events/{event.slug}/register/").content.decode()
    assert "Ann Example" not in page and "ann@learner.example" not in page
