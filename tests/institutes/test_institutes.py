import pytest

from institutes.models import Institute, Route
from institutes.services import load_reference_data
from tests.factories import CourseFactory, EventFactory

pytestmark = pytest.mark.django_db


def test_reference_data_has_the_21_institutes_and_15_routes():
    result = load_reference_data()
    assert (result.institutes_created, result.routes_created) == (21, 15)
    assert Institute.objects.filter(wave=1).count() == 12
    assert Institute.objects.filter(wave=2).count() == 9
    assert Route.objects.count() == 15


def test_reloading_reference_data_keeps_what_staff_edited():
    load_reference_data()
    institute = Institute.objects.get(slug="north-east-institute-of-technology")
    institute.website = "https://staff-entered.example.org"
    institute.summary = "Written by staff."
    institute.save()
    result = load_reference_data()
    assert (result.institutes_created, result.institutes_updated) == (0, 21)
    institute.refresh_from_db()
    assert institute.website == "https://staff-entered.example.org"
    assert institute.summary == "Written by staff."


def test_directory_lists_all_21_institutes(client, reference_data):
    response = client.get("/institutes/")
    assert response.status_code == 200
    assert response.content.decode().count('<li>\n        <h2><a href="/institutes/') == 21


def test_directory_filters_by_region(client, reference_data):
    content = client.get("/institutes/?region=london").content.decode()
    assert "3 institutes" in content
    assert "East London Institute of Technology" in content
    assert "North East Institute of Technology" not in content
    assert "<title>Institutes of Technology in London" in content  # the region's name, not its code


def test_unknown_region_is_a_clear_400_not_a_500(client, reference_data):
    response = client.get("/institutes/?region=atlantis")
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


def test_institute_page_shows_its_facts_courses_and_events(client, reference_data):
    institute = Institute.objects.get(slug="lincolnshire-institute-of-technology")
    CourseFactory(institute=institute, title="Agri-tech HTQ")
    CourseFactory(institute=institute, title="Hidden draft", status="draft")
    EventFactory(institute=institute, title="Lincoln open day")
    content = client.get(institute.get_absolute_url()).content.decode()
    assert "University of Lincoln" in content
    assert "East Midlands" in content
    assert "Agri-tech HTQ" in content
    assert "Hidden draft" not in content
    assert "Lincoln open day" in content


def test_unknown_institute_is_404(client, reference_data):
    assert client.get("/institutes/no-such-institute/").status_code == 404
