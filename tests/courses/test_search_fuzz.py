"""Whatever anyone puts in the query string, the search page answers 200 or 400, never 500."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import CourseFactory, CourseRunFactory

pytestmark = pytest.mark.django_db

PARAMETERS = [
    "q", "postcode", "radius", "lat", "lng", "level", "qualification", "route", "sector",
    "study_mode", "attendance", "funding", "region", "institute", "start_from", "start_to",
    "sort", "page", "unknown",
]  # fmt: skip
VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["4", "5", "htq", "digital", "part-time", "online", "no-fee", "london", "distance", "25",
         "2030-01-01", "-1", "0", "1e400", "NaN", "Infinity", "54.7", "-1.6", "999999999999",
         "' OR 1=1 --", "<script>", "%00", "\x00", "DH1 3LH", "é", "🙂"]
    ),
)  # fmt: skip
QUERIES = st.lists(st.tuples(st.sampled_from(PARAMETERS), VALUES), max_size=8)


@pytest.fixture
def some_courses(db, settings):
    settings.POSTCODES_API_URL = "http://127.0.0.1:9"  # lookups fail fast, as when offline
    for level in (4, 5):
        CourseRunFactory(course=CourseFactory(level=level))


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=QUERIES)
def test_any_query_string_gives_a_page_not_an_error(client, some_courses, query):
    for path in ("/courses/", "/apprenticeships/"):
        response = client.get(path, query)
        assert response.status_code in {200, 400}, (path, query)
