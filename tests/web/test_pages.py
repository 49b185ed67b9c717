import pytest
from django.test import RequestFactory
from django.urls import reverse

from iot_network.web import views
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_home_page_explains_iots_and_offers_an_entry_point_for_each_user(client, reference_data):
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "There are 21 across England" in content
    for link in ("/courses/", "/events/", "/partners/become-a-partner/"):
        assert f'href="{link}"' in content


def test_home_page_has_skip_link_landmarks_and_one_h1(client, reference_data):
    content = client.get("/").content.decode()
    assert '<a href="#main-content" class="skip-link">' in content
    assert '<main id="main-content"' in content
    assert content.count("<h1") == 1
    assert 'aria-label="Main"' in content


def test_home_page_lists_only_upcoming_visible_events(client):
    EventFactory(title="Robotics open day")
    EventFactory(title="Draft event", status="draft")
    EventFactory(title="Cancelled breakfast", status="cancelled")
    content = client.get("/").content.decode()
    assert "Robotics open day" in content
    assert "Draft event" not in content
    assert "Cancelled breakfast" not in content  # "Coming up" is not coming up


@pytest.mark.parametrize("name", ["about", "accessibility", "privacy", "contact"])
def test_footer_pages_exist(client, name):
    response = client.get(reverse(f"web:{name}"))
    assert response.status_code == 200


def test_accessibility_statement_follows_the_public_sector_format(client):
    content = client.get(reverse("web:accessibility")).content.decode()
    for heading in (
        "How accessible this website is",
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Technical information about this website's accessibility",
        "Compliance status",
        "Non-accessible content",
        "What we're doing to improve accessibility",
        "Preparation of this accessibility statement",
    ):
        assert heading in content, heading
    assert "partially compliant" in content


def test_unknown_page_gives_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_server_error_page_renders_without_a_request_context():
    response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_bad_request_page(client):
    response = views.bad_request(RequestFactory().get("/"))
    assert response.status_code == 400


def test_post_to_a_read_only_page_is_refused_not_an_error(client):
    assert client.post("/").status_code == 405


def test_event_list_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    # The course list has its own test in tests/courses.
    for _ in range(15):
        EventFactory()
    with django_assert_max_num_queries(8):
        assert client.get("/events/").status_code == 200
