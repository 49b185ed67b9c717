"""Course search: one function builds the results, another the counts beside each filter option.

Filters on a course's own fields (level, qualification, route, ...) filter the course. Filters on
how and when it is taught (study mode, attendance, start date, distance) keep a course when at least
one upcoming run matches them all, and the soonest start and the nearest venue shown come from the
matching runs only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.utils import timezone

from institutes.models import Institute, Route
from iot_network.web.geo import Point, bounding_box, distance_miles

from .models import APPRENTICESHIP_TYPES, Course, CourseRun, SectorTag


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


def filtered_courses(search: CourseSearch) -> QuerySet:
    courses = Course.objects.published()
    if search.apprenticeships_only:
        courses = courses.apprenticeships()
    if search.q:
        courses = _keyword_filter(courses, search.q)
    if search.levels:
        courses = courses.filter(level__in=search.levels)
    if search.qualification_types:
        courses = courses.filter(qualification_type__in=search.qualification_types)
    if search.routes:
        courses = courses.filter(route__slug__in=search.routes)
    if search.sectors:
        courses = courses.filter(
            Exists(
                Course.sector_tags.through.objects.filter(
                    course=OuterRef("pk"), sectortag__slug__in=search.sectors
                )
            )
        )
    if search.regions:
        courses = courses.filter(institute__region__in=search.regions)
    if search.institutes:
        courses = courses.filter(institute__slug__in=search.institutes)
    funding = Q()
    if Funding.STUDENT_FINANCE in search.funding:
        funding |= Q(student_finance=True)
    if Funding.APPRENTICESHIP in search.funding:
        funding |= Q(qualification_type__in=APPRENTICESHIP_TYPES)
    if Funding.EMPLOYER_SPONSORED in search.funding:
        funding |= Q(employer_sponsored=True)
    if funding:
        courses = courses.filter(funding)
    if _uses_runs(search):
        courses = courses.filter(Exists(matching_runs(search).filter(course=OuterRef("pk"))))
    return courses


def search_courses(search: CourseSearch) -> QuerySet:
    """Published courses matching ``search``, with ``next_start`` (and ``distance`` when a place
    was given) from their matching runs, in the order asked for."""
    courses = filtered_courses(search)
    runs = matching_runs(search).filter(course=OuterRef("pk"))
    courses = courses.annotate(
        next_start=Subquery(runs.order_by("start_date").values("start_date")[:1])
    )
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
)  # fmt: skip


def results_page(search: CourseSearch, number: int, per_page: int) -> tuple[list, int]:
    """One page of results and the total, as cheaply as each kind of search allows.

    A keyword or run search must visit every match to order them, so the total comes from the
    same query (a window count). Browsing reads the first rows straight from an index, where a
    window count would force a full scan, so there the total is a separate count.
    """
    start = (number - 1) * per_page
    results = search_courses(search).only(*LIST_FIELDS)
    if search.q or _uses_runs(search):
        rows = list(results.annotate(total=Window(Count("pk")))[start : start + per_page])
        if rows:
            return rows, rows[0].total
        return [], filtered_courses(search).count()
    return list(results[start : start + per_page]), filtered_courses(search).count()


# Facets ------------------------------------------------------------------------------------

# Facets counted from the course itself or its institute, route and sector tags, and from its
# matching runs. "funding" takes from both: three course flags and a run with no fee.
COURSE_FACETS = ("levels", "qualification_types", "routes", "sectors", "regions", "institutes")
RUN_FACETS = ("study_modes", "attendances")
FACETS = (*COURSE_FACETS, *RUN_FACETS, "funding")


def facet_counts(search: CourseSearch) -> dict[str, dict]:
    """For each filter, how many courses each option would give with the other filters kept.

    Every facet with nothing selected counts over the same matching set, so one query counts
    them all. A facet with a selection must be counted without its own filter (choosing Level 4
    must not hide how many Level 5 courses there are), so each of those is one more query.
    """
    selected = [facet for facet in FACETS if getattr(search, facet)]
    counts = _count_facets(search, [facet for facet in FACETS if facet not in selected])
    for facet in selected:
        counts |= _count_facets(search.without(facet), [facet])
    return counts


def _sql(queryset: QuerySet) -> tuple[str, tuple]:
    return queryset.query.sql_with_params()


def _count_facets(search: CourseSearch, facets: list[str]) -> dict[str, dict]:
    """Counts for ``facets`` over the courses matching ``search``, in one query.

    The matching courses (and, for run facets, their matching runs) are a common table
    expression computed once; each facet is one GROUP BY over it, joined by UNION ALL. Written
    as SQL because the ORM cannot put several groupings in one statement; the filters
    themselves are still the ORM's (filtered_courses, matching_runs), so there is one
    definition of what matches. Portable between PostgreSQL and SQLite.
    """
    if not facets:
        return {}
    qn = connection.ops.quote_name
    course_fields = ("id", "level", "qualification_type", "route_id", "institute_id")
    flags = ("student_finance", "employer_sponsored")
    matching_sql, matching_params = _sql(
        filtered_courses(search).order_by().values(*course_fields, *flags)
    )
    ctes = [f"m ({', '.join(course_fields + flags)}) AS ({matching_sql})"]
    params = list(matching_params)
    uses_runs = bool(set(facets) & {*RUN_FACETS, "funding"})
    if uses_runs:
        runs_sql, runs_params = _sql(
            matching_runs(search).order_by().values("course_id", "study_mode", "attendance", "fee")
        )
        ctes.append(
            f"r (course_id, study_mode, attendance, fee) AS (SELECT * FROM ({runs_sql}) AS runs"
            " WHERE runs.course_id IN (SELECT id FROM m))"
        )
        params += runs_params

    institute = qn(Institute._meta.db_table)
    route = qn(Route._meta.db_table)
    through = Course.sector_tags.through
    tag = qn(SectorTag._meta.db_table)
    joins = {
        "levels": ("CAST(m.level AS TEXT)", "m"),
        "qualification_types": ("m.qualification_type", "m"),
        "routes": ("route.slug", f"m JOIN {route} route ON route.id = m.route_id"),
        "regions": ("inst.region", f"m JOIN {institute} inst ON inst.id = m.institute_id"),
        "institutes": ("inst.slug", f"m JOIN {institute} inst ON inst.id = m.institute_id"),
        "sectors": (
            "tag.slug",
            f"m JOIN {qn(through._meta.db_table)} ct ON ct.{qn('course_id')} = m.id"
            f" JOIN {tag} tag ON tag.id = ct.{qn('sectortag_id')}",
        ),
    }
    parts: list[str] = []
    part_params: list = []
    for facet in facets:
        if facet in joins:
            key, source = joins[facet]
            parts.append(f"SELECT '{facet}', {key}, COUNT(*) FROM {source} GROUP BY {key}")
        elif facet in RUN_FACETS:
            column = {"study_modes": "study_mode", "attendances": "attendance"}[facet]
            parts.append(
                f"SELECT '{facet}', {column}, COUNT(DISTINCT course_id) FROM r GROUP BY {column}"
            )
        else:  # funding: every option counted, even when none match
            apprenticeships = ", ".join(["%s"] * len(APPRENTICESHIP_TYPES))
            parts += [
                f"SELECT 'funding', '{Funding.STUDENT_FINANCE}', COUNT(*) FROM m"
                " WHERE m.student_finance",
                f"SELECT 'funding', '{Funding.APPRENTICESHIP}', COUNT(*) FROM m"
                f" WHERE m.qualification_type IN ({apprenticeships})",
                f"SELECT 'funding', '{Funding.EMPLOYER_SPONSORED}', COUNT(*) FROM m"
                " WHERE m.employer_sponsored",
                f"SELECT 'funding', '{Funding.NO_FEE}', COUNT(DISTINCT course_id) FROM r"
                " WHERE r.fee = 0",
            ]
            part_params += [str(kind) for kind in APPRENTICESHIP_TYPES]
    sql = f"WITH {', '.join(ctes)} {' UNION ALL '.join(parts)}"
    counts: dict[str, dict] = {facet: {} for facet in facets}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *part_params])
        for facet, key, n in cursor.fetchall():
            counts[facet][int(key) if facet == "levels" else key] = n
    return counts


FACET_CACHE_SECONDS = 300


def cached_facet_counts(search: CourseSearch) -> dict[str, dict]:
    """facet_counts, kept for a few minutes: most visitors ask the same few searches (the
    unfiltered list above all). A count a few minutes old is fine beside a filter option; the
    results themselves are always fresh."""
    key = "course-facets:" + hashlib.sha256(repr(search).encode()).hexdigest()
    counts = cache.get(key)
    if counts is None:
        counts = facet_counts(search)
        cache.set(key, counts, FACET_CACHE_SECONDS)
    return counts
