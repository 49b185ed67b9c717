import csv
import io

import pytest

from events.models import Event, Registration
from iot_network.notifications.models import Message
from iot_network.staff.models import AuditEntry
from tests.factories import EventFactory, SessionFactory
from tests.mail import heading, html, rendered

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(event):
    event.capacity = 1
    event.save()
    ann = Registration.objects.create(
        event=event, name="Ann Able", email="ann@example.com", status="confirmed"
    )
    bob = Registration.objects.create(
        event=event, name="Bob Baker", email="bob@example.com", status="waiting"
    )
    return ann, bob


def test_staff_cancel_an_event_with_a_reason_and_everyone_is_told(admin_client, event, people):
    url = f"/admin/events/event/{event.pk}/cancel/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"reason": "The building is closed for repairs."})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == "cancelled" and event.cancellation_reason.startswith("The building")
    assert set(Message.objects.values_list("recipient", flat=True)) == {
        "ann@example.com",
        "bob@example.com",
    }


def test_staff_message_the_waiting_list_only(admin_client, event, people):
    response = admin_client.post(
        f"/admin/events/event/{event.pk}/message/",
        {
            "statuses": ["waiting"],
            "subject": "Good news",
            "body": "More places soon.\n\nStay tuned.",
        },
    )
    assert response.status_code == 302
    [message] = Message.objects.all()
    assert message.recipient == "bob@example.com"
    assert message.context["message_paragraphs"] == ["More places soon.", "Stay tuned."]
    assert rendered(message).subject == "Good news – Robotics open day"
    assert "<h1>Good news</h1>" in html(message)
    assert "<p>More places soon.</p><p>Stay tuned.</p>" in html(message)


def test_check_in_finds_people_by_name_and_marks_them_attended(admin_client, event, people):
    ann, _ = people
    page = admin_client.get(f"/admin/events/event/{event.pk}/check-in/?q=able").content.decode()
    assert "Ann Able" in page and "Bob Baker" not in page
    admin_client.post(f"/admin/events/event/{event.pk}/check-in/", {"registration": ann.pk})
    ann.refresh_from_db()
    assert ann.status == "attended"


def test_check_in_is_audited_and_can_be_undone(admin_client, event, people):
    ann, _ = people
    url = f"/admin/events/event/{event.pk}/check-in/"
    admin_client.post(url, {"registration": ann.pk})
    admin_client.post(url, {"registration": ann.pk, "undo": "1"})
    ann.refresh_from_db()
    assert ann.status == "confirmed"
    actions = AuditEntry.objects.filter(target_id=str(ann.pk)).values_list("action", flat=True)
    assert sorted(actions) == ["checked in", "undid check-in"]


@pytest.mark.parametrize("query", ["ann\x00", "\x00", "a" * 101])
def test_a_check_in_search_that_cannot_be_run_is_a_400_with_a_message(admin_client, event, query):
    response = admin_client.get(f"/admin/events/event/{event.pk}/check-in/", {"q": query})
    assert response.status_code == 400
    assert "That search could not be used" in response.content.decode()


@pytest.mark.parametrize(
    ("posted", "status"), [({"registration": "abc"}, 400), ({"registration": "1\x00"}, 400),
                           ({}, 400), ({"registration": 2**40}, 404)],
)  # fmt: skip
def test_a_check_in_of_someone_not_on_the_list_is_refused(admin_client, event, posted, status):
    response = admin_client.post(f"/admin/events/event/{event.pk}/check-in/", posted)
    assert response.status_code == status


def test_check_in_cannot_reach_another_events_registrant(admin_client, event):
    other = Registration.objects.create(
        event=EventFactory(), name="Zed", email="zed@example.com", status="confirmed"
    )
    response = admin_client.post(
        f"/admin/events/event/{event.pk}/check-in/", {"registration": other.pk}
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == "confirmed"


def test_summary_counts_registrations_and_feedback(admin_client, event, people):
    ann, _ = people
    from events.models import Feedback

    Feedback.objects.create(registration=ann, rating=4, useful=True, comments="Great")
    page = admin_client.get(f"/admin/events/event/{event.pk}/summary/").content.decode()
    assert "average rating 4.0 out of 5" in page
    assert "Great" in page


def test_export_attendees_as_csv(admin_client, event, people):
    response = admin_client.post(
        "/admin/events/event/", {"action": "export_attendees", "_selected_action": [event.pk]}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Event", "Name", "Email"]
    assert {row[1] for row in rows[1:]} == {"Ann Able", "Bob Baker"}


def test_exported_attendees_cannot_run_as_spreadsheet_formulas(admin_client, event):
    for name in ['=HYPERLINK("http://x","Hi")', "+1+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3"]:
        Registration.objects.create(
            event=event, name=name, email=f"{len(name)}@example.com", status="confirmed",
            organisation="\t=1+1", dietary_needs="\r=2+2",
        )  # fmt: skip
    response = admin_client.post(
        "/admin/events/event/", {"action": "export_attendees", "_selected_action": [event.pk]}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode(), newline="")))
    assert sorted(row[1] for row in rows[1:]) == [
        "'+1+cmd|' /C calc'!A0", "'-2+3", "'=HYPERLINK(\"http://x\",\"Hi\")", "'@SUM(A1)",
    ]  # fmt: skip
    assert {row[3] for row in rows[1:]} == {"'\t=1+1"}
    assert {row[6] for row in rows[1:]} == {"'\r=2+2"}


def test_duplicate_copies_the_agenda_as_a_draft(admin_client, event):
    SessionFactory(event=event, title="Robotics breakout")
    admin_client.post(
        "/admin/events/event/", {"action": "duplicate", "_selected_action": [event.pk]}
    )
    copy = Event.objects.exclude(pk=event.pk).get()
    assert copy.status == "draft" and copy.title.endswith("(copy)")
    assert list(copy.sessions.values_list("title", flat=True)) == ["Robotics breakout"]


def test_changing_the_time_in_the_admin_notifies_registrants(
    admin_client, django_capture_on_commit_callbacks
):
    event = EventFactory(title="Open day", venue_name="Main campus")
    Registration.objects.create(
        event=event, name="Ann", email="ann@example.com", status="confirmed"
    )
    url = f"/admin/events/event/{event.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update(
        {
            "starts_at_0": event.starts_at.strftime("%Y-%m-%d"), "starts_at_1": "18:00:00",
            "ends_at_0": event.ends_at.strftime("%Y-%m-%d"), "ends_at_1": "20:00:00",
            "routes": [], "sessions-TOTAL_FORMS": 0, "sessions-INITIAL_FORMS": 0,
            "institute": event.institute_id, "waiting_list": "promote", "offer_hours": 48,
        }
    )  # fmt: skip
    for key in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        data.pop(key, None)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert event.sequence == 1
    assert heading(Message.objects.get()) == "The time or place of this event has changed"
