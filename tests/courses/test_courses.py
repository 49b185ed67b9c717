import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from courses.models import Course
from courses.search import CourseSearch, facet_counts, search_courses
from iot_network.web.geo import Point
from tests.factories import (
    CourseFactory,
    CourseRunFactory,
    InstituteFactory,
    OrganisationFactory,
    RouteFactory,
)

pytestmark = pytest.mark.django_db

DURHAM = Point(54.7753, -1.5849)


def titles(queryset):
    return [course.title for course in queryset]


# Identifiers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("provider_ukprn", "20001234", "8 digits starting with 1"),
        ("provider_ukprn", "1000123", "8 digits starting with 1"),
        ("standard_reference", "ST787", "ST followed by 4 digits"),
        ("qan", "603-7284-5", "like 603/7284/5"),
        ("lars_code", "6037284", "8 characters"),
    ],
)
def test_identifiers_are_checked_with_a_message_people_can_act_on(field, value, message):
    course = CourseFactory.build(route=RouteFactory(), institute=CourseFactory().institute)
    setattr(course, field, value)
    with pytest.raises(ValidationError) as error:
        course.full_clean(exclude=["slug"])
    assert message in " ".join(error.value.message_dict[field])


def test_well_formed_identifiers_are_accepted():
    course = CourseFactory(
        provider_ukprn="10001234",
        standard_reference="ST0787",
        qan="603/7284/5",
        lars_code="6037284X",
    )
    course.full_clean()


# Search ------------------------------------------------------------------------------------------


def test_run_filters_must_all_match_the_same_upcoming_run():
    both = CourseFactory(title="Matches on one run")
    CourseRunFactory(course=both, study_mode="part-time", attendance="online")
    split = CourseFactory(title="Matches on two different runs")
    CourseRunFactory(course=split, study_mode="part-time", attendance="campus")
    CourseRunFactory(course=split, study_mode="full-time", attendance="online")
    past = CourseFactory(title="Only a past run")
    CourseRunFactory(course=past, study_mode="part-time", attendance="online",
                     start_date=timezone.localdate() - timedelta(days=10))  # fmt: skip
    search = CourseSearch(study_modes=("part-time",), attendances=("online",))
    assert titles(search_courses(search)) == ["Matches on one run"]


def test_near_a_place_keeps_courses_within_the_radius_nearest_first():
    near = CourseFactory(title="In Durham")
    CourseRunFactory(course=near, latitude="54.77600", longitude="-1.57000")
    middle = CourseFactory(title="In Newcastle")
    CourseRunFactory(course=middle, latitude="54.97800", longitude="-1.61700")  # ~14 miles
    far = CourseFactory(title="In Exeter")
    CourseRunFactory(course=far, latitude="50.73600", longitude="-3.53400")
    results = list(search_courses(CourseSearch(point=DURHAM, radius_miles=25, sort="distance")))
    assert titles(results) == ["In Durham", "In Newcastle"]
    assert results[0].distance < 1 < 10 < results[1].distance < 20


def test_soonest_start_uses_the_runs_that_match():
    course = CourseFactory(title="Two intakes")
    today = timezone.localdate()
    CourseRunFactory(course=course, start_date=today + timedelta(days=20), study_mode="full-time")
    CourseRunFactory(course=course, start_date=today + timedelta(days=90), study_mode="part-time")
    [result] = search_courses(CourseSearch(study_modes=("part-time",)))
    assert result.next_start == today + timedelta(days=90)


def test_each_filter_option_counts_the_results_it_would_give():
    digital, engineering = RouteFactory(slug="digital"), RouteFactory(slug="engineering")
    for level, route in [(4, digital), (4, digital), (5, digital), (4, engineering)]:
        CourseRunFactory(course=CourseFactory(level=level, route=route))
    counts = facet_counts(CourseSearch(levels=(4,), routes=("digital",)))
    # Level counts keep the route filter; route counts keep the level filter.
    assert counts["levels"] == {4: 2, 5: 1}
    assert counts["routes"] == {"digital": 2, "engineering": 1}


def test_funding_filter_finds_apprenticeships_and_courses_with_no_fee():
    apprenticeship = CourseFactory(
        title="Apprenticeship", qualification_type="degree-apprenticeship"
    )
    free = CourseFactory(title="Free bootcamp", qualification_type="bootcamp")
    CourseRunFactory(course=free, fee="0")
    CourseRunFactory(course=CourseFactory(title="Paid HNC", qualification_type="hnc"), fee="7000")
    assert titles(search_courses(CourseSearch(funding=("apprenticeship",)))) == [
        apprenticeship.title
    ]
    assert titles(search_courses(CourseSearch(funding=("no-fee",)))) == ["Free bootcamp"]


@pytest.mark.postgresql
def test_full_text_search_is_stemmed_weighted_and_ranked():
    # Alphabetical order would put "Applied welding" first: the rank must put the title match first.
    CourseFactory(title="Applied welding", summary="Join metals.", description="For engineers.")
    CourseFactory(title="Zero-carbon engineering", summary="Numbers for engineers.")
    CourseFactory(title="Bakery", summary="Bread.")
    results = list(search_courses(CourseSearch(q="engineer")))
    assert titles(results) == ["Zero-carbon engineering", "Applied welding"]
    assert results[0].rank > results[1].rank > 0


@pytest.mark.postgresql
def test_soonest_upcoming_start_is_kept_on_the_course_and_orders_the_list():
    from courses.services import refresh_upcoming_starts

    today = timezone.localdate()
    later, sooner = CourseFactory(title="A later start"), CourseFactory(title="B sooner start")
    CourseRunFactory(course=later, start_date=today + timedelta(days=90))
    CourseRunFactory(course=later, start_date=today - timedelta(days=5))  # past: ignored
    run = CourseRunFactory(course=sooner, start_date=today + timedelta(days=200))
    later.refresh_from_db()
    assert later.upcoming_start == today + timedelta(days=90)
    run.start_date = today + timedelta(days=10)
    run.save()
    assert titles(search_courses(CourseSearch(sort="start"))) == ["B sooner start", "A later start"]
    Course.objects.update(upcoming_start=None)
    refresh_upcoming_starts()
    sooner.refresh_from_db()
    assert sooner.upcoming_start == today + timedelta(days=10)


@pytest.mark.postgresql
def test_a_run_that_does_not_change_the_soonest_start_leaves_the_course_row_alone():
    from django.db import connection

    def row_version() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT ctid::text FROM courses_course WHERE id = %s", [course.pk])
            return cursor.fetchone()[0]

    today = timezone.localdate()
    course = CourseFactory()
    CourseRunFactory(course=course, start_date=today + timedelta(days=30))
    before = row_version()
    CourseRunFactory(course=course, start_date=today + timedelta(days=90))  # later: no change
    assert row_version() == before
    CourseRunFactory(course=course, start_date=today + timedelta(days=7))  # sooner: rewritten
    assert row_version() != before
    course.refresh_from_db()
    assert course.upcoming_start == today + timedelta(days=7)


def test_runs_keep_their_place_as_floating_point_for_distance_searches():
    run = CourseRunFactory(latitude=Decimal("52.95123"), longitude=Decimal("-1.47456"))
    run.refresh_from_db()
    assert (run.lat, run.lng) == (52.95123, -1.47456)
    online = CourseRunFactory(latitude=None, longitude=None)
    online.refresh_from_db()
    assert (online.lat, online.lng) == (None, None)


@pytest.mark.postgresql
def test_search_vector_follows_edits():
    course = CourseFactory(title="Plumbing")
    course.title = "Robotics"
    course.save()
    assert titles(search_courses(CourseSearch(q="robot"))) == ["Robotics"]
    assert titles(search_courses(CourseSearch(q="plumbing"))) == []


# Pages -------------------------------------------------------------------------------------------


def test_list_page_shows_counts_chips_and_keeps_the_url_shareable(client):
    for level in (4, 4, 5):
        CourseRunFactory(course=CourseFactory(level=level))
    response = client.get("/courses/?level=4&study_mode=full-time")
    content = response.content.decode()
    assert response.status_code == 200
    assert "2 courses" in content
    assert re.search(
        r'value="5"[^>]*>\s*<label[^>]*>Level 5 <span class="facet__count">\(1\)', content
    )
    assert 'href="/courses/?study_mode=full-time"' in content  # removes the Level 4 chip
    assert 'href="/courses/?level=4"' in content  # removes the full-time chip


@pytest.mark.parametrize(
    "query", ["lat=54.779&lng=-1.58&radius=10", "q=cyber", "q=cyber&lat=54.779&lng=-1.58"]
)
def test_each_result_shows_its_own_course_and_institute(client, query):
    course = CourseFactory(
        title="Cyber defence",
        summary="Learn to defend networks.",
        provider_name="Durham College",
        level=5,
        qualification_type="hnd",
        institute=InstituteFactory(name="North East IoT", town="Durham"),
    )
    run = CourseRunFactory(course=course)
    content = client.get(f"/courses/?{query}").content.decode()
    assert f'href="/courses/{course.slug}/' in content
    assert f"{run.start_date.day} {run.start_date:%B %Y}" in content
    assert "Learn to defend networks." in content
    assert "Durham College · North East IoT" in content
    assert "Higher National Diploma (HND), Level 5" in content


def test_invalid_filter_value_is_a_clear_400(client):
    response = client.get("/courses/?level=9&start_from=not-a-date")
    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content
    assert "Choose level from the list." in content
    assert "The earliest start date must be a real date, like 27/03/2026." in content


def test_dates_the_wrong_way_round_are_explained(client):
    response = client.get("/courses/?start_from=2030-05-01&start_to=2030-01-01")
    assert response.status_code == 400
    assert "on or after the earliest" in response.content.decode()


def test_list_page_runs_a_fixed_number_of_queries_whatever_the_page_size(client):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    CourseRunFactory(course=CourseFactory())
    with CaptureQueriesContext(connection) as few:
        client.get("/courses/?q=course&level=4")
    for _ in range(30):
        CourseRunFactory(course=CourseFactory())
    cache.clear()  # facet counts are cached for a few minutes; count them again
    with CaptureQueriesContext(connection) as many:
        client.get("/courses/?q=course&level=4")
    assert len(few) == len(many)
    assert len(many) <= 20
    with CaptureQueriesContext(connection) as cached:
        client.get("/courses/?q=course&level=4")
    # The facet counts came from the cache: no statement counts them (on PostgreSQL the page and
    # the counts are one statement when they are not cached, so there are no fewer statements).
    assert len(cached) <= len(many)
    assert any("GROUP BY" in query["sql"] for query in many.captured_queries)
    assert not any("GROUP BY" in query["sql"] for query in cached.captured_queries)


def test_apprenticeships_page_lists_only_apprenticeships(client):
    CourseFactory(title="Engineering Technician", qualification_type="higher-apprenticeship")
    CourseFactory(title="Classroom HNC", qualification_type="hnc")
    content = client.get("/apprenticeships/").content.decode()
    assert "Engineering Technician" in content
    assert "Classroom HNC" not in content


def test_course_page_has_the_facts_runs_employers_and_json_ld(client):
    employer = OrganisationFactory(name="Northfield Robotics Ltd")
    hidden = OrganisationFactory(name="Pending Ltd", status="pending")
    course = CourseFactory(title="Robotics HNC", careers="Robotics technician\nAutomation engineer")
    course.partner_employers.set([employer, hidden])
    CourseRunFactory(course=course, fee="0", attendance="blended")
    content = client.get(course.get_absolute_url() + "?lat=54.7753&lng=-1.5849").content.decode()
    assert "Northfield Robotics Ltd" in content and "Pending Ltd" not in content
    assert "Automation engineer" in content
    assert "No fee" in content
    assert "miles from your location" in content
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)[1]
    )
    assert data["@type"] == "Course"
    assert data["hasCourseInstance"][0]["courseMode"] == "Blended"
    assert data["hasCourseInstance"][0]["offers"]["category"] == "Free"


def test_draft_course_page_is_404(client):
    assert client.get(CourseFactory(status="draft").get_absolute_url()).status_code == 404


def test_sitemap_and_robots_cover_courses_and_institutes(client):
    course = CourseFactory()
    draft = CourseFactory(status="draft")
    sitemap = client.get("/sitemap-courses.xml").content.decode()
    assert course.get_absolute_url() in sitemap and draft.get_absolute_url() not in sitemap
    assert (
        course.institute.get_absolute_url()
        in client.get("/sitemap-institutes.xml").content.decode()
    )
    assert "Sitemap: http://testserver/sitemap.xml" in client.get("/robots.txt").content.decode()


# Postcodes ---------------------------------------------------------------------------------------


def test_postcode_search_looks_the_place_up_and_caches_it(client, postcodes_api):
    near = CourseFactory(title="Near Durham")
    CourseRunFactory(course=near, latitude="54.77600", longitude="-1.57000")
    CourseRunFactory(course=CourseFactory(title="In Exeter"), latitude="50.736", longitude="-3.534")
    content = client.get("/courses/?postcode=dh1+3lh&radius=10").content.decode()
    assert "1 course within 10 miles of DH1 3LH" in content
    assert "Near Durham" in content and "In Exeter" not in content
    client.get("/courses/?postcode=DH13LH&radius=10")
    assert len(postcodes_api.requests) == 1


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("not a postcode", "Enter a full UK postcode"),
        ("ZZ9 9ZZ", "could not find the postcode ZZ9 9ZZ"),
        ("DH1 1ZZ", "cannot place the postcode DH1 1ZZ"),
    ],
)
def test_a_postcode_that_cannot_be_used_is_explained(client, postcodes_api, postcode, message):
    response = client.get("/courses/", {"postcode": postcode})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_when_the_postcode_service_is_down_the_search_still_works_and_says_so(client, settings):
    settings.POSTCODES_API_URL = "http://127.0.0.1:9"
    from django.core.cache import cache

    cache.clear()
    CourseRunFactory(course=CourseFactory(title="Any course"))
    response = client.get("/courses/?postcode=DH1+3LH")
    assert response.status_code == 200
    content = response.content.decode()
    assert "We cannot look up postcodes right now" in content
    assert "Any course" in content


# Enquiries, shortlist, saved searches ------------------------------------------------------------


def test_enquiry_reaches_the_institute_and_confirms_to_the_learner(
    client, deliver_on_commit, django_capture_on_commit_callbacks, mailoutbox
):
    course = CourseFactory(title="Cyber Security HTQ")
    course.institute.contact_email = "courses@iot.example.org"
    course.institute.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/courses/{course.slug}/enquire/",
            {
                "name": " Sam  Patel ",
                "email": "sam@example.com",
                "message": "Is there a part-time option?",
                "consent": "on",
            },
        )
    assert response.status_code == 302
    enquiry = course.enquiries.get()
    assert enquiry.name == "Sam Patel"
    assert sorted(m.to[0] for m in mailoutbox) == ["courses@iot.example.org", "sam@example.com"]
    staff_mail = next(m for m in mailoutbox if m.to == ["courses@iot.example.org"])
    assert "Is there a part-time option?" in staff_mail.body
    assert "sam@example.com" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"name": "Sam", "email": "sam@example.com", "message": "Hi"},
            "You must agree to be contacted",
        ),
        ({"name": "Sam", "email": "not-an-email", "message": "Hi", "consent": "on"}, "format"),
        (
            {"name": "Sam", "email": "s@example.com", "message": "x" * 2001, "consent": "on"},
            "Your question must be 2000 characters or fewer.",
        ),
        (
            {"name": "", "email": "s@example.com", "message": "Hi", "consent": "on"},
            "Enter your name.",
        ),
    ],
)
def test_enquiry_errors_are_explained_and_nothing_is_sent(client, data, message):
    course = CourseFactory()
    response = client.post(f"/courses/{course.slug}/enquire/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not course.enquiries.exists()


def test_shortlist_works_without_an_account(client):
    course = CourseFactory(title="Data Analytics HNC")
    response = client.post(f"/courses/{course.slug}/shortlist/", {"next": "/courses/"})
    assert response["Location"] == "/courses/"
    assert "Data Analytics HNC" in client.get("/courses/shortlist/").content.decode()
    client.post(f"/courses/{course.slug}/shortlist/")
    assert "Your shortlist is empty" in client.get("/courses/shortlist/").content.decode()


def test_shortlist_never_redirects_off_the_site(client):
    course = CourseFactory()
    response = client.post(f"/courses/{course.slug}/shortlist/", {"next": "https://evil.example/"})
    assert response["Location"] == course.get_absolute_url()


def test_draft_course_cannot_be_shortlisted_or_enquired_about(client):
    draft = CourseFactory(status="draft")
    assert client.post(f"/courses/{draft.slug}/shortlist/").status_code == 404
    assert client.get(f"/courses/{draft.slug}/enquire/").status_code == 404


def test_publishing_from_the_admin_records_when(admin_client):
    course = CourseFactory(status="draft", published_at=None)
    response = admin_client.post(
        "/admin/courses/course/", {"action": "publish", "_selected_action": [course.pk]}
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.status == Course.Status.PUBLISHED and course.published_at is not None


@pytest.mark.parametrize(
    ("page", "shown"), [("2", "Page 2 of 2"), ("99", "Page 2 of 2"), ("x", "Page 1 of 2")]
)
def test_pages_of_results_and_out_of_range_pages(client, page, shown):
    for n in range(25):
        CourseRunFactory(course=CourseFactory(title=f"Course {n:02}"))
    for query in ("", "&q=course"):  # browsing and keyword search count differently
        response = client.get(f"/courses/?page={page}{query}")
        assert response.status_code == 200
        assert shown in response.content.decode()
        assert "25 courses" in response.content.decode()


def test_enquiries_are_rate_limited_per_address_and_per_client(client):
    course = CourseFactory()
    url = f"/courses/{course.slug}/enquire/"
    data = {"name": "Sam", "message": "Hello", "consent": "on"}
    statuses = [
        client.post(url, {**data, "email": "same@example.com"}).status_code for _ in range(6)
    ]
    assert statuses == [302] * 5 + [429]
    assert (
        "Too many attempts"
        in client.post(url, {**data, "email": "same@example.com"}).content.decode()
    )
    others = [
        client.post(url, {**data, "email": f"p{n}@example.com"}).status_code for n in range(20)
    ]
    assert others.count(429) > 0  # the same client, many addresses
    assert course.enquiries.count() == 5 + others.count(302)
