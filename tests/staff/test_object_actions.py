"""The main actions for one event, course or partner application, as buttons on its own admin
page: POST only, through the existing services (so audited), confirmed by a message that names
what was done, and scoped like every other admin page."""

import pytest
from django.urls import reverse

from courses.models import Course
from events.models import Event, Registration
from iot_network.staff.models import AuditEntry
from partners.models import Organisation
from tests.factories import CourseFactory, EventFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def do(obj, action: str) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_do", args=[obj.pk, action])


def change_page(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def messages_on(client, response) -> str:
    return client.get(response["Location"]).content.decode()


def test_staff_publish_a_draft_event_from_its_page(client, world):
    home, _, people = world
    client.force_login(people["iot-staff"])
    event = EventFactory(institute=home, status=Event.Status.DRAFT, title="Robotics open day")
    page = client.get(change_page(event)).content.decode()
    assert f'action="{do(event, "publish_one")}"' in page
    assert "View on site" not in page  # a draft has no public page yet

    response = client.post(do(event, "publish_one"))

    assert response.status_code == 302 and response["Location"] == change_page(event)
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    page = messages_on(client, response)
    assert "“Robotics open day” published: it is now on the public site." in page
    assert "View on site" in page
    assert AuditEntry.objects.filter(action="published event", actor=people["iot-staff"]).exists()
    assert client.get(event.get_absolute_url()).status_code == 200


def test_an_action_is_never_done_by_a_get(client, world):
    home, _, people = world
    client.force_login(people["iot-staff"])
    event = EventFactory(institute=home, status=Event.Status.DRAFT)
    assert client.get(do(event, "publish_one")).status_code == 405
    event.refresh_from_db()
    assert event.status == Event.Status.DRAFT


def test_another_iots_event_is_not_found_and_viewers_may_not_act(client, world):
    home, away, people = world
    theirs = EventFactory(institute=away, status=Event.Status.DRAFT)
    ours = EventFactory(institute=home, status=Event.Status.DRAFT)
    client.force_login(people["iot-staff"])
    assert client.post(do(theirs, "publish_one")).status_code == 404
    assert client.post(do(ours, "no_such_action")).status_code == 404
    client.force_login(people["viewer"])
    assert client.post(do(ours, "publish_one")).status_code == 403
    assert do(ours, "publish_one") not in client.get(change_page(ours)).content.decode()
    assert set(Event.objects.values_list("status", flat=True)) == {Event.Status.DRAFT}


def test_an_event_nobody_registered_for_can_be_unpublished_but_not_one_with_people(client, world):
    home, _, people = world
    client.force_login(people["iot-staff"])
    quiet, busy = (EventFactory(institute=home) for _ in range(2))
    Registration.objects.create(event=busy, name="Ann", email="ann@example.com", status="confirmed")

    client.post(do(quiet, "unpublish_one"))
    response = client.post(do(busy, "unpublish_one"))

    assert "people have registered, so cancel it instead" in messages_on(client, response)
    statuses = dict(Event.objects.values_list("pk", "status"))
    assert statuses == {quiet.pk: Event.Status.DRAFT, busy.pk: Event.Status.PUBLISHED}
    assert AuditEntry.objects.filter(action="unpublished event").count() == 1


def test_duplicating_an_event_opens_the_draft_copy(client, world):
    home, _, people = world
    client.force_login(people["iot-staff"])
    event = EventFactory(institute=home, title="Cyber taster")
    response = client.post(do(event, "duplicate_one"))
    copy = Event.objects.exclude(pk=event.pk).get()
    assert response["Location"] == change_page(copy)
    assert copy.status == Event.Status.DRAFT and copy.title == "Cyber taster (copy)"
    assert "“Cyber taster” duplicated" in messages_on(client, response)


def test_the_event_page_links_to_cancel_check_in_and_summary(client, world):
    home, _, people = world
    client.force_login(people["iot-staff"])
    event = EventFactory(institute=home)
    page = client.get(change_page(event)).content.decode()
    for name in ("cancel", "check_in", "summary"):
        assert reverse(f"admin:events_event_{name}", args=[event.pk]) in page


def test_staff_publish_and_unpublish_a_course_from_its_page(client, world):
    home, _, people = world
    client.force_login(people["iot-staff"])
    course = CourseFactory(institute=home, status=Course.Status.DRAFT, title="Robotics HNC")

    response = client.post(do(course, "publish_one"))
    assert "“Robotics HNC” published" in messages_on(client, response)
    course.refresh_from_db()
    assert course.status == Course.Status.PUBLISHED and course.published_at

    response = client.post(do(course, "unpublish_one"))
    assert "“Robotics HNC” unpublished" in messages_on(client, response)
    course.refresh_from_db()
    assert course.status == Course.Status.DRAFT
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"published course", "unpublished course"} <= actions


def test_an_application_waiting_for_review_has_no_view_on_site_link(client, world):
    home, _, people = world
    client.force_login(people["iot-staff"])
    waiting = OrganisationFactory(institutes=[home], status=Organisation.Status.PENDING)
    listed = OrganisationFactory(
        institutes=[home], status=Organisation.Status.APPROVED, listed_in_directory=True
    )
    assert "View on site" not in client.get(change_page(waiting)).content.decode()
    assert "View on site" in client.get(change_page(listed)).content.decode()
