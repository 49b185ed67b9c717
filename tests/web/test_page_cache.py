import pytest

from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 60


def test_anonymous_visitors_get_public_pages_from_the_cache(client, page_cache):
    course = CourseFactory(title="Cached course")
    first = client.get("/courses/")
    assert first["X-Page-Cache"] == "miss"
    assert "Vary" in first and "Cookie" in first["Vary"]
    course.title = "Renamed course"
    course.save()
    second = client.get("/courses/")
    assert second["X-Page-Cache"] == "hit"
    assert "Cached course" in second.content.decode()  # until the short expiry
    assert second["X-Request-ID"] != first["X-Request-ID"]  # headers stay per request
    assert "Content-Security-Policy" in second


def test_signed_in_visitors_and_visitors_with_a_session_are_never_served_from_cache(
    client, page_cache
):
    CourseFactory()
    client.get("/courses/")
    client.force_login(UserFactory())
    response = client.get("/courses/")
    assert "X-Page-Cache" not in response


def test_pages_with_a_csrf_token_or_a_new_cookie_are_not_stored(client, page_cache):
    course = CourseFactory()
    enquiry_form = f"/courses/{course.slug}/enquire/"
    assert "csrftoken" in client.get(enquiry_form).cookies
    client.cookies.clear()
    assert client.get(enquiry_form).get("X-Page-Cache") is None


def test_the_cache_can_be_turned_off(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    CourseFactory()
    assert "X-Page-Cache" not in client.get("/courses/")


def test_shortlist_changes_show_at_once_for_the_visitor_who_made_them(client, page_cache):
    course = CourseFactory(title="Robotics HNC")
    client.get("/courses/")
    client.post(f"/courses/{course.slug}/shortlist/")
    page = client.get("/courses/")
    assert "X-Page-Cache" not in page  # they now have a session
    assert "Remove" in page.content.decode() or "shortlisted" in page.content.decode().lower()


def test_a_page_cached_for_http_is_never_served_to_https_visitors(client, page_cache, settings):
    settings.SECURE_SSL_REDIRECT = False
    plain = client.get("/robots.txt")
    assert "Sitemap: http://testserver/sitemap.xml" in plain.content.decode()
    secure = client.get("/robots.txt", secure=True)
    assert secure["X-Page-Cache"] == "miss"
    assert "Sitemap: https://testserver/sitemap.xml" in secure.content.decode()
    assert client.get("/robots.txt", secure=True)["X-Page-Cache"] == "hit"


def test_pages_with_a_live_part_are_fresh_for_visitors_without_cookies_too(client, page_cache):
    from events.models import Registration
    from tests.factories import EventFactory

    event = EventFactory(capacity=1)
    course = CourseFactory(title="Withdrawn soon")
    first = client.get(f"/events/{event.slug}/")
    assert "X-Page-Cache" not in first and "no-cache" in first["Cache-Control"]
    assert "1 place left" in first.content.decode()
    Registration.objects.create(
        event=event, name="Ada", email="ada@example.com", status=Registration.Status.CONFIRMED
    )
    assert "This event is full." in client.get(f"/events/{event.slug}/").content.decode()
    assert client.get(f"/courses/{course.slug}/").status_code == 200
    course.status = course.Status.DRAFT
    course.save()
    assert client.get(f"/courses/{course.slug}/").status_code == 404
