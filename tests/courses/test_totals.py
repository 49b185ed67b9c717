"""Totals are exact up to the cap and "more than" the cap beyond, counted with the page."""

import re

import pytest

from courses import search, views
from courses.search import CourseSearch, results_page
from tests.factories import CourseFactory, CourseRunFactory

pytestmark = pytest.mark.django_db

CAP = 4  # stands for 1,000: the words are the same, and 1,001 courses would be slow to make


@pytest.fixture
def cap(monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", CAP)
    monkeypatch.setattr(views, "COUNT_CAP", CAP)
    return CAP


def heading(content: str) -> str:
    return re.search(r'id="results-count" role="status">([^<]*)</h2>', content)[1].strip()


def title(content: str) -> str:
    return re.search(r"<title>([^<]*)</title>", content)[1].strip()


@pytest.mark.parametrize(
    ("matches", "words"),
    [
        (CAP - 1, f"{CAP - 1} courses"),
        (CAP, f"{CAP} courses"),
        (CAP + 1, f"More than {CAP} courses"),
    ],
    ids=["below the cap", "at the cap", "above the cap"],
)
@pytest.mark.parametrize("query", ["", "?q=engineering&study_mode=full-time"])
def test_total_is_exact_up_to_the_cap_and_more_than_the_cap_beyond(
    client, cap, matches, words, query
):
    for _ in range(matches):
        CourseRunFactory(course=CourseFactory())
    content = client.get(f"/courses/{query}").content.decode()
    assert heading(content) == words
    assert title(content).startswith(f"{words} – Find a course")


def test_apprenticeships_say_more_than_the_cap_too(client, cap):
    for _ in range(CAP + 1):
        CourseFactory(qualification_type="higher-apprenticeship")
    content = client.get("/apprenticeships/").content.decode()
    assert heading(content) == f"More than {CAP} apprenticeships"


def test_results_page_counts_no_further_than_one_past_the_cap(cap, django_assert_num_queries):
    for _ in range(CAP + 3):
        CourseFactory()
    with django_assert_num_queries(1):  # the page and its total in one round trip
        rows, total = results_page(CourseSearch(), 1, 2)
    assert (len(rows), total) == (2, CAP + 1)


def test_pages_reach_as_far_as_the_cap(client, cap, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 2)
    for index in range(CAP + 3):
        CourseFactory(title=f"Course {index:02}")
    content = client.get("/courses/?sort=title&page=9").content.decode()
    # The last page within the cap, not an empty page 9, and why the pages stop there.
    assert f"Page 2 of 2 (the first {CAP} results: add words or filters to see others)" in content
    assert "Course 02" in content and "Course 03" in content
    assert "Course 04" not in content
