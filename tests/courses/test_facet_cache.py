"""Facet counts are served from the cache and refreshed by a worker before they expire, so no
visitor waits for a recount of a search people keep asking."""

import time
from datetime import timedelta

import pytest
from celery.signals import before_task_publish
from django.core.cache import cache
from django.utils import timezone

from courses.search import (
    FACET_REFRESH_AFTER_SECONDS,
    REFRESH_TASK,
    CourseSearch,
    cached_facet_counts,
    facet_cache_key,
)
from courses.tasks import refresh_facet_counts
from iot_network import outages
from iot_network.web import resilient_cache
from iot_network.web.geo import Point
from tests.factories import CourseFactory, CourseRunFactory

SEARCH = CourseSearch(
    q="robotics",
    levels=(4,),
    study_modes=("part-time",),
    point=Point(54.7753, -1.5849),
    radius_miles=25,
    start_from=timezone.localdate() + timedelta(days=1),
)
OLD_COUNTS = {"levels": {4: 99}}


@pytest.fixture
def published_refreshes():
    """The refresh tasks handed to the broker by this process."""
    sent: list[dict] = []

    def record(sender=None, body=None, **kwargs):
        if sender == REFRESH_TASK:
            sent.append(body[0][0])

    before_task_publish.connect(record)
    yield sent
    before_task_publish.disconnect(record)


def _cache_counts(search: CourseSearch, *, age: float) -> None:
    cache.set(facet_cache_key(search), (time.time() - age, OLD_COUNTS), 300)


def _robotics_course():
    course = CourseFactory(title="Robotics and automation", level=4)
    CourseRunFactory(
        course=course,
        study_mode="part-time",
        start_date=timezone.localdate() + timedelta(days=30),
    )
    return course


def _wait_for_new_counts(search: CourseSearch, seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        _, counts = cache.get(facet_cache_key(search))
        if counts != OLD_COUNTS:
            return counts
        time.sleep(0.2)
    pytest.fail("the facet counts were not refreshed")


def test_a_search_survives_the_trip_to_a_task_unchanged():
    assert CourseSearch.from_params(SEARCH.as_params()) == SEARCH
    assert facet_cache_key(CourseSearch.from_params(SEARCH.as_params())) == facet_cache_key(SEARCH)


@pytest.mark.django_db
def test_a_stale_entry_is_served_and_a_worker_refreshes_it(celery_worker, published_refreshes):
    _robotics_course()
    celery_worker()
    _cache_counts(SEARCH, age=FACET_REFRESH_AFTER_SECONDS + 1)

    assert cached_facet_counts(SEARCH) == OLD_COUNTS

    assert published_refreshes == [SEARCH.as_params()]
    assert _wait_for_new_counts(SEARCH)["levels"] == {4: 1}


@pytest.mark.django_db
def test_a_fresh_entry_is_served_and_not_refreshed(published_refreshes):
    _cache_counts(SEARCH, age=10)

    assert cached_facet_counts(SEARCH) == OLD_COUNTS

    assert published_refreshes == []


@pytest.mark.django_db
def test_two_visitors_of_a_stale_entry_start_one_refresh(celery_worker, published_refreshes):
    _robotics_course()
    celery_worker()
    _cache_counts(SEARCH, age=FACET_REFRESH_AFTER_SECONDS + 1)

    assert cached_facet_counts(SEARCH) == OLD_COUNTS
    assert cached_facet_counts(SEARCH) == OLD_COUNTS

    assert len(published_refreshes) == 1
    _wait_for_new_counts(SEARCH)


@pytest.mark.django_db
def test_running_the_refresh_twice_stores_the_same_counts():
    _robotics_course()
    _cache_counts(SEARCH, age=FACET_REFRESH_AFTER_SECONDS + 1)

    refresh_facet_counts(SEARCH.as_params())
    stamped_first, first = cache.get(facet_cache_key(SEARCH))
    refresh_facet_counts(SEARCH.as_params())
    stamped_second, second = cache.get(facet_cache_key(SEARCH))

    assert first == second != OLD_COUNTS
    assert stamped_second >= stamped_first


@pytest.mark.django_db
def test_a_missing_entry_is_counted_during_the_request_and_stored_stamped(published_refreshes):
    _robotics_course()

    counts = cached_facet_counts(SEARCH)

    stamped, stored = cache.get(facet_cache_key(SEARCH))
    assert stored == counts and counts["levels"] == {4: 1}
    assert time.time() - stamped < 60
    assert published_refreshes == []


@pytest.mark.django_db
def test_the_refresh_unmarks_itself_so_the_entry_can_be_refreshed_again(published_refreshes):
    _robotics_course()
    _cache_counts(SEARCH, age=FACET_REFRESH_AFTER_SECONDS + 1)
    cached_facet_counts(SEARCH)  # marks a refresh as asked for
    assert cache.get(facet_cache_key(SEARCH) + ":refreshing") == 1

    refresh_facet_counts(SEARCH.as_params())  # what the worker runs

    assert cache.get(facet_cache_key(SEARCH) + ":refreshing") is None
    _cache_counts(SEARCH, age=FACET_REFRESH_AFTER_SECONDS + 1)
    cached_facet_counts(SEARCH)
    assert len(published_refreshes) == 2


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "iot_network.web.resilient_cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on port 9
            "OPTIONS": {"socket_connect_timeout": 0.2, "retry_after": 30},
        }
    }
    yield
    resilient_cache._down_until.clear()
    outages.reset()


@pytest.mark.django_db
def test_with_the_cache_down_every_request_counts_and_nothing_is_enqueued(
    cache_down, published_refreshes
):
    _robotics_course()

    assert cached_facet_counts(SEARCH)["levels"] == {4: 1}
    assert cached_facet_counts(SEARCH)["levels"] == {4: 1}

    assert published_refreshes == []
