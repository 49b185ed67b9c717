"""The IoT's catalogue as upload rows, so a download edited and uploaded again round-trips."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Prefetch

from ..models import Course, CourseRun
from .columns import COURSE_COLUMNS, RUN_COLUMNS
from .plan import uncoded_code


def _cell(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else value


def catalogue_rows(*, institute_id: int) -> Iterator[list]:
    """One row per run (a course without runs gets one row with the run columns empty)."""
    runs = Prefetch("runs", queryset=CourseRun.objects.order_by("start_date", "pk"))
    courses = (
        Course.objects.filter(institute_id=institute_id)
        .select_related("route")
        .prefetch_related(runs)
        .order_by("provider_course_code", "pk")
    )
    for course in courses.iterator(chunk_size=200):
        course.provider_course_code = course.provider_course_code or uncoded_code(course.pk)
        course_cells = [
            course.route.slug if c.key == "route" else _cell(getattr(course, c.key))
            for c in COURSE_COLUMNS
        ]
        course_runs = list(course.runs.all())
        if not course_runs:
            yield course_cells + [""] * len(RUN_COLUMNS)
        for run in course_runs:
            yield course_cells + [_cell(getattr(run, c.key)) for c in RUN_COLUMNS]
