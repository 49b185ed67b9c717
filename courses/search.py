"""Course search: one function builds the results, another the counts beside each filter option.

Filters on a course's own fields (level, qualification, route, ...) filter the course. Filters on
how and when it is taught (study mode, attendance, start date, distance) keep a course when at least
one upcoming run matches them all, and the soonest start and the nearest venue shown come from the
matching runs only.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field, fields, replace
from datetime import date

from celery import signature
from django.contrib.postgres.aggregates import BitOr
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone
from kombu.exceptions import OperationalError

from institutes.models import Institute, Route
from iot_network import outages
from iot_network.web.geo import Point, bounding_box, distance_miles

from .models import APPRENTICESHIP_TYPES, Course, CourseRun, SectorTag
from .upcoming import kinds_mask, run_kind, upcoming_kinds_expression


class Funding:
    STUDENT_FINANCE = "student-finance"
    APPRENTICESHIP = "apprenticeship"
    EMPLOYER_SPONSORED = "employer-sponsored"
    NO_FEE = "no-fee"

    choices = [
        (STUDENT_FINANCE, "Student finance available"),
        (APPRENTICESHIP, "Apprenticeship (paid job, no tuition fee)"),
        (EMPLOYER_SPONSORED, "Employer sponsorship"),
        (NO_FEE, "No fee to pay"),
    ]


class Sort:
    RELEVANCE = "relevance"
    START = "start"
    DISTANCE = "distance"
    TITLE = "title"

    choices = [
        (RELEVANCE, "Best match"),
        (START, "Soonest start"),
        (DISTANCE, "Nearest"),
        (TITLE, "Course title (A to Z)"),
    ]


@dataclass(frozen=True)
class CourseSearch:
    q: str = ""
    levels: tuple[int, ...] = ()
    qualification_types: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    study_modes: tuple[str, ...] = ()
    attendances: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    institutes: tuple[str, ...] = ()
    funding: tuple[str, ...] = ()
    start_from: date | None = None
    start_to: date | None = None
    point: Point | None = None
    radius_miles: float | None = None
    sort: str = ""
    apprenticeships_only: bool = False
    today: date = field(default_factory=timezone.localdate)

    @property
    def effective_sort(self) -> str:
        if self.sort == Sort.DISTANCE and self.point:
            return Sort.DISTANCE
        if self.sort == Sort.RELEVANCE and self.q:
            return Sort.RELEVANCE
        if self.sort in (Sort.START, Sort.TITLE):
            return self.sort
        if self.q:
            return Sort.RELEVANCE
        return Sort.DISTANCE if self.point else Sort.START

    def without(self, facet: str) -> CourseSearch:
        return replace(self, **{facet: ()})

    def as_params(self) -> dict:
        """The search as JSON-friendly values, for a task; from_params gives it back equal."""
        params = {}
        for name in (f.name for f in fields(self)):
            value = getattr(self, name)
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, Point):
                value = [value.latitude, value.longitude]
            elif isinstance(value, tuple):
                value = list(value)
            params[name] = value
        return params

    @classmethod
    def from_params(cls, params: dict) -> CourseSearch:
        values = dict(params)
        for name in ("start_from", "start_to", "today"):
            if values.get(name):
                values[name] = date.fromisoformat(values[name])
        if values.get("point"):
            values["point"] = Point(*values["point"])
        for f in fields(cls):
            if isinstance(values.get(f.name), list):
                values[f.name] = tuple(values[f.name])
        return cls(**values)


# Runs ----------------------------------------------------------------------------------------


def matching_runs(search: CourseSearch) -> QuerySet:
    runs = CourseRun.objects.upcoming(search.today)
    if search.study_modes:
        runs = runs.filter(study_mode__in=search.study_modes)
    if search.attendances:
        runs = runs.filter(attendance__in=search.attendances)
    if search.start_from:
        runs = runs.filter(start_date__gte=search.start_from)
    if search.start_to:
        runs = runs.filter(start_date__lte=search.start_to)
    if search.point and search.radius_miles:
        runs = runs.filter(bounding_box(search.point, search.radius_miles))
        runs = runs.annotate(distance=distance_miles(search.point)).filter(
            distance__lte=search.radius_miles
        )
    elif search.point:
        runs = runs.filter(lat__isnull=False).annotate(distance=distance_miles(search.point))
    if Funding.NO_FEE in search.funding:
        runs = runs.filter(fee=0)
    return runs


def _summary_answers(search: CourseSearch) -> bool:
    """Whether each course's summary of its upcoming runs (courses/upcoming.py) can stand in for
    its runs: for study mode, attendance and no fee, but not start dates or places, which it
    does not keep; on PostgreSQL, whose trigger keeps it, and from the day it was kept on."""
    return (
        connection.vendor == "postgresql"
        and not (search.start_from or search.start_to or search.point)
        and search.today >= timezone.localdate()
    )


def _runs_mask(search: CourseSearch, facet: str = "", value: str = "") -> int:
    """The kinds of run that match ``search``'s run filters and, if given, one more option."""
    return kinds_mask(
        [value] if facet == "study_modes" else search.study_modes,
        [value] if facet == "attendances" else search.attendances,
        no_fee_only=facet == "funding" or Funding.NO_FEE in search.funding,
    )


def _uses_runs(search: CourseSearch) -> bool:
    return bool(
        search.study_modes
        or search.attendances
        or search.start_from
        or search.start_to
        or search.radius_miles
        or Funding.NO_FEE in search.funding
    )


# Courses -------------------------------------------------------------------------------------


def _keyword_filter(courses: QuerySet, q: str) -> QuerySet:
    if connection.vendor == "postgresql":
        query = SearchQuery(q, search_type="websearch", config="english")
        return courses.filter(search_vector=query).annotate(
            # F(): rank the stored, weighted vector. A bare field name would make Django rebuild
            # an unweighted vector from its text for every row – slower, and every rank 0.
            rank=SearchRank(F("search_vector"), query)
        )
    # SQLite (the quick start): every word must appear in the title, summary or description,
    # and a match in the title ranks first.
    words = q.split()[:10]
    for word in words:
        courses = courses.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(description__icontains=word)
        )
    return courses.annotate(
        rank=Case(When(title__icontains=words[0], then=Value(1.0)), default=Value(0.0))
        if words
        else Value(0.0)
    )


def _course_conditions(search: CourseSearch) -> dict[str, Q | Exists]:
    """What a course itself must be for each filter of ``search`` on the course's own fields,
    its route, institute and sector tags (funding: its course flags; a run with no fee is a run
    filter), by facet, in the order filtered_courses() applies them."""
    conditions: dict[str, Q | Exists] = {}
    if search.levels:
        conditions["levels"] = Q(level__in=search.levels)
    if search.qualification_types:
        conditions["qualification_types"] = Q(qualification_type__in=search.qualification_types)
    if search.routes:
        conditions["routes"] = Q(route__slug__in=search.routes)
    if search.sectors:
        conditions["sectors"] = Exists(
            Course.sector_tags.through.objects.filter(
                course=OuterRef("pk"), sectortag__slug__in=search.sectors
            )
        )
    if search.regions:
        conditions["regions"] = Q(institute__region__in=search.regions)
    if search.institutes:
        conditions["institutes"] = Q(institute__slug__in=search.institutes)
    funding = Q()
    if Funding.STUDENT_FINANCE in search.funding:
        funding |= Q(student_finance=True)
    if Funding.APPRENTICESHIP in search.funding:
        funding |= Q(qualification_type__in=APPRENTICESHIP_TYPES)
    if Funding.EMPLOYER_SPONSORED in search.funding:
        funding |= Q(employer_sponsored=True)
    if funding:
        conditions["funding"] = funding
    return conditions


def _base_courses(search: CourseSearch) -> QuerySet:
    """Published courses matching the filters of ``search`` that no facet takes away: the
    apprenticeships-only list and the keywords."""
    courses = Course.objects.published()
    if search.apprenticeships_only:
        courses = courses.apprenticeships()
    if search.q:
        courses = _keyword_filter(courses, search.q)
    return courses


def filtered_courses(search: CourseSearch) -> QuerySet:
    courses = _base_courses(search)
    for condition in _course_conditions(search).values():
        courses = courses.filter(condition)
    if _uses_runs(search) and _summary_answers(search):
        kinds = upcoming_kinds_expression(search.today).bitand(_runs_mask(search))
        courses = courses.alias(matching_kinds=kinds).filter(matching_kinds__gt=0)
    elif _uses_runs(search):
        courses = courses.filter(Exists(matching_runs(search).filter(course=OuterRef("pk"))))
    return courses


def _next_start(search: CourseSearch) -> Subquery:
    """The soonest start of the course's runs that match ``search``."""
    runs = matching_runs(search).filter(course=OuterRef("pk"))
    return Subquery(runs.order_by("start_date").values("start_date")[:1])


def search_courses(search: CourseSearch) -> QuerySet:
    """Published courses matching ``search``, with ``next_start`` (and ``distance`` when a place
    was given) from their matching runs, in the order asked for."""
    courses = filtered_courses(search)
    runs = matching_runs(search).filter(course=OuterRef("pk"))
    courses = courses.annotate(next_start=_next_start(search))
    if search.point:
        courses = courses.annotate(
            distance=Subquery(runs.order_by("distance").values("distance")[:1])
        )
    start = F("next_start")
    if connection.vendor == "postgresql" and not _uses_runs(search):
        # Same order as next_start when no run filter applies, but read from an index, so the
        # per-course subquery runs only for the rows on the page.
        start = F("upcoming_start")
    order = {
        Sort.RELEVANCE: [F("rank").desc(), "title"],
        Sort.START: [start.asc(nulls_last=True), "title"],
        Sort.DISTANCE: [F("distance").asc(nulls_last=True), "title"],
        Sort.TITLE: ["title"],
    }[search.effective_sort]
    return courses.select_related("institute").order_by(*order, "pk")


LIST_FIELDS = (
    "title", "slug", "summary", "provider_name", "level", "qualification_type", "institute__town",
    "institute__name",
)  # fmt: skip
# The course's own columns of LIST_FIELDS, for the page read in SQL.
PAGE_COLUMNS = (
    "id", "title", "slug", "summary", "provider_name", "level", "qualification_type",
    "institute_id",
)  # fmt: skip


# Totals are exact up to COUNT_CAP and "more than COUNT_CAP" beyond, as search engines say: an
# exact total of a broad search would visit every match just to print a number.
COUNT_CAP = 1000


class CappedCount(Subquery):
    """How many rows ``queryset`` has, counting no further than ``cap + 1``: a scalar subquery
    that does not depend on the outer row, so the database runs it once for the whole page."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS capped)"
    output_field = IntegerField()

    def __init__(self, queryset: QuerySet, cap: int):
        super().__init__(queryset.order_by().values("pk")[: cap + 1])


def _reads_runs(search: CourseSearch) -> bool:
    """Whether results_page() reads the page from the runs aggregated per course."""
    return connection.vendor == "postgresql" and bool(
        search.point or search.start_from or search.start_to
    )


def results_page(search: CourseSearch, number: int, per_page: int) -> tuple[list, int]:
    """One page of results and the total, in one query; the total is capped at COUNT_CAP + 1,
    so a total above COUNT_CAP means "more than COUNT_CAP"."""
    start = (number - 1) * per_page
    if _reads_runs(search):
        return _results_page_from_runs(search, start, per_page)
    counted = filtered_courses(search)
    rows = list(
        search_courses(search)
        .only(*LIST_FIELDS)
        .annotate(total=CappedCount(counted, COUNT_CAP))[start : start + per_page]
    )
    if rows:
        return rows, rows[0].total
    return [], counted[: COUNT_CAP + 1].count()


def _course_filters_only(search: CourseSearch) -> CourseSearch:
    """``search`` without the filters its runs answer (study mode, attendance, start dates, the
    radius and no fee): what the course rows alone must match."""
    return replace(
        search,
        study_modes=(),
        attendances=(),
        start_from=None,
        start_to=None,
        radius_miles=None,
        funding=tuple(value for value in search.funding if value != Funding.NO_FEE),
    )


def _results_page_from_runs(search: CourseSearch, start: int, per_page: int):
    """results_page() for a search with a place or start dates, on PostgreSQL.

    The ORM's form of it probes each matching course's runs to filter it, then again for its
    nearest venue and soonest start, which the order needs for every match: with a 50-mile radius
    at national scale, about 10,000 courses probed twice. Here the matching runs are read once and
    aggregated per course (nearest venue, soonest start), joined to the courses that match the
    course filters, and ordered; only the page's rows are then read in full, in the same query.
    The same rows, order and total as search_courses() (tests/courses/test_search_orders.py).
    """
    runs = matching_runs(search)
    if search.q:
        # Only the runs of courses the keywords find: far fewer than every run in a wide window.
        runs = runs.filter(course__in=_page_courses(search).values("pk"))
    runs = runs.order_by().values("course_id")
    aggregates = {"next_start": Min("start_date")}
    if search.point:
        aggregates["distance"] = Min("distance")
    runs_sql, runs_params = _sql(runs.annotate(**aggregates))
    page = _RunsPage(search, f"({runs_sql})", list(runs_params), start, per_page)
    sql = (
        f"WITH {page.ctes} SELECT {page.columns},"
        f" (SELECT COUNT(*) FROM (SELECT 1 FROM found LIMIT %s) AS capped) AS total"
        f" FROM {page.rows} ORDER BY {page.order}"
    )
    rows = list(Course.objects.raw(sql, [*page.params, COUNT_CAP + 1]))
    if not rows:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM {page.joined} LIMIT %s) AS capped",
                [*page.joined_params, COUNT_CAP + 1],
            )
            return [], cursor.fetchone()[0]
    for row in rows:
        _attach_institute(row, row.institute_name, row.institute_town)
    return rows, rows[0].total


def _page_courses(search: CourseSearch) -> QuerySet:
    return filtered_courses(_course_filters_only(search)).order_by()


def _attach_institute(course: Course, name: str, town: str) -> None:
    institute = Institute.from_db(
        connection.alias, ["id", "name", "town"], [course.institute_id, name, town]
    )
    Course.institute.field.set_cached_value(course, institute)


class _RunsPage:
    """The SQL of one page of results read from runs aggregated per course (``runs``: SQL for
    rows of course_id, next_start and, with a place, distance; with ``kinds``, also the kinds
    of the course's runs at the place and dates, of which one must be asked for; None: the CTE
    ``c`` of facet_counts(), which holds the matching courses with those already, see
    _facet_statement): the CTEs ``found`` (every match, with what it is ordered by) and
    ``page``, the columns and rows of the page, joined to its courses and institutes, and their
    order."""

    def __init__(
        self, search: CourseSearch, runs: str | None, runs_params: list, start: int,
        per_page: int, *, kinds: bool = False,
    ):  # fmt: skip
        qn = connection.ops.quote_name
        uses_runs = _uses_runs(search)
        if runs is None:
            # c joins the courses to their runs as the page would, but for the kinds of run,
            # tested below: a course with none at the place and dates has no kinds.
            self.joined, self.joined_params = "c AS courses", []
            runs = "courses"
        else:
            course_fields = ["id", "title", "upcoming_start"] + (["rank"] if search.q else [])
            courses_sql, courses_params = _sql(_page_courses(search).values(*course_fields))
            join = "JOIN" if uses_runs else "LEFT JOIN"
            self.joined = (
                f"({courses_sql}) AS courses {join} {runs} AS runs ON runs.course_id = courses.id"
            )
            self.joined_params = [*courses_params, *runs_params]
            runs = "runs"
        if kinds and _has_kind_filter(search):
            self.joined += f" WHERE {runs}.kinds & %s <> 0"
            self.joined_params.append(_runs_mask(search))
        distance = f"{runs}.distance" if search.point else "NULL::double precision"
        # Without run filters the soonest start orders by the course's own (as search_courses
        # does).
        soonest = f"{runs}.next_start" if uses_runs else "courses.upcoming_start"
        order = {
            Sort.RELEVANCE: "found.rank DESC",
            Sort.START: "found.soonest ASC NULLS LAST",
            Sort.DISTANCE: "found.distance ASC NULLS LAST",
            Sort.TITLE: None,
        }[search.effective_sort]
        self.order = ", ".join(filter(None, [order, "found.title", "found.id"]))
        self.ctes = (
            f"found AS (SELECT courses.id, courses.title,"
            f" {'courses.rank' if search.q else 'NULL::real'} AS rank, {distance} AS distance,"
            f" {runs}.next_start, {soonest} AS soonest FROM {self.joined}),"
            f" page AS (SELECT * FROM found ORDER BY {self.order} LIMIT %s OFFSET %s)"
        )
        self.params = [*self.joined_params, per_page, start]
        self.columns = ", ".join(
            [f"course.{qn(name)}" for name in PAGE_COLUMNS]
            + ["found.distance", "found.next_start"]
            + ["institute.name AS institute_name", "institute.town AS institute_town"]
        )
        self.rows = (
            f"page AS found JOIN {qn(Course._meta.db_table)} AS course ON course.id = found.id"
            f" JOIN {qn(Institute._meta.db_table)} AS institute"
            " ON institute.id = course.institute_id"
        )


def _page_and_facets_from_runs(
    search: CourseSearch, start: int, per_page: int
) -> tuple[list, int, dict[str, dict]]:
    """_results_page_from_runs() and facet_counts() in one statement, on PostgreSQL.

    Both aggregate the runs at the search's place and dates per course, which is most of either
    one's time for a wide radius (about 40,000 runs for 10,000 courses at 50 miles); here that
    aggregate is the one CTE ``k`` of facet_counts(), which also gives each course's soonest
    start and nearest venue among the runs of the kinds asked for (_runs_by_course). The page,
    its capped total and the counts come back as one row per course on the page, or one row
    with no course when the page is empty; the counts, as JSON, ride on every row.
    tests/courses/test_search_orders.py checks it against results_page() and facet_counts().
    """
    facets = _facet_statement(search, page_runs=True)
    # Without keywords c holds every column the page is ordered by (not the rank).
    page = _RunsPage(search, "k" if search.q else None, [], start, per_page, kinds=True)
    sql = (
        f"WITH {', '.join(facets.ctes)}, {page.ctes}"
        f" SELECT {page.columns}, summary.total, summary.facets FROM"
        f" (SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM found LIMIT %s) AS capped) AS total,"
        f" ({facets.as_json()}) AS facets) AS summary"
        f" LEFT JOIN ({page.rows}) ON TRUE ORDER BY {page.order}"
    )
    params = [*facets.params, *page.params, COUNT_CAP + 1, *facets.branch_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        results = cursor.fetchall()
    return _rows_and_counts(results, facets, distance=True)


def _rows_and_counts(
    results: list[tuple], facets: _FacetStatement, *, distance: bool = False
) -> tuple[list, int, dict[str, dict]]:
    """The courses, total and counts from the rows of a statement reading a page and its counts
    together: PAGE_COLUMNS, the distance if ``distance``, next_start, the institute's name and
    town, the total and the counts as JSON; one row with no course for an empty page."""
    # Model.from_db() takes the values of the fields it is given in the model's field order.
    fields = [f.attname for f in Course._meta.concrete_fields if f.attname in PAGE_COLUMNS]
    rows = []
    for values in results:
        if values[0] is None:  # the empty page's one row
            continue
        read = dict(zip(PAGE_COLUMNS, values, strict=False))
        course = Course.from_db(connection.alias, fields, [read[name] for name in fields])
        rest = list(values[len(PAGE_COLUMNS) :])
        if distance:
            course.distance = rest.pop(0)
        course.next_start = rest.pop(0)
        _attach_institute(course, rest.pop(0), rest.pop(0))
        rows.append(course)
    total, counted_rows = results[0][-2], json.loads(results[0][-1])
    return rows, total, facets.counts(counted_rows)


# Facets ------------------------------------------------------------------------------------

# Facets counted from the course itself or its institute, route and sector tags, and from its
# matching runs. "funding" takes from both: three course flags and a run with no fee.
COURSE_FACETS = ("levels", "qualification_types", "routes", "sectors", "regions", "institutes")
RUN_FACETS = ("study_modes", "attendances")
FACETS = (*COURSE_FACETS, *RUN_FACETS, "funding")


def facet_counts(search: CourseSearch) -> dict[str, dict]:
    """For each filter, how many courses each option would give with the other filters kept.

    Every facet with nothing selected counts over the same matching set. A facet with a
    selection must be counted without its own filter (choosing Level 4 must not hide how many
    Level 5 courses there are), so each of those counts over a matching set of its own. All of
    them are one statement: one round trip, and on PostgreSQL the runs matching the place and
    start dates, which every one of those sets shares, are read once.
    """
    statement = _facet_statement(search)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {', '.join(statement.ctes)} {' UNION ALL '.join(statement.branches)}",
            [*statement.params, *statement.branch_params],
        )
        return statement.counts(cursor.fetchall())


@dataclass
class _FacetStatement:
    """facet_counts()'s statement in pieces: its CTEs and the UNION ALL branches reading them,
    each branch's rows (label "<part>:<facet>", key, count), and how to turn those into counts."""

    ctes: list[str]
    params: list
    branches: list[str]
    branch_params: list
    pieces: list[_FacetQuery]

    def as_json(self) -> str:
        """A scalar subquery of the branches' rows as one JSON array (as text), for a statement
        that reads other rows too; counts() reads it back."""
        return (
            "SELECT CAST(COALESCE(json_agg(json_build_array(f.label, f.key, f.n)), '[]') AS TEXT)"
            f" FROM ({' UNION ALL '.join(self.branches)}) AS f (label, key, n)"
        )

    def counts(self, rows) -> dict[str, dict]:
        by_part: dict[int, list] = {piece.part: [] for piece in self.pieces}
        for label, key, n in rows:
            part, facet = label.split(":", 1)
            by_part[int(part)].append((facet, key, n))
        counts: dict[str, dict] = {}
        for piece in self.pieces:
            counts |= piece.finish(by_part[piece.part])
        return counts


def _facet_statement(
    search: CourseSearch, *, page_runs: bool = False, page_courses: bool = False
) -> _FacetStatement:
    """The pieces of facet_counts()'s statement. With ``page_runs`` (PostgreSQL, a search
    with a place or start dates) the CTE ``k`` of the runs aggregated per course also gives each
    course's soonest start and nearest venue among the runs matching all the search's run
    filters, for the results page read in the same statement (_page_and_facets_from_runs).
    With ``page_courses`` (PostgreSQL, the course summary answering) the CTE ``m0`` of the
    courses matching the whole search also has what the page is ordered by
    (_page_and_facets_from_courses)."""
    selected = [facet for facet in FACETS if getattr(search, facet)]
    parts = [(search, [facet for facet in FACETS if facet not in selected])]
    parts += [(search.without(facet), [facet]) for facet in selected]
    ctes: list[str] = []
    params: list = []
    # Decided once for every part: the parts must agree on whether CTEs k and c exist, even if
    # the date turns over while the statement is built.
    summary = _summary_answers(search)
    shared = _course_filters_only(search)
    if connection.vendor == "postgresql" and not summary:
        # What each course's runs matching the place and dates are (the same for every part).
        place_and_dates = replace(search, study_modes=(), attendances=(), funding=())
        runs = matching_runs(place_and_dates)
        if search.q:
            # Keywords are in every part's filters (no facet takes them away): only the runs
            # of the courses they find, far fewer than every run in a wide window.
            keyword_courses = CourseSearch(q=search.q, today=search.today)
            runs = runs.filter(course__in=filtered_courses(keyword_courses).values("pk"))
        runs_sql, runs_params = _runs_by_course(search, runs, page_runs=page_runs)
        ctes.append(f"k AS ({runs_sql})")
        params += runs_params
        # The courses matching the course filters, with those kinds: the same for every part
        # that differs from the search only by a run filter (study mode, attendance, no fee).
        # For the page (without keywords, whose rank this does not read) also what it is
        # ordered by: the title and soonest start from the same index, and the runs' aggregates.
        page_columns = page_runs and not search.q
        course_columns = [*FACET_COLUMNS, *(("title", "upcoming_start") if page_columns else ())]
        courses_sql, courses_params = _sql(
            filtered_courses(shared).order_by().values(*course_columns)
        )
        # With a radius or dates every part keeps only courses with such runs; a place alone
        # keeps every course.
        join = "JOIN" if _uses_runs(place_and_dates) else "LEFT JOIN"
        page_aggregates = ""
        if page_columns:
            nearest = "k.distance" if search.point else "NULL::double precision"
            page_aggregates = f", k.next_start, {nearest} AS distance"
        ctes.append(
            f"c AS (SELECT courses.*, k.kinds{page_aggregates} FROM ({courses_sql}) AS courses"
            f" {join} k ON k.course_id = courses.id)"
        )
        params += courses_params
    # With keywords, the course summary answering and a facet chosen, the parts' matching
    # courses are read once, as the CTE ``ml`` of the courses the keywords find
    # (_loose_courses), and each part keeps those that pass its filters: one keyword match and
    # one compiled query, not one for each part. The page's part (ordered by rank, title and
    # start) is still its own. Not without keywords: the loose set would be every course,
    # where each part's own filters read fewer from their indexes (at 200,000 runs, reading
    # the loose set made searches with a place and two course filters 40-85 ms slower).
    loose = connection.vendor == "postgresql" and summary and bool(search.q and selected)
    if loose:
        loose_sql, loose_params = _loose_courses(search)
        ctes.append(f"ml AS ({loose_sql})")
        params += loose_params
    pieces = [
        _count_facets(
            part,
            facets,
            i,
            shared,
            summary=summary,
            page=page_courses and i == 0,
            loose=loose and not (page_courses and i == 0),
        )
        for i, (part, facets) in enumerate(parts)
        if facets
    ]
    branches: list[str] = []
    branch_params: list = []
    for piece in pieces:
        ctes += piece.ctes
        params += piece.params
        branches += piece.branches
        branch_params += piece.branch_params
    return _FacetStatement(ctes, params, branches, branch_params, pieces)


def _flag(facet: str) -> str:
    return f"passes_{facet}"


def _loose_courses(search: CourseSearch) -> tuple[str, list]:
    """SQL for the courses matching ``search`` without any of its facets' filters (PostgreSQL,
    the course summary answering): their facet columns and upcoming kinds (as _count_facets
    reads them) and, for each course filter of ``search``, whether the course passes it
    (``passes_<facet>``). A part of facet_counts() keeps the rows passing its own filters
    (_loose_part); the conditions are filtered_courses()'s own (_course_conditions)."""
    conditions = _course_conditions(search)
    courses = _base_courses(search).annotate(
        kinds=upcoming_kinds_expression(search.today),
        **{
            _flag(facet): ExpressionWrapper(condition, output_field=BooleanField())
            for facet, condition in conditions.items()
        },
    )
    columns = [*LOOSE_COLUMNS, *map(_flag, conditions)]
    sql, params = _sql(courses.order_by().values(*columns))
    return sql, list(params)


def _loose_part(search: CourseSearch) -> tuple[str, list]:
    """SQL for the courses matching ``search`` read from the CTE ``ml`` (_loose_courses), which
    has a column for each of its course filters, and its upcoming kinds for its run filters."""
    tests = [_flag(facet) for facet in _course_conditions(search)]
    params = []
    if _uses_runs(search):
        tests.append("kinds & %s <> 0")
        params.append(_runs_mask(search))
    where = " AND ".join(tests) or "TRUE"
    return f"SELECT {', '.join(LOOSE_COLUMNS)} FROM ml WHERE {where}", params


def _has_kind_filter(search: CourseSearch) -> bool:
    """Whether ``search`` keeps only some kinds of run (study mode, attendance, no fee)."""
    return bool(search.study_modes or search.attendances or Funding.NO_FEE in search.funding)


def _runs_by_course(
    search: CourseSearch, runs: QuerySet, *, page_runs: bool
) -> tuple[str, tuple | list]:
    """SQL for ``runs`` (the runs at ``search``'s place and dates) aggregated per course: the
    kinds of run each course has there (courses/upcoming.py) and, with ``page_runs``, its soonest
    start and (with a place) nearest venue among the runs of the kinds ``search`` asks for."""
    if not page_runs:
        return _sql(runs.order_by().values("course_id").annotate(kinds=BitOr(run_kind())))
    columns = ["course_id", "start_date"] + (["distance"] if search.point else [])
    runs_sql, runs_params = _sql(runs.order_by().annotate(kind=run_kind()).values(*columns, "kind"))
    # A run whose kind is unknown (a study mode or attendance outside the choices) has no bit;
    # without a kind filter it still counts, as matching_runs() keeps it.
    only = " FILTER (WHERE runs.kind & %s <> 0)" if _has_kind_filter(search) else ""
    mask = [_runs_mask(search)] if only else []
    nearest = f", MIN(runs.distance){only} AS distance" if search.point else ""
    # OFFSET 0 keeps the runs a subquery of their own: flattened into the aggregate, each run's
    # kind was computed for every aggregate and filter that reads it (about 10 ms of the 75 a
    # 50-mile radius with a study mode took at 200,000 runs).
    sql = (
        f"SELECT runs.course_id, BIT_OR(runs.kind) AS kinds,"
        f" MIN(runs.start_date){only} AS next_start{nearest}"
        f" FROM ({runs_sql} OFFSET 0) AS runs GROUP BY runs.course_id"
    )
    return sql, [*mask, *(mask if nearest else []), *runs_params]


def _sql(queryset: QuerySet) -> tuple[str, tuple]:
    return queryset.query.sql_with_params()


FACET_COLUMNS = (
    "id", "level", "qualification_type", "route_id", "institute_id", "student_finance",
    "employer_sponsored",
)  # fmt: skip
# The columns of _count_facets()'s matching courses on PostgreSQL, in its order.
LOOSE_COLUMNS = (*FACET_COLUMNS, "kinds")


def _with_run_kinds(search: CourseSearch, shared: CourseSearch) -> tuple[str, list]:
    """SQL for the facet columns of the courses matching ``search`` and, as ``kinds``, the kinds
    of each one's runs that match its place and start dates, from the runs aggregated per course
    once (the CTE ``k`` facet_counts() defines; PostgreSQL): the same courses filtered_courses()
    finds, where it probes each one's runs. From the CTE ``c`` when ``search`` has the course
    filters of ``shared``, whose courses it holds."""
    if _course_filters_only(search) == shared:
        sql, params = f"SELECT {', '.join(FACET_COLUMNS)}, kinds FROM c", []
    else:
        courses = filtered_courses(_course_filters_only(search))
        courses_sql, params = _sql(courses.order_by().values(*FACET_COLUMNS))
        sql = (
            f"SELECT courses.*, k.kinds FROM ({courses_sql}) AS courses"
            " LEFT JOIN k ON k.course_id = courses.id"
        )
        params = list(params)
    if _uses_runs(search):
        sql = f"SELECT * FROM ({sql}) AS matching WHERE kinds & %s <> 0"
        params.append(_runs_mask(search))
    # Otherwise (a place with no radius only orders the results) every course matches, and
    # the run counts still take only the runs at a place.
    return sql, params


@dataclass
class _FacetQuery:
    """One matching set's part of facet_counts()'s statement: its CTEs and UNION ALL branches,
    whose rows are labelled "<part>:<facet>", and how to turn its rows into counts."""

    part: int
    facets: list[str]
    grouped: list[str]
    ctes: list[str]
    params: list
    branches: list[str]
    branch_params: list

    def finish(self, rows: list[tuple]) -> dict[str, dict]:
        counts: dict[str, dict] = {facet: {} for facet in [*self.facets, *self.grouped]}
        for facet, key, n in rows:
            counts[facet][int(key) if facet == "levels" else key] = n
        if "funding" in self.facets:
            truthy = ("true", "1")
            counts["funding"] |= {
                Funding.STUDENT_FINANCE: sum(
                    n for key, n in counts.pop("_student_finance").items() if key in truthy
                ),
                Funding.EMPLOYER_SPONSORED: sum(
                    n for key, n in counts.pop("_employer_sponsored").items() if key in truthy
                ),
                Funding.APPRENTICESHIP: sum(
                    counts["qualification_types"].get(kind, 0) for kind in APPRENTICESHIP_TYPES
                ),
            }
            if "qualification_types" not in self.facets:
                del counts["qualification_types"]
        return counts


# What each course facet groups the matching courses by, on PostgreSQL: their own columns, and
# the route's and institute's ids (named after the grouping, joined to the small tables only
# for the few groups left, not for every matching course).
_GROUP_BY = {
    "levels": "level",
    "qualification_types": "qualification_type",
    "routes": "route_id",
    "_institute": "institute_id",
    "_student_finance": "student_finance",
    "_employer_sponsored": "employer_sponsored",
}
_BY_ID = ("routes", "_institute")


def _grouping_keys(grouped: list[str]) -> list[str]:
    wants_institute = bool({"regions", "institutes"} & set(grouped))
    return [key for key in _GROUP_BY if key in grouped or (key == "_institute" and wants_institute)]


def _grouping_sets(m: str, g: str, grouped: list[str]) -> str:
    """A CTE ``g`` counting the courses in ``m`` by each of the ``grouped`` facets in one GROUP
    BY GROUPING SETS pass: (which grouping, key as text, or id for a route or institute, count)."""
    keys = _grouping_keys(grouped)
    columns = [f"{m}.{_GROUP_BY[key]}" for key in keys]
    texts = [f"CAST({m}.{_GROUP_BY[key]} AS TEXT)" for key in keys if key not in _BY_ID]
    ids = [f"{m}.{_GROUP_BY[key]}" for key in keys if key in _BY_ID]
    text = "COALESCE(" + ", ".join(texts) + ")" if texts else "NULL"
    ref = "COALESCE(" + ", ".join(ids) + ")" if ids else "NULL"
    sets = ", ".join(f"({column})" for column in columns)
    return (
        f"{g} (which, key, ref, n) AS (SELECT GROUPING({', '.join(columns)}), {text}, {ref},"
        f" COUNT(*) FROM {m} GROUP BY GROUPING SETS ({sets}))"
    )


def _grouped_branches(g: str, part: int, grouped: list[str]) -> list[str]:
    """The UNION ALL branches reading ``g`` (see _grouping_sets) as facet, key, count rows."""
    keys = _grouping_keys(grouped)
    # GROUPING() has a bit set for each key a row is not grouped by.
    everything = (1 << len(keys)) - 1
    which = {key: everything - (1 << (len(keys) - 1 - i)) for i, key in enumerate(keys)}
    qn = connection.ops.quote_name
    route_table, institute_table = qn(Route._meta.db_table), qn(Institute._meta.db_table)
    branches = [
        f"SELECT '{part}:{key}', {g}.key, {g}.n FROM {g} WHERE {g}.which = {which[key]}"
        for key in keys
        if key not in _BY_ID
    ]
    if "routes" in keys:
        branches.append(
            f"SELECT '{part}:routes', route.slug, {g}.n FROM {g}"
            f" JOIN {route_table} route ON route.id = {g}.ref WHERE {g}.which = {which['routes']}"
        )
    institute_rows = (
        f" FROM {g} JOIN {institute_table} inst ON inst.id = {g}.ref"
        f" WHERE {g}.which = {which.get('_institute')}"
    )
    if "institutes" in grouped:
        branches.append(f"SELECT '{part}:institutes', inst.slug, {g}.n{institute_rows}")
    if "regions" in grouped:
        branches.append(
            f"SELECT '{part}:regions', inst.region, CAST(SUM({g}.n) AS BIGINT){institute_rows}"
            " GROUP BY inst.region"
        )
    return branches


def _count_facets(
    search: CourseSearch, facets: list[str], part: int, shared: CourseSearch, *, summary: bool,
    page: bool = False, loose: bool = False,
) -> _FacetQuery:  # fmt: skip
    """Counts for ``facets`` over the courses matching ``search``: part ``part`` of
    facet_counts()'s statement.

    The matching courses are a common table expression computed once. Facets on the course,
    its route and its institute are one GROUP BY GROUPING SETS pass over it on PostgreSQL (one
    GROUP BY each on SQLite); sector tags are one more grouping over it, and the run facets one
    aggregation of the matching runs per course, all joined by UNION ALL. Written as SQL because
    the ORM cannot put several groupings in one statement; the filters themselves are still the
    ORM's (filtered_courses, matching_runs), so there is one definition of what matches.

    With ``page`` (PostgreSQL, the course summary answering) the matching courses also carry
    what the results page is ordered by: title, upcoming start and, with keywords, rank.
    """
    qn = connection.ops.quote_name
    m, rn, rf = f"m{part}", f"rn{part}", f"rf{part}"
    columns = ("id", "level", "qualification_type", "route_id", "institute_id")
    flags = ("student_finance", "employer_sponsored")
    # On PostgreSQL each matching course comes with the kinds of its runs that match the
    # search's place and start dates (courses/upcoming.py), so the study mode, attendance and
    # no-fee counts are bit tests on it: read from the course row when there is no place or start
    # date, else from those runs aggregated once per course.
    kinds = connection.vendor == "postgresql"
    ordered_by = (("title", "upcoming_start") + (("rank",) if search.q else ())) if page else ()
    if kinds and summary and loose:
        matching_sql, params = _loose_part(search)
    elif kinds and summary:
        matching = filtered_courses(search).annotate(kinds=upcoming_kinds_expression(search.today))
        matching_sql, params = _sql(
            matching.order_by().values(*columns, *flags, "kinds", *ordered_by)
        )
        params = list(params)
    elif kinds:
        matching_sql, params = _with_run_kinds(search, shared)
    else:
        matching_sql, params = _sql(filtered_courses(search).order_by().values(*columns, *flags))
        params = list(params)
    flags += ("kinds",) if kinds else ()
    ctes = [f"{m} ({', '.join(columns + flags + ordered_by)}) AS ({matching_sql})"]
    branches: list[str] = []
    branch_params: list = []

    # Course facets; funding's course flags are counted as groups and added up below. On
    # PostgreSQL in one GROUPING SETS pass (_grouping_sets), on SQLite one GROUP BY each.
    keys = {
        "levels": f"{m}.level",
        "qualification_types": f"{m}.qualification_type",
        "routes": "route.slug",
        "regions": "inst.region",
        "institutes": "inst.slug",
        "_student_finance": f"{m}.student_finance",
        "_employer_sponsored": f"{m}.employer_sponsored",
    }
    grouped = [facet for facet in keys if facet in facets]
    if "funding" in facets:
        grouped += ["_student_finance", "_employer_sponsored"]
        grouped += [] if "qualification_types" in grouped else ["qualification_types"]
    if grouped and connection.vendor == "postgresql":
        ctes.append(_grouping_sets(m, f"g{part}", grouped))
        branches += _grouped_branches(f"g{part}", part, grouped)
    elif grouped:
        source = m
        if "routes" in grouped:
            source += f" JOIN {qn(Route._meta.db_table)} route ON route.id = {m}.route_id"
        if {"regions", "institutes"} & set(grouped):
            source += f" JOIN {qn(Institute._meta.db_table)} inst ON inst.id = {m}.institute_id"
        branches += [
            f"SELECT '{part}:{facet}', CAST({keys[facet]} AS TEXT), COUNT(*) FROM {source}"
            f" GROUP BY CAST({keys[facet]} AS TEXT)"
            for facet in grouped
        ]
    if "sectors" in facets:
        through = Course.sector_tags.through
        branches.append(
            f"SELECT '{part}:sectors', tag.slug, COUNT(*)"
            f" FROM {m} JOIN {qn(through._meta.db_table)} ct ON ct.{qn('course_id')} = {m}.id"
            f" JOIN {qn(SectorTag._meta.db_table)} tag ON tag.id = ct.{qn('sectortag_id')}"
            " GROUP BY tag.slug"
        )

    # Run facets: first whether each matching course has a matching run of each kind.
    options = [("study_modes", value, "study_mode = %s") for value in CourseRun.StudyMode.values]
    options += [("attendances", value, "attendance = %s") for value in CourseRun.Attendance.values]
    options = [option for option in options if option[0] in facets]
    if "funding" in facets:
        options.append(("funding", Funding.NO_FEE, "fee = 0"))
    if options and kinds:
        totals = ", ".join(
            f"COUNT(*) FILTER (WHERE {m}.kinds & %s <> 0) AS n{i}" for i in range(len(options))
        )
        ctes.append(f"{rn} AS (SELECT {totals} FROM {m})")
        params += [_runs_mask(search, facet, value) for facet, value, _ in options]
    elif options:
        runs_sql, runs_params = _sql(
            matching_runs(search).order_by().values("course_id", "study_mode", "attendance", "fee")
        )
        has = ", ".join(
            f"MAX(CASE WHEN runs.{condition} THEN 1 ELSE 0 END) AS has{i}"
            for i, (_, _, condition) in enumerate(options)
        )
        totals = ", ".join(f"COALESCE(SUM(has{i}), 0) AS n{i}" for i in range(len(options)))
        ctes += [
            f"{rf} AS (SELECT runs.course_id, {has} FROM ({runs_sql}) AS runs"
            f" JOIN {m} ON {m}.id = runs.course_id GROUP BY runs.course_id)",
            f"{rn} AS (SELECT {totals} FROM {rf})",
        ]
        params += [value for _, value, condition in options if "%s" in condition]
        params += runs_params
    for i, (facet, value, _) in enumerate(options):
        # A run option no course has is left out, as a GROUP BY would; funding has all four.
        branches.append(
            f"SELECT '{part}:{facet}', %s, n{i} FROM {rn}"
            + ("" if facet == "funding" else f" WHERE n{i} > 0")
        )
        branch_params.append(value)
    return _FacetQuery(part, facets, grouped, ctes, params, branches, branch_params)


FACET_CACHE_SECONDS = 300
# Counts older than this are still served, and a worker recomputes them while they are: the
# entry is replaced before it expires, so no visitor waits for the refill of a search people
# keep asking. Only a search nobody asked for five minutes is counted during a request.
FACET_REFRESH_AFTER_SECONDS = 240
# One refresh per entry at a time; if its task is lost, another visitor may ask again after this.
FACET_REFRESH_LOCK_SECONDS = 60
REFRESH_TASK = "courses.tasks.refresh_facet_counts"


def facet_cache_key(search: CourseSearch) -> str:
    # v2: entries carry the time they were computed (older entries were the counts alone).
    return "course-facets:v2:" + hashlib.sha256(repr(search).encode()).hexdigest()


def store_facet_counts(search: CourseSearch) -> dict[str, dict]:
    """Count the facets of ``search`` now and keep them, stamped, for FACET_CACHE_SECONDS; the
    refresh that asked for them (courses.tasks) is over, so another may be asked for."""
    counts = _keep_facet_counts(search, facet_counts(search))
    cache.delete(facet_cache_key(search) + ":refreshing")
    return counts


def _keep_facet_counts(search: CourseSearch, counts: dict[str, dict]) -> dict[str, dict]:
    """Keep counts a request made because none were kept. A refresh still marked as asked for
    is not unmarked: these counts need none for FACET_REFRESH_AFTER_SECONDS, longer than the
    mark lasts, and a never-asked search is spared the round trip."""
    cache.set(facet_cache_key(search), (time.time(), counts), FACET_CACHE_SECONDS)
    return counts


def cached_facet_counts(search: CourseSearch) -> dict[str, dict]:
    """facet_counts, kept for a few minutes: most visitors ask the same few searches (the
    unfiltered list above all). A count a few minutes old is fine beside a filter option; the
    results themselves are always fresh. With the cache down every request counts (get misses,
    set does nothing)."""
    return _counts_from(search, cache.get(facet_cache_key(search)))


def _counts_from(search: CourseSearch, entry: tuple | None) -> dict[str, dict]:
    """cached_facet_counts() given the cache's ``entry`` for ``search``."""
    if entry is None:
        return _keep_facet_counts(search, facet_counts(search))
    key = facet_cache_key(search)
    computed_at, counts = entry
    if time.time() - computed_at >= FACET_REFRESH_AFTER_SECONDS and cache.add(
        key + ":refreshing", 1, FACET_REFRESH_LOCK_SECONDS
    ):
        # By name: courses.tasks imports the services, which import this module. No row is
        # written here, so there is no commit for the task to wait for.
        try:
            signature(REFRESH_TASK, args=(search.as_params(),)).delay()
        except OperationalError as exc:
            # The broker is down: these counts are served until they expire, then recounted.
            outages.report("broker", "course facet counts not refreshed ahead of expiry", exc)
    return counts


def results_page_and_facet_counts(
    search: CourseSearch, number: int, per_page: int
) -> tuple[list, int, dict[str, dict]]:
    """results_page() and cached_facet_counts() together. When the counts are not cached, on
    PostgreSQL, one statement reads both for a search with a place or start dates (aggregating
    its runs once, _page_and_facets_from_runs) and for most with keywords (reading the courses
    they find once, _page_and_facets_from_courses)."""
    entry = cache.get(facet_cache_key(search))
    start = (number - 1) * per_page
    if entry is None and _reads_runs(search):
        rows, total, counts = _page_and_facets_from_runs(search, start, per_page)
        return rows, total, _keep_facet_counts(search, counts)
    if entry is None and _orders_from_courses(search):
        rows, total, counts = _page_and_facets_from_courses(search, start, per_page)
        return rows, total, _keep_facet_counts(search, counts)
    rows, total = results_page(search, number, per_page)
    return rows, total, _counts_from(search, entry)


def _orders_from_courses(search: CourseSearch) -> bool:
    """Whether _page_and_facets_from_courses() can read the page of ``search``: keywords (a
    search without them reads its page from an index, and its counts alone), the course
    summary answering, a facet left unselected (else there is no count over the courses
    matching the whole search), and not the soonest start of runs of some kinds first, which
    the summary does not keep."""
    return (
        bool(search.q)
        and _summary_answers(search)
        and not all(getattr(search, facet) for facet in FACETS)
        and not (search.effective_sort == Sort.START and _uses_runs(search))
    )


def _page_and_facets_from_courses(
    search: CourseSearch, start: int, per_page: int
) -> tuple[list, int, dict[str, dict]]:
    """results_page() and facet_counts() in one statement, for a search with keywords and no
    place or start dates, on PostgreSQL.

    Both read every course the keywords find from the table (the text index gives where they
    are, not their columns): about 15,000 courses, half the catalogue's pages, for one broad word
    at 200,000 runs, and ranking them. Here the counts' CTE ``m0`` of the courses matching the
    whole search also carries their rank, title and upcoming start, and the page is the first
    of them in the order asked for, read in full (with each one's soonest matching start, as
    search_courses() gives it) only for its rows. The same rows, order, total and counts as
    results_page() and facet_counts() (tests/courses/test_search_orders.py).
    """
    facets = _facet_statement(search, page_courses=True)
    order = {
        Sort.RELEVANCE: "rank DESC",
        Sort.START: "upcoming_start ASC NULLS LAST",
        Sort.TITLE: None,
    }[search.effective_sort]
    order = ", ".join(filter(None, [order, "title", "id"]))
    rows_qs = (
        Course.objects.filter(pk__in=RawSQL("SELECT id FROM page", ()))
        .annotate(next_start=_next_start(search))
        .order_by()
        .values(
            *PAGE_COLUMNS,
            "next_start",
            institute_name=F("institute__name"),
            institute_town=F("institute__town"),
        )
    )
    rows_sql, rows_params = _sql(rows_qs)
    qn = connection.ops.quote_name
    names = [*PAGE_COLUMNS, "next_start", "institute_name", "institute_town"]
    columns = ", ".join(f"found.{qn(name)}" for name in names)
    sql = (
        f"WITH {', '.join(facets.ctes)},"
        f" page AS (SELECT id, title, upcoming_start, rank FROM m0 ORDER BY {order}"
        " LIMIT %s OFFSET %s)"
        f" SELECT {columns}, summary.total, summary.facets FROM"
        f" (SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM m0 LIMIT %s) AS capped) AS total,"
        f" ({facets.as_json()}) AS facets) AS summary"
        f" LEFT JOIN (page JOIN ({rows_sql}) AS found ON found.id = page.id) ON TRUE"
        f" ORDER BY {', '.join(f'page.{key}' for key in order.split(', '))}"
    )
    params = [
        *facets.params, per_page, start, COUNT_CAP + 1, *facets.branch_params, *rows_params,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        results = cursor.fetchall()
    return _rows_and_counts(results, facets)
