"""Find my nearest IoT: a postcode or the browser's location gives every institute, nearest first,
with how far away each is."""

import math
import re

import pytest

from institutes.models import Institute
from iot_network.web.geo import Point

pytestmark = pytest.mark.django_db


def results(content: str) -> list[tuple[str, float]]:
    """(institute, miles) in the order the page lists them."""
    found = re.findall(
        r'<h3><a href="/institutes/[^"]+/">([^<]+)</a></h3>\s*<p><span class="distance">'
        r"([\d.]+) miles away",
        content,
    )
    return [(name.replace("&amp;", "&"), float(miles)) for name, miles in found]


def test_a_durham_postcode_puts_the_north_east_first_and_the_rest_in_order(
    client, reference_data, postcodes_api
):
    response = client.get("/institutes/nearest/", {"postcode": "dh1 3lh"})
    assert response.status_code == 200
    listed = results(response.content.decode())
    assert len(listed) == 21
    assert listed[0][0] == "North East Institute of Technology"
    assert listed[0][1] < 2  # Durham's postcode to Durham
    assert [miles for _, miles in listed] == sorted(miles for _, miles in listed)
    assert listed[-1][0] == "South West Institute of Technology"  # Exeter, the farthest
    assert 285 < listed[-1][1] < 295  # Durham to Exeter as the crow flies: about 290 miles
    assert "Nearest to DH1 3LH" in response.content.decode()


def test_the_browsers_location_needs_no_postcode_lookup(client, reference_data, postcodes_api):
    # Salford's coordinates, as nearest.js fills them in.
    response = client.get("/institutes/nearest/", {"lat": "53.485", "lng": "-2.273"})
    assert response.status_code == 200
    listed = results(response.content.decode())
    assert listed[0] == ("Greater Manchester Institute of Technology", 0.0)
    assert listed[1][0] == "Cheshire & Warrington Institute of Technology"
    assert postcodes_api.requests == []
    assert "Nearest to your location" in response.content.decode()


def haversine_miles(point: Point, institute: Institute) -> float:
    lat1, lon1 = math.radians(point.latitude), math.radians(point.longitude)
    lat2, lon2 = math.radians(institute.latitude), math.radians(institute.longitude)
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 3958.8 * math.asin(math.sqrt(a))


def test_distances_are_great_circle_miles(reference_data):
    exeter = Point(50.7367, -3.5347)
    nearest = Institute.objects.by_distance(exeter)
    assert nearest[0].name == "South West Institute of Technology"
    durham = Institute.objects.get(slug="north-east-institute-of-technology")
    distance = next(i.distance for i in nearest if i.pk == durham.pk)
    assert distance == pytest.approx(haversine_miles(exeter, durham), abs=0.05)


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("not a postcode", "Enter a full UK postcode, like SW1A 1AA."),
        ("ZZ9 9ZZ", "We could not find the postcode ZZ9 9ZZ. Check it and try again."),
        ("DH1 1ZZ", "We cannot place the postcode DH1 1ZZ on the map yet."),
        ("", "Enter your postcode, or use your current location."),
    ],
)
def test_a_postcode_that_cannot_be_used_is_explained_in_the_error_summary(
    client, reference_data, postcodes_api, postcode, message
):
    response = client.get("/institutes/nearest/", {"postcode": postcode})
    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content
    assert f'<li><a href="#id_postcode">{message}</a></li>' in content
    assert 'id="id_postcode_error"' in content
    assert "<title>Error: " in content
    assert results(content) == []


def test_when_the_postcode_service_is_down_the_page_says_so_and_offers_the_location(
    client, reference_data, settings
):
    settings.POSTCODES_API_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    response = client.get("/institutes/nearest/", {"postcode": "DH1 3LH"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "We cannot look up postcodes right now" in content
    assert "use your current location" in content
    assert results(content) == []


@pytest.mark.parametrize(
    "query",
    [
        {"lat": "53.4"},  # half a location
        {"lat": "91", "lng": "0"},
        {"lat": "nan", "lng": "0"},
        {"lat": "x", "lng": "y"},
        {"postcode": "A" * 500},
    ],
)
def test_bad_input_is_a_clear_400_never_a_500(client, reference_data, query):
    response = client.get("/institutes/nearest/", query)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


def test_the_page_before_a_search_has_the_form_and_no_errors(client, reference_data):
    response = client.get("/institutes/nearest/")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="postcode"' in content
    assert "There is a problem" not in content
    assert "/static/js/nearest." in content  # the location button's script


def test_the_home_page_asks_for_a_postcode_and_sends_it_to_the_nearest_page(client, reference_data):
    content = client.get("/").content.decode()
    assert 'action="/institutes/nearest/"' in content
    assert 'name="postcode"' in content


def test_nearest_page_takes_a_fixed_number_of_queries(
    client, reference_data, postcodes_api, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        assert client.get("/institutes/nearest/", {"postcode": "EX4 4QJ"}).status_code == 200
