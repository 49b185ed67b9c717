"""Course and event pages keep the parts that depend only on their URL for everyone who asks it,
signed in or not (iot_network/web/shared_parts.py), while what is personal stays personal: the
save-search form, the shortlist buttons, an event's places left."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Registration
from iot_network.web import shared_parts
from tests.factories import (
    CourseFactory,
    CourseRunFactory,
    EventFactory,
    UserFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def parts(settings):
    settings.FRAGMENT_CACHE_SECONDS = 60


def get(client, path: str) -> tuple[list[str], str, int]:
    """The SQL a request ran, its page and its status."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return [q["sql"] for q in queries], response.content.decode(), response.status_code


def touching(sql: list[str], table: str) -> list[str]:
    return [statement for statement in sql if f'"{table}"' in statement]


def expire_everything() -> None:
    shared_parts.PAGES.expire_all()
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def catalogue(reference_data):
    courses = [CourseFactory(title=f"Robotics course {n}", level=4) for n in range(3)]
    for course in courses:
        CourseRunFactory(course=course)
    return courses


def test_a_search_is_built_once_for_everyone_who_asks_its_url(client, catalogue, parts):
    sql, first, _ = get(client, "/courses/?level=4")
    assert touching(sql, "courses_course")
    member = UserFactory()
    client.force_login(member)
    sql, again, status = get(client, "/courses/?level=4")
    assert status == 200
    assert not touching(sql, "courses_course") and not touching(sql, "courses_courserun")
    assert "3 courses" in again and "Robotics course 2" in again
    results = re.compile(r'<ul class="results">.*?</ul>', re.S)
    assert results.search(again)[0] == results.search(first)[0]


def test_the_save_search_form_is_each_visitors_own(client, catalogue, parts):
    member = UserFactory()
    client.force_login(member)
    _, signed_in, _ = get(client, "/courses/?level=4")  # builds and keeps the part
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', signed_in)
    assert token and "Save this search" in signed_in
    assert 'name="query" value="level=4"' in signed_in
    client.logout()
    sql, anonymous, _ = get(client, "/courses/?level=4")
    assert not touching(sql, "courses_course")  # the kept part
    assert "Save this search" not in anonymous and "csrfmiddlewaretoken" not in anonymous
    assert "Sign in</a> to save this search" in anonymous
    assert "/account/login/?next=/courses/%3Flevel%3D4" in anonymous


def test_a_shortlisted_course_shows_as_shortlisted_on_a_kept_page(client, catalogue, parts):
    chosen = catalogue[1]
    _, anonymous, _ = get(client, "/courses/")  # kept with no course shortlisted
    assert "Remove from shortlist" not in anonymous
    client.post(f"/courses/{chosen.slug}/shortlist/")
    _, mine, _ = get(client, "/courses/")
    assert mine.count("Remove from shortlist") == 1
    assert re.search(rf"{chosen.title}.*?Remove from shortlist", mine, re.S)
    # Another visitor still gets the page kept for everyone, with nothing of the first one's.
    _, theirs, _ = get(client.__class__(), "/courses/")
    assert "Remove from shortlist" not in theirs
    _, page, _ = get(client, f"/courses/{chosen.slug}/")
    assert "Remove from shortlist" in page and "See your shortlist (1" in page
    _, page, _ = get(client.__class__(), f"/courses/{chosen.slug}/")
    assert "Add to shortlist" in page and "See your shortlist" not in page


def test_an_edit_shows_within_the_minute_and_at_once_to_staff(client, catalogue, parts):
    course = catalogue[0]
    run = course.runs.get()
    assert "Main campus" in get(client, f"/courses/{course.slug}/")[1]
    assert "Robotics course 0" in get(client, "/courses/")[1]
    course.title = "Mechatronics course"
    course.save()
    assert "Mechatronics course" not in get(client, "/courses/")[1]  # kept for the minute
    # The course page is kept for the course as it was edited: the edit shows at once ...
    assert "Mechatronics course" in get(client, f"/courses/{course.slug}/")[1]
    run.venue_name = "Riverside campus"
    run.save()
    # ... and its start dates and places are kept for the minute.
    assert "Riverside campus" not in get(client, f"/courses/{course.slug}/")[1]
    staff = client.__class__()
    staff.force_login(staff_user())
    assert "Riverside campus" in get(staff, f"/courses/{course.slug}/")[1]
    assert "Mechatronics course" in get(staff, "/courses/")[1]
    expire_everything()
    assert "Riverside campus" in get(client, f"/courses/{course.slug}/")[1]
    assert "Mechatronics course" in get(client, "/courses/")[1]


def test_an_events_places_left_are_read_live_on_a_kept_page(client, reference_data, parts):
    event = EventFactory(capacity=10, description="A tour of the robotics lab.")
    path = f"/events/{event.slug}/"
    assert "10 places left" in get(client, path)[1]
    Registration.objects.create(
        event=event, name="Ada", email="ada@example.com", status=Registration.Status.CONFIRMED
    )
    event.description = "Changed"
    event.save()
    sql, page, _ = get(client, path)
    assert len(sql) == 1  # the panel's one query; the rest of the page is kept
    assert "9 places left" in page and "A tour of the robotics lab." in page
    event.status = event.Status.DRAFT  # unpublished: gone at once, not in a minute
    event.save()
    assert get(client, path)[2] == 404


def test_the_events_list_is_kept_for_everyone(client, reference_data, parts):
    EventFactory(title="Robotics open day")
    sql, first, _ = get(client, "/events/")
    assert touching(sql, "events_event")
    client.force_login(UserFactory())
    sql, again, _ = get(client, "/events/")
    assert not touching(sql, "events_event") and "Robotics open day" in again


def test_pages_that_answer_an_error_are_not_kept(client, catalogue, parts):
    assert get(client, "/courses/?level=9")[2] == 400
    assert get(client, "/events/?date_from=soon")[2] == 400
    assert get(client, "/courses/no-such-course/")[2] == 404
    assert not len(shared_parts.PAGES)


def test_no_value_in_the_url_can_fill_a_slot(client, catalogue, parts):
    client.force_login(UserFactory())
    forged = "<!--slot:save_search-->"
    _, page, status = get(client, f"/courses/?q={forged}")
    assert status == 200
    assert page.count('class="save-search"') == 1
    assert forged not in page and "&lt;!--slot:save_search--&gt;" in page


def test_nothing_is_kept_when_the_setting_is_zero(client, catalogue, settings):
    settings.FRAGMENT_CACHE_SECONDS = 0
    get(client, "/courses/")
    assert touching(get(client, "/courses/")[0], "courses_course")
    assert not len(shared_parts.PAGES)


def test_the_registration_form_is_shared_but_its_token_and_state_are_not(reference_data, parts):
    from django.test import Client

    event = EventFactory(capacity=1)
    path = f"/events/{event.slug}/register/"
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    get(first, path)
    sql, page, _ = get(second, path)
    assert len(sql) == 1  # the event's state and places, read live; the form is kept
    assert "Register for this event" in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    # The token is this visitor's: their post is accepted, and takes the one place.
    response = second.post(
        path,
        {
            "csrfmiddlewaretoken": token,
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    _, page, _ = get(first, path)
    assert "Join the waiting list" in page and "The event is full." in page


def test_the_filters_reference_lists_are_kept_for_the_minute_too(client, catalogue, parts):
    from tests.factories import InstituteFactory

    get(client, "/courses/")
    InstituteFactory(name="Newly Founded Institute of Technology")
    sql, page, _ = get(client, "/courses/?level=5")  # a new search: built, with kept lists
    assert touching(sql, "courses_course")
    assert not [statement for statement in sql if 'AS "list"' in statement]  # the lists' query
    assert "Newly Founded" not in page
    expire_everything()
    from courses.filters import forget_reference_choices

    forget_reference_choices()  # as when the minute is up
    assert "Newly Founded" in get(client, "/courses/?level=5")[1]


def test_a_course_taken_down_is_gone_at_once_and_an_edit_shows_at_once(client, catalogue, parts):
    course = catalogue[0]
    client.force_login(UserFactory())
    path = f"/courses/{course.slug}/"
    assert "Robotics course 0" in get(client, path)[1]
    sql, _, _ = get(client, path)
    assert len(touching(sql, "courses_course")) == 1  # only whether it is still published
    course.summary = "Now with a robot arm lab."
    course.save()
    assert "Now with a robot arm lab." in get(client, path)[1]
    course.status = course.Status.DRAFT
    course.save()
    assert get(client, path)[2] == 404


def test_a_cancelled_event_says_so_at_once_in_the_page_and_its_data(client, reference_data, parts):
    import json

    event = EventFactory(capacity=5)
    path = f"/events/{event.slug}/"
    client.force_login(UserFactory())
    get(client, path)
    event.status = event.Status.CANCELLED
    event.cancellation_reason = "Storm warning"
    event.save()
    page = get(client, path)[1]
    assert 'class="panel"' not in page
    assert "This event has been cancelled." in page and "Storm warning" in page
    data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', page, re.S)[1])
    assert data["eventStatus"].endswith("EventCancelled")


def test_staff_see_a_new_institute_among_the_filters_at_once(client, catalogue, parts):
    from tests.factories import InstituteFactory

    get(client, "/courses/")
    InstituteFactory(name="Newly Founded Institute of Technology")
    staff = client.__class__()
    staff.force_login(staff_user())
    assert "Newly Founded" in get(staff, "/courses/?level=4")[1]


def test_what_a_process_keeps_stays_within_its_budget():
    store = shared_parts.LocalStore(max_bytes=1000)
    store.put("a", (1e12, "x" * 400))
    store.put("b", (1e12, "x" * 400))
    assert store.get("a")  # used, so "b" is now the least recently used
    store.put("c", (1e12, {"html": "x" * 300}))
    assert store.get("b") is None and store.get("a") and store.get("c")
    assert store.bytes <= 1000
    store.put("huge", (1e12, "x" * 5000))  # larger than the whole budget: not kept
    assert store.get("huge") is None and store.get("a")


def test_many_searches_do_not_push_out_the_home_pages_fragments(client, catalogue, parts):
    get(client, "/")
    kept = len(shared_parts.FRAGMENTS)
    assert kept
    for n in range(30):
        get(client, f"/courses/?q=robotics+{n}")
    assert len(shared_parts.FRAGMENTS) == kept and len(shared_parts.PAGES) >= 30


def test_the_apprenticeships_and_institutes_lists_are_kept_and_head_is_answered(
    client, catalogue, parts
):
    for path in ("/apprenticeships/?q=robotics", "/institutes/"):
        assert client.head(path).status_code == 200
        sql, page, status = get(client, path)  # the parts the HEAD request built
        assert status == 200 and "<h1>" in page
        assert not touching(sql, "courses_course") and not touching(sql, "institutes_institute")


def test_a_cancelled_events_registration_page_says_it_was_cancelled(client, reference_data, parts):
    event = EventFactory(capacity=5)
    path = f"/events/{event.slug}/register/"
    get(client, path)
    event.status = event.Status.CANCELLED
    event.save()
    page = get(client, path)[1]
    assert "This event has been cancelled." in page
    assert "Registration for this event is not open." not in page
