"""On PostgreSQL a search with a place or start dates reads its page from the matching runs
aggregated once per course (courses.search._results_page_from_runs), and, when its facet counts
are not cached, the page and the counts in one statement (_page_and_facets_from_runs): the same
rows, in the same order, with the same nearest venue, soonest start and capped total as
search_courses(), and the same counts as counting each facet on its own."""

from dataclasses import replace

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses import search as course_search
from courses.search import (
    CourseSearch,
    Sort,
    results_page,
    results_page_and_facet_counts,
    search_courses,
)
from tests.courses.test_facets import (  # noqa: F401
    DURHAM,
    SEARCHES,
    catalogue,
    reference_counts,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgresql]

PLACES_OR_DATES = st.tuples(
    SEARCHES,
    st.sampled_from(["", Sort.RELEVANCE, Sort.START, Sort.DISTANCE, Sort.TITLE]),
    st.sampled_from([1, 2, 3]),
).map(lambda args: (replace(args[0], sort=args[1]), args[2]))


def reference(search: CourseSearch, number: int, per_page: int, cap: int):
    found = list(search_courses(search))
    start = (number - 1) * per_page
    return found[start : start + per_page], min(len(found), cap + 1)


def facts(course) -> tuple:
    """What a result shows: the course's columns on the page, its institute, soonest start and
    distance."""
    distance = getattr(course, "distance", None)
    return (
        *(getattr(course, name) for name in course_search.PAGE_COLUMNS),
        course.institute.pk,
        course.institute.name,
        course.institute.town,
        course.next_start,
        None if distance is None else round(distance, 6),
    )


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=PLACES_OR_DATES)
def test_the_page_read_from_the_runs_equals_the_orms(catalogue, monkeypatch, case):  # noqa: F811
    search, number = case
    if not (search.point or search.start_from or search.start_to):
        search = replace(search, point=DURHAM)
    monkeypatch.setattr(course_search, "COUNT_CAP", 7)
    rows, total = results_page(search, number, 4)
    expected, expected_total = reference(search, number, 4, 7)
    assert [facts(row) for row in rows] == [facts(row) for row in expected]
    assert total == expected_total


def test_a_page_past_the_end_still_gives_the_total(catalogue):  # noqa: F811
    search = CourseSearch(point=DURHAM, radius_miles=50)
    rows, total = results_page(search, 500, 20)
    assert rows == [] and total == len(list(search_courses(search)))
    assert total > 0


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=PLACES_OR_DATES)
def test_the_page_and_counts_read_together_equal_the_orms(catalogue, monkeypatch, case):  # noqa: F811
    search, number = case
    if not (search.point or search.start_from or search.start_to):
        search = replace(search, point=DURHAM)
    monkeypatch.setattr(course_search, "COUNT_CAP", 7)
    cache.clear()  # each example is a test of its own, and counts nothing cached
    rows, total, counts = results_page_and_facet_counts(search, number, 4)
    expected, expected_total = reference(search, number, 4, 7)
    assert [facts(row) for row in rows] == [facts(row) for row in expected]
    assert total == expected_total
    assert counts == reference_counts(search)


def test_the_page_and_counts_come_in_one_query_when_the_counts_are_not_cached(
    catalogue,  # noqa: F811
    django_assert_num_queries,
):
    search = CourseSearch(point=DURHAM, radius_miles=50, study_modes=("part-time",), levels=(4,))
    with django_assert_num_queries(1):
        rows, total, counts = results_page_and_facet_counts(search, 1, 4)
    assert rows and total and counts["levels"]
    # Past the end: no course on the page, and still the total and the counts.
    cache.clear()
    with django_assert_num_queries(1):
        past, past_total, past_counts = results_page_and_facet_counts(search, 500, 4)
    assert (past, past_total, past_counts) == ([], total, counts)


KEYWORDS_ONLY = PLACES_OR_DATES.map(
    lambda case: (
        replace(
            case[0], q=case[0].q or "cyber", point=None, radius_miles=None, start_from=None,
            start_to=None,
        ),
        case[1],
    )
)  # fmt: skip


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=KEYWORDS_ONLY)
def test_a_keyword_page_and_counts_read_together_equal_the_orms(catalogue, monkeypatch, case):  # noqa: F811
    search, number = case
    monkeypatch.setattr(course_search, "COUNT_CAP", 7)
    cache.clear()
    rows, total, counts = results_page_and_facet_counts(search, number, 4)
    expected, expected_total = reference(search, number, 4, 7)
    assert [facts(row) for row in rows] == [facts(row) for row in expected]
    assert total == expected_total
    assert counts == reference_counts(search)


@pytest.mark.parametrize("sort", ["", Sort.TITLE, Sort.START])
def test_a_keyword_page_and_counts_come_in_one_query(
    catalogue,  # noqa: F811
    django_assert_num_queries,
    sort,
):
    search = CourseSearch(q="cyber", levels=(4, 5), sort=sort)
    with django_assert_num_queries(1):
        rows, total, counts = results_page_and_facet_counts(search, 1, 4)
    assert rows and total and counts["levels"]
    cache.clear()
    with django_assert_num_queries(1):
        past, past_total, past_counts = results_page_and_facet_counts(search, 500, 4)
    assert (past, past_total, past_counts) == ([], total, counts)
