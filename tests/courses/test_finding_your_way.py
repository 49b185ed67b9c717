"""Issue 18: after shortlisting, the shortlist is one click away with its count; every course
listed says who teaches it and for which institute; how to apply always comes with a link."""

import pytest
from django.contrib.messages import get_messages

from tests.factories import CourseFactory, CourseRunFactory, InstituteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    course = CourseFactory(
        title="Cyber security HTQ",
        provider_name="North College",
        institute=InstituteFactory(name="North Institute of Technology", slug="north-iot"),
    )
    CourseRunFactory(course=course, how_to_apply="Apply on our website.")
    return course


def test_adding_a_course_says_how_many_are_shortlisted_and_links_to_the_list(client, course):
    response = client.post(f"/courses/{course.slug}/shortlist/")
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == (
        'Cyber security HTQ was added to <a href="/courses/shortlist/">your shortlist</a> '
        "(1 course)."
    )
    page = client.get(course.get_absolute_url()).content.decode()
    assert message in page  # shown as a link, not escaped
    assert "See your shortlist (1" in page


def test_the_header_shows_the_shortlist_and_its_count_on_every_page(client, course):
    assert "Your shortlist" not in client.get("/events/").content.decode()
    client.post(f"/courses/{course.slug}/shortlist/")
    page = client.get("/events/").content.decode()
    assert '<a href="/courses/shortlist/">Your shortlist <span class="header__count">(1' in page


def test_results_and_the_shortlist_say_who_teaches_each_course_and_where(client, course):
    expected = "North College · North Institute of Technology"
    assert expected in client.get("/courses/").content.decode()
    client.post(f"/courses/{course.slug}/shortlist/")
    assert expected in client.get("/courses/shortlist/").content.decode()
    assert expected in client.get(course.get_absolute_url()).content.decode()


def test_how_to_apply_links_to_the_application_or_to_a_question(client, course):
    page = client.get(course.get_absolute_url()).content.decode()
    assert (
        f'href="/courses/{course.slug}/enquire/">Ask North Institute of Technology how to apply'
        in page
    )
    # (A new course: the first page may be cached for people without a session.)
    linked = CourseFactory(provider_name="South College")
    CourseRunFactory(course=linked, apply_url="https://south.example/apply")
    page = client.get(linked.get_absolute_url()).content.decode()
    assert '<a href="https://south.example/apply">Apply on South College\'s website' in page


def test_on_a_phone_the_filters_start_closed_below_a_toggle(client, course):
    page = client.get("/courses/").content.decode()
    assert '<details class="filters-panel" id="filters">' in page
    assert '<summary class="filters-panel__toggle">Filter courses</summary>' in page
    # With errors to fix, the filters start open so the error summary is seen.
    page = client.get("/courses/?start_from=soon").content.decode()
    assert '<details class="filters-panel" id="filters" open>' in page


def test_the_events_filter_offers_anyone_but_not_also_everyone(client):
    page = client.get("/events/").content.decode()
    assert '<option value="" selected>Anyone</option>' in page
    assert 'value="everyone"' not in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("lat=abc&lng=-1.5", "Your location&#x27;s latitude must be a number, like 12.50."),
        ("lat=54.7&lng=", "Your location was incomplete. Try &#x27;Use my location&#x27; again."),
        ("lat=91&lng=0", "Your location was not a real place. Try again."),
    ],
)
def test_a_mangled_location_is_explained_in_words(client, query, message):
    response = client.get(f"/courses/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "[invalid name]" not in response.content.decode()


@pytest.mark.parametrize("query", ["lat=abc&lng=-1.5", "lat=54.7&lng=east"])
def test_a_mangled_coordinate_is_one_error_not_also_an_incomplete_location(client, query):
    response = client.get(f"/courses/?{query}")
    assert response.status_code == 400
    assert "must be a number" in response.content.decode()
    assert "was incomplete" not in response.content.decode()


def test_an_unknown_institute_is_named_in_the_error(client):
    page = client.get("/courses/?institute=nope").content.decode()
    assert "Choose an Institute of Technology from the list." in page
