"""Each course keeps which kinds of upcoming run it has (courses/upcoming.py): the trigger keeps
it as runs change, the nightly job as dates pass, and a search reads it only where it is exact."""

import itertools
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses import search as course_search
from courses.models import Course, CourseRun
from courses.search import CourseSearch, Funding, filtered_courses
from courses.services import refresh_upcoming_starts
from courses.upcoming import kind_bit, kinds_mask
from tests.courses.test_facets import SEARCHES, catalogue  # noqa: F401 (a fixture)
from tests.factories import CourseFactory, CourseRunFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgresql]

MODES, PLACES = CourseRun.StudyMode, CourseRun.Attendance


def today():
    """Asked for when needed, not when the module was collected: a run of the suite may pass
    midnight, and the database's trigger and the search ask the date as they run."""
    return timezone.localdate()


def stored_kinds(course: Course) -> int:
    course.refresh_from_db()
    return course.upcoming_kinds


def test_the_database_gives_each_kind_of_run_the_bit_python_does():
    fees = [(None, False), (Decimal("0"), True), (Decimal("0.00"), True), (Decimal("250"), False)]
    with connection.cursor() as cursor:
        for mode, place, (fee, no_fee) in itertools.product(MODES.values, PLACES.values, fees):
            cursor.execute("SELECT courses_run_kind(%s, %s, %s)", [mode, place, fee])
            assert cursor.fetchone()[0] == kind_bit(mode, place, no_fee=no_fee)
    every_bit = {
        kind_bit(m, p, no_fee=f)
        for m, p, f in itertools.product(MODES.values, PLACES.values, (True, False))
    }
    assert len(every_bit) == 24 and kinds_mask() == sum(every_bit) == (1 << 24) - 1


def test_the_trigger_keeps_the_kinds_of_upcoming_runs_as_runs_change():
    course = CourseFactory()
    assert stored_kinds(course) == 0
    CourseRunFactory(
        course=course, start_date=today() - timedelta(days=3), study_mode=MODES.FLEXIBLE
    )
    assert stored_kinds(course) == 0, "a run that has started is not upcoming"
    part_time = CourseRunFactory(
        course=course, study_mode=MODES.PART_TIME, attendance=PLACES.ONLINE, fee=Decimal("0")
    )
    online_free = kind_bit(MODES.PART_TIME, PLACES.ONLINE, no_fee=True)
    assert stored_kinds(course) == online_free
    full_time = CourseRunFactory(course=course, start_date=today())  # full time, on campus, a fee
    campus_fee = kind_bit(MODES.FULL_TIME, PLACES.CAMPUS, no_fee=False)
    assert stored_kinds(course) == online_free | campus_fee

    part_time.fee = Decimal("1200")
    part_time.save()
    assert (
        stored_kinds(course) == kind_bit(MODES.PART_TIME, PLACES.ONLINE, no_fee=False) | campus_fee
    )
    part_time.attendance = PLACES.WORKPLACE
    part_time.save()
    assert (
        stored_kinds(course)
        == kind_bit(MODES.PART_TIME, PLACES.WORKPLACE, no_fee=False) | campus_fee
    )
    part_time.delete()
    assert stored_kinds(course) == campus_fee
    other = CourseFactory()
    full_time.course = other
    full_time.save()
    assert (stored_kinds(course), stored_kinds(other)) == (0, campus_fee)


def test_a_search_never_reads_a_summary_that_dates_have_passed():
    """Two days on, before the nightly job: the run that started in between no longer counts,
    though the stored summary still has its bit."""
    soon = CourseFactory(title="Soon")
    CourseRunFactory(
        course=soon, start_date=today() + timedelta(days=1), study_mode=MODES.PART_TIME
    )
    CourseRunFactory(course=soon, start_date=today() + timedelta(days=30))  # full time
    later = today() + timedelta(days=2)
    assert stored_kinds(soon) & kind_bit(MODES.PART_TIME, PLACES.CAMPUS, no_fee=False)

    def titles(**filters):
        search = CourseSearch(today=later, **filters)
        return sorted(filtered_courses(search).values_list("title", flat=True))

    assert titles(study_modes=(MODES.PART_TIME,)) == []
    assert titles(study_modes=(MODES.FULL_TIME,)) == ["Soon"]
    counts = course_search.facet_counts(CourseSearch(today=later))
    assert counts["study_modes"] == {MODES.FULL_TIME: 1}


def test_the_nightly_job_brings_the_summary_up_to_date_as_dates_pass():
    course = CourseFactory()
    CourseRunFactory(course=course, study_mode=MODES.PART_TIME)
    Course.objects.update(upcoming_kinds=0, upcoming_start=None)
    refresh_upcoming_starts()
    assert stored_kinds(course) == kind_bit(MODES.PART_TIME, PLACES.CAMPUS, no_fee=False)
    refresh_upcoming_starts(today=today() + timedelta(days=61))  # the run has started by then
    assert stored_kinds(course) == 0


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    search=SEARCHES.map(lambda s: replace(s, start_from=None, start_to=None, point=None)),
    funding=st.sampled_from([(), (Funding.NO_FEE,), (Funding.NO_FEE, Funding.STUDENT_FINANCE)]),
)
def test_the_summary_finds_the_same_courses_as_the_runs(catalogue, search, funding):  # noqa: F811
    search = replace(search, funding=funding, today=today())
    assert course_search._summary_answers(search)
    from_summary = set(filtered_courses(search).values_list("pk", flat=True))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(course_search, "_summary_answers", lambda search: False)
        from_runs = set(filtered_courses(search).values_list("pk", flat=True))
    assert from_summary == from_runs


def test_saving_a_course_keeps_what_its_runs_wrote_meanwhile():
    course = CourseFactory(title="Before")
    loaded = Course.objects.get(pk=course.pk)  # read before the run below is added
    CourseRunFactory(course=course, study_mode=MODES.PART_TIME)
    loaded.title = "After"
    loaded.save()  # an admin's save of the course it loaded earlier
    course.refresh_from_db()
    assert course.title == "After"
    assert course.upcoming_kinds == kind_bit(MODES.PART_TIME, PLACES.CAMPUS, no_fee=False)
    assert course.upcoming_start is not None


def test_facet_counts_are_plain_integers():
    CourseRunFactory(course=CourseFactory())
    counts = course_search.facet_counts(CourseSearch())
    assert counts["regions"] and all(
        type(n) is int for options in counts.values() for n in options.values()
    )
