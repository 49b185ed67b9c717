"""Which kinds of upcoming run a course has, as one integer on the course row.

A kind is a study mode, an attendance and whether the run has no fee: 3 x 4 x 2 = 24 bits. The
course keeps the OR of the kinds of its runs starting today or later (``Course.upcoming_kinds``),
beside its soonest upcoming start, both kept by a PostgreSQL trigger on runs (migration 0011) and
refreshed nightly. "Has a part-time online run with no fee" is then a bit test on the course row
instead of a probe into its runs, and the study mode, attendance and no-fee counts beside the
search results are read from the course rows they already scan.

The summary is exact for any day up to the soonest start it was computed with: a run can only
have stopped being upcoming if it started before today, and none did while ``upcoming_start`` is
today or later (or empty). For a course whose soonest start has passed since (between midnight and
the nightly refresh), ``upcoming_kinds_expression`` asks the database function that counts the
runs instead, so a search never reads a stale summary.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Case, F, Func, IntegerField, Q, Value, When

from .models import CourseRun

STUDY_MODES = tuple(CourseRun.StudyMode.values)
ATTENDANCES = tuple(CourseRun.Attendance.values)


def kind_bit(study_mode: str, attendance: str, *, no_fee: bool) -> int:
    """The bit of one kind of run. Migration 0011's ``courses_run_kind()`` is the same
    function in SQL (tests/courses/test_upcoming_kinds.py checks they agree)."""
    index = STUDY_MODES.index(study_mode) * len(ATTENDANCES) + ATTENDANCES.index(attendance)
    return 1 << (index * 2 + (1 if no_fee else 0))


def kinds_mask(
    study_modes: Iterable[str] = (), attendances: Iterable[str] = (), *, no_fee_only: bool = False
) -> int:
    """The bits of every kind of run that satisfies the filters (none given: any)."""
    modes = tuple(study_modes) or STUDY_MODES
    places = tuple(attendances) or ATTENDANCES
    fees = (True,) if no_fee_only else (True, False)
    mask = 0
    for mode in modes:
        for attendance in places:
            for no_fee in fees:
                mask |= kind_bit(mode, attendance, no_fee=no_fee)
    return mask


def run_kind() -> Func:
    """A run's own kind bit (kind_bit), computed by the database: for aggregating runs."""
    return Func(
        F("study_mode"), F("attendance"), F("fee"),
        function="courses_run_kind", output_field=IntegerField(),
    )  # fmt: skip


def counted_kinds(today: date) -> Func:
    """The kinds of the course's runs starting on ``today`` or later, counted from the runs by
    the database (PostgreSQL only)."""
    return Func(
        F("id"), Value(today), function="courses_upcoming_kinds", output_field=IntegerField()
    )


def upcoming_kinds_expression(today: date) -> Case:
    """The kinds of the course's runs starting on ``today`` or later: the stored summary where
    it is still exact for ``today`` (see above), else counted from the runs by the database.
    PostgreSQL only, and only for ``today`` not before the day the summary was kept on."""
    return Case(
        When(
            Q(upcoming_start__isnull=True) | Q(upcoming_start__gte=today), then=F("upcoming_kinds")
        ),
        default=counted_kinds(today),
        output_field=IntegerField(),
    )
