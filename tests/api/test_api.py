"""The open data API: the web pages' filters and order, cursor pages, conditional requests, CORS,
the public rate limit, the page cache, fixed query counts and the documentation page."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from courses.models import Course
from iot_network.api.middleware import RATE_LIMIT
from tests.factories import (
    CourseFactory,
    CourseRunFactory,
    EventFactory,
    OpportunityFactory,
    OrganisationFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code in (200, 304), (url, response.status_code, response.content)
    return response


def relative(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def every_page(client, url: str) -> list[dict]:
    results = []
    while url:
        body = get(client, url).json()
        results += body["results"]
        url = relative(body["next"]) if body["next"] else None
    return results


@pytest.fixture
def catalogue(reference_data):
    today = timezone.localdate()
    courses = []
    for i, (title, level, mode) in enumerate(
        [
            ("Cyber security HTQ", 4, "part-time"),
            ("Cyber security operations", 5, "full-time"),
            ("Network engineering HNC", 4, "part-time"),
            ("Software development HND", 5, "part-time"),
            ("Robotics foundation degree", 5, "full-time"),
            ("Data analytics bootcamp", 4, "flexible"),
        ]
    ):
        course = CourseFactory(title=title, level=level)
        CourseRunFactory(
            course=course,
            study_mode=mode,
            start_date=today + timedelta(days=30 + 10 * i),
            latitude=f"{54.7 + i / 10:.5f}",
        )
        courses.append(course)
    return courses


# Filters and order: the web page's ------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=cyber+security",
        "level=4&study_mode=part-time",
        "q=cyber&level=5",
        "sort=title",
        "lat=54.78&lng=-1.58&radius=50",
        "lat=54.78&lng=-1.58&radius=100&sort=distance&level=5",
        "study_mode=flexible&study_mode=full-time&sort=start",
    ],
)
def test_course_list_gives_the_web_pages_results_in_the_web_pages_order(client, catalogue, query):
    page = client.get(f"/courses/?{query}")
    expected = [course.pk for course in page.context["page"].object_list]
    api = every_page(client, f"{API}/courses?{query}")
    assert [course["id"] for course in api] == expected
    assert expected, "every search here matches some courses"


def test_apprenticeships_flag_lists_what_the_apprenticeships_page_lists(client, catalogue):
    CourseFactory(title="Engineering apprenticeship", qualification_type="higher-apprenticeship")
    page = client.get("/apprenticeships/")
    expected = [course.pk for course in page.context["page"].object_list]
    assert [c["id"] for c in every_page(client, f"{API}/courses?apprenticeships=true")] == expected
    assert len(expected) == 1


def test_a_filter_the_page_refuses_is_a_400_naming_the_parameter(client, catalogue):
    for query, parameter in [
        ("level=9", "level"),
        ("start_from=2027-05-01&start_to=2027-01-01", "start_to"),
        ("route=no-such-route", "route"),
        ("limit=0", "limit"),
        ("cursor=made-up", "cursor"),
    ]:
        response = client.get(f"{API}/courses?{query}")
        assert response.status_code == 400, query
        assert parameter in response.json()["errors"], (query, response.json())


def test_a_postcode_search_is_the_pages_postcode_search(client, catalogue, postcodes_api):
    page = client.get("/courses/?postcode=DH1+3LH&radius=25")
    expected = [course.pk for course in page.context["page"].object_list]
    body = get(client, f"{API}/courses?postcode=DH1+3LH&radius=25").json()
    assert [course["id"] for course in body["results"]] == expected
    assert all(course["distance_miles"] is not None for course in body["results"])
    assert client.get(f"{API}/courses?postcode=ZZ99+9ZZ").status_code == 400


def test_events_and_institutes_use_the_pages_filters(client, catalogue):
    online = EventFactory(title="Webinar", is_online=True)
    EventFactory(title="Open day", is_online=False)
    EventFactory(title="Draft", status="draft", is_online=True)
    body = get(client, f"{API}/events?attendance=online").json()
    assert [event["id"] for event in body["results"]] == [online.pk]
    institutes = get(client, f"{API}/institutes?region=north-east&limit=100").json()["results"]
    page = client.get("/institutes/?region=north-east")
    assert [i["slug"] for i in institutes] == [i.slug for i in page.context["listing"].page]


def test_opportunities_match_like_the_apprenticeship_vacancies(client, reference_data):
    robotics = OpportunityFactory(title="Robotics apprentice")
    OpportunityFactory(title="Welding apprentice")
    OpportunityFactory(title="Robotics placement", status="pending")
    body = get(client, f"{API}/opportunities?q=robotics").json()
    assert [item["id"] for item in body["results"]] == [robotics.pk]


# Cursor pages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["", "sort=title", "q=course", "lat=54.7&lng=-1.5&radius=100", "sort=start"]
)
def test_cursor_pages_cover_every_result_once_in_order(client, reference_data, query):
    today = timezone.localdate()
    for i in range(23):
        course = CourseFactory(title=f"Engineering course {i % 5}")  # ties on title and start
        if i % 4:  # some without runs: no start, no distance (nulls sort last)
            CourseRunFactory(course=course, start_date=today + timedelta(days=10 + i % 3))
    whole = [c["id"] for c in get(client, f"{API}/courses?{query}&limit=100").json()["results"]]
    paged = [c["id"] for c in every_page(client, f"{API}/courses?{query}&limit=4")]
    assert paged == whole
    assert len(set(paged)) == len(paged)


def test_a_course_added_between_pages_does_not_repeat_or_skip_others(client, reference_data):
    for i in range(6):
        CourseFactory(title=f"Course {i}")
    first = get(client, f"{API}/courses?sort=title&limit=3").json()
    CourseFactory(title="Course 0a")  # sorts into the page already read
    rest = every_page(client, relative(first["next"]))
    assert [c["title"] for c in rest] == ["Course 3", "Course 4", "Course 5"]


def test_a_cursor_from_another_order_is_refused(client, catalogue):
    following = get(client, f"{API}/courses?sort=title&limit=2").json()["next"]
    cursor = following.split("cursor=")[1]
    response = client.get(f"{API}/courses?q=cyber&cursor={cursor}")
    assert response.status_code == 400
    assert "another order" in response.json()["detail"]


# Conditional requests, CORS, rate limit, cache ------------------------------------------------


def test_an_unchanged_answer_is_a_304_by_etag_or_date_and_a_change_is_seen(client, catalogue):
    first = get(client, f"{API}/courses?level=4")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert get(client, f"{API}/courses?level=4", if_none_match=etag).status_code == 304
    assert get(client, f"{API}/courses?level=4", if_modified_since=modified).status_code == 304
    again = get(client, f"{API}/courses?level=4")
    assert (again["ETag"], again["Last-Modified"]) == (etag, modified)

    run = catalogue[0].runs.get()  # a run changes; the course row does not
    run.venue_name = "New campus"
    run.save()
    changed = get(client, f"{API}/courses?level=4", if_none_match=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "New campus" in changed.content.decode()


def test_answers_are_cached_like_public_pages_and_still_conditional(client, catalogue, settings):
    settings.PAGE_CACHE_SECONDS = 60
    first = get(client, f"{API}/courses")
    assert first["X-Page-Cache"] == "miss"
    assert first["Cache-Control"] == "public, max-age=60"
    cached = get(client, f"{API}/courses")
    assert cached["X-Page-Cache"] == "hit" and cached.content == first.content
    assert get(client, f"{API}/courses", if_none_match=first["ETag"]).status_code == 304


def test_any_site_may_read_the_api_from_a_browser(client, catalogue):
    response = get(client, f"{API}/courses", origin="https://example.com")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    preflight = client.options(
        f"{API}/courses",
        headers={"origin": "https://example.com", "access-control-request-method": "GET"},
    )
    assert preflight.status_code == 204
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]
    assert client.post(f"{API}/courses").status_code == 405
    assert client.get("/courses/").get("Access-Control-Allow-Origin") is None


def test_head_answers_like_get_without_a_body(client, catalogue):
    response = client.head(f"{API}/courses")
    assert response.status_code == 200 and response.content == b""
    assert response["ETag"] == get(client, f"{API}/courses")["ETag"]


def test_each_address_gets_the_public_rate_limit(client, reference_data):
    for _ in range(RATE_LIMIT):
        assert client.get(f"{API}/routes?limit=1").status_code == 200
    refused = client.get(f"{API}/routes?limit=1")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60" and refused["Access-Control-Allow-Origin"] == "*"
    other = client.get(f"{API}/routes?limit=1", REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200


# Query counts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "most"),
    [
        ("courses?q=course&level=4", 7),
        ("events", 3),
        ("institutes", 1),
        ("routes", 1),
        ("opportunities", 1),
    ],
)
def test_lists_run_a_fixed_number_of_queries_however_long(
    client, reference_data, django_assert_max_num_queries, path, most
):
    def add_rows(n):
        for _ in range(n):
            course = CourseFactory()
            course.partner_employers.add(OrganisationFactory())
            CourseRunFactory(course=course)
            CourseRunFactory(course=course, study_mode="part-time")
            event = EventFactory()
            SessionFactory(event=event)
            OpportunityFactory(course=course)

    add_rows(1)
    with django_assert_max_num_queries(most):
        get(client, f"{API}/{path}")
    add_rows(25)
    with django_assert_max_num_queries(most):
        body = get(client, f"{API}/{path}?limit=100" if "?" not in path else f"{API}/{path}")
    assert len(body.json()["results"]) > 1


# Stable ids and URLs ---------------------------------------------------------------------------


def test_each_result_links_to_itself_in_the_api_and_on_the_site(client, catalogue):
    course = get(client, f"{API}/courses?limit=1").json()["results"][0]
    detail = get(client, relative(course["url"])).json()
    searched = {"next_start", "distance_miles"}  # from the search's matching runs
    assert {k: v for k, v in detail.items() if k not in searched} == {
        k: v for k, v in course.items() if k not in searched
    }
    assert client.get(relative(course["web_url"])).status_code == 200
    Course.objects.filter(pk=course["id"]).update(title="Renamed")
    assert get(client, relative(course["url"])).json()["id"] == course["id"]


# Documentation ---------------------------------------------------------------------------------


def test_the_documentation_page_describes_every_endpoint_with_the_licence(client):
    schema = get(client, f"{API}/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    page = get(client, f"{API}/")
    html = page.content.decode()
    assert "Open Government Licence v3.0" in html
    for path, methods in schema["paths"].items():
        for method in methods:
            assert f"{method.upper()} {path}" in html, path
    assert not re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script (CSP)
    assert "curl -i" in html and "&quot;next&quot;" in html
