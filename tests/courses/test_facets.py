"""Facet counts come from one query for the facets with nothing selected, plus one per facet with
a selection, and equal a plain count of each facet on its own, for any combination of filters."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses.models import APPRENTICESHIP_TYPES, Course, CourseRun, SectorTag
from courses.search import (
    FACETS,
    CourseSearch,
    Funding,
    facet_counts,
    filtered_courses,
    matching_runs,
)
from institutes.models import Region
from iot_network.web.geo import Point
from tests.factories import CourseFactory, CourseRunFactory, InstituteFactory, RouteFactory

pytestmark = pytest.mark.django_db

DURHAM = Point(54.7753, -1.5849)


def today():
    """The date now, asked per use: a module-level date goes stale if a run passes midnight."""
    return timezone.localdate()


def days_from_today(days: int):
    return st.builds(lambda: today() + timedelta(days=days))


# The reference: each facet counted on its own with the ORM, one query or more a facet (what
# facet_counts did before it counted in one pass).


def _counts(queryset, field_name: str) -> dict:
    return dict(
        queryset.order_by()
        .values_list(field_name)
        .annotate(n=Count("pk", distinct=True))
        .values_list(field_name, "n")
    )


def reference_counts(search: CourseSearch) -> dict[str, dict]:
    counts = {
        "levels": _counts(filtered_courses(search.without("levels")), "level"),
        "qualification_types": _counts(
            filtered_courses(search.without("qualification_types")), "qualification_type"
        ),
        "routes": _counts(filtered_courses(search.without("routes")), "route__slug"),
        "sectors": _counts(filtered_courses(search.without("sectors")), "sector_tags__slug"),
        "regions": _counts(filtered_courses(search.without("regions")), "institute__region"),
        "institutes": _counts(filtered_courses(search.without("institutes")), "institute__slug"),
    }
    counts["sectors"].pop(None, None)  # courses with no sector tag: not an option to choose
    for facet, field_name in (("study_modes", "study_mode"), ("attendances", "attendance")):
        base = search.without(facet)
        runs = matching_runs(base).filter(course__in=filtered_courses(base).values("pk"))
        counts[facet] = dict(
            runs.order_by()
            .values_list(field_name)
            .annotate(n=Count("course", distinct=True))
            .values_list(field_name, "n")
        )
    base = search.without("funding")
    no_fee_runs = matching_runs(base).filter(course=OuterRef("pk"), fee=0)
    counts["funding"] = filtered_courses(base).aggregate(
        **{
            Funding.STUDENT_FINANCE: Count("pk", filter=Q(student_finance=True)),
            Funding.APPRENTICESHIP: Count(
                "pk", filter=Q(qualification_type__in=APPRENTICESHIP_TYPES)
            ),
            Funding.EMPLOYER_SPONSORED: Count("pk", filter=Q(employer_sponsored=True)),
            Funding.NO_FEE: Count("pk", filter=Q(Exists(no_fee_runs))),
        }
    )
    return counts


# A varied catalogue --------------------------------------------------------------------------

INSTITUTES = [
    ("north", Region.NORTH_EAST, "54.77900", "-1.58000"),  # Durham
    ("tees", Region.NORTH_EAST, "54.57600", "-1.23500"),  # Middlesbrough, 20 miles away
    ("london", Region.LONDON, "51.50700", "-0.12700"),
    ("west", Region.WEST_MIDLANDS, "52.48600", "-1.89000"),
]
ROUTES = ["digital", "engineering", "construction"]
SECTORS = ["cyber-security", "net-zero", "robotics"]
QUALIFICATIONS = ["htq", "hnc", "hnd", "higher-apprenticeship", "degree-apprenticeship"]
WORDS = ["cyber", "robotics", "welding", "systems"]


@pytest.fixture
def catalogue(db):
    """About 80 courses of every kind, with 0 to 4 runs each: past and upcoming, every study mode
    and attendance, with and without a place and a fee."""
    rng = random.Random(17)
    start = today()
    institutes = [
        InstituteFactory(slug=slug, region=region, latitude=lat, longitude=lng)
        for slug, region, lat, lng in INSTITUTES
    ]
    routes = [RouteFactory(slug=slug, name=slug.title()) for slug in ROUTES]
    tags = [SectorTag.objects.create(slug=slug, name=slug.title()) for slug in SECTORS]
    for index in range(80):
        institute = rng.choice(institutes)
        words = rng.sample(WORDS, 2)
        course = CourseFactory(
            title=f"{words[0].title()} course {index}",
            summary=f"Learn {words[1]} with employers.",
            institute=institute,
            route=rng.choice(routes),
            level=rng.choice((4, 5, 6)),
            qualification_type=rng.choice(QUALIFICATIONS),
            student_finance=rng.random() < 0.5,
            employer_sponsored=rng.random() < 0.3,
            status=Course.Status.PUBLISHED if rng.random() < 0.9 else Course.Status.DRAFT,
        )
        course.sector_tags.set(rng.sample(tags, rng.choice((0, 1, 1, 2))))
        for _ in range(rng.choice((0, 1, 2, 2, 3, 4))):
            online = rng.random() < 0.2
            CourseRunFactory(
                course=course,
                start_date=start + timedelta(days=rng.choice((-30, 0, 20, 60, 150, 300))),
                study_mode=rng.choice(CourseRun.StudyMode.values),
                attendance=CourseRun.Attendance.ONLINE
                if online
                else rng.choice(CourseRun.Attendance.values),
                latitude=None if online else institute.latitude,
                longitude=None if online else institute.longitude,
                fee=rng.choice((None, Decimal(0), Decimal("0.00"), Decimal("6000.00"))),
            )


def subsets(values):
    return st.lists(st.sampled_from(values), unique=True, max_size=2).map(tuple)


SEARCHES = st.builds(
    CourseSearch,
    q=st.sampled_from(["", "", "cyber", "robotics systems"]),
    levels=subsets([4, 5, 6]),
    qualification_types=subsets(QUALIFICATIONS),
    routes=subsets(ROUTES),
    sectors=subsets(SECTORS),
    study_modes=subsets(CourseRun.StudyMode.values),
    attendances=subsets(CourseRun.Attendance.values),
    regions=subsets([Region.NORTH_EAST, Region.LONDON, Region.WEST_MIDLANDS]),
    institutes=subsets(["north", "tees", "london"]),
    funding=subsets([value for value, _ in Funding.choices]),
    start_from=st.one_of(st.none(), days_from_today(10)),
    start_to=st.one_of(st.none(), days_from_today(200)),
    point=st.sampled_from([None, DURHAM]),
    radius_miles=st.sampled_from([None, 5.0, 25.0]),
    apprenticeships_only=st.booleans(),
    today=st.builds(today),
)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(search=SEARCHES)
def test_facet_counts_equal_counting_each_facet_on_its_own(catalogue, search):
    assert facet_counts(search) == reference_counts(search)


@pytest.mark.parametrize(
    "search_args",
    [
        lambda: {},
        lambda: {"q": "cyber"},
        lambda: {"point": DURHAM, "radius_miles": 25},
        lambda: {
            "levels": (4, 5),
            "qualification_types": ("htq", "higher-apprenticeship"),
            "routes": ("digital",),
            "sectors": ("net-zero",),
            "study_modes": ("part-time",),
            "attendances": ("campus", "online"),
            "regions": (Region.NORTH_EAST,),
            "institutes": ("north", "tees"),
            "funding": (Funding.NO_FEE, Funding.STUDENT_FINANCE),
            "start_from": today(),
            "start_to": today() + timedelta(days=200),
            "point": DURHAM,
            "radius_miles": 25,
        },
        lambda: {"apprenticeships_only": True, "funding": (Funding.APPRENTICESHIP,)},
        # Keywords and several filters, no place or dates: the parts of the counts read the
        # courses the keywords find once (courses.search._loose_courses).
        lambda: {
            "q": "cyber",
            "levels": (4,),
            "routes": ("digital", "engineering"),
            "sectors": ("net-zero",),
            "study_modes": ("part-time",),
            "regions": (Region.NORTH_EAST,),
            "funding": (Funding.NO_FEE, Funding.EMPLOYER_SPONSORED),
        },
        lambda: {
            "q": "robotics systems",
            "qualification_types": ("htq",),
            "attendances": ("online",),
            "institutes": ("north", "london"),
        },
    ],
    ids=[
        "nothing",
        "keywords",
        "distance",
        "everything",
        "apprenticeships",
        "keywords and filters",
        "keywords and other filters",
    ],  # fmt: skip
)
def test_facet_counts_equal_the_reference_for_typical_searches(catalogue, search_args):
    search = CourseSearch(**search_args(), today=today())
    counts = facet_counts(search)
    assert counts == reference_counts(search)
    assert set(counts) == set(FACETS)


def test_unfiltered_counts_take_one_query(catalogue, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = facet_counts(CourseSearch(q="cyber", point=DURHAM, today=today()))
    assert sum(counts["levels"].values()) > 0


@pytest.mark.parametrize("point", [None, DURHAM], ids=["no place", "a place"])
def test_facets_with_selections_are_counted_in_the_same_one_query(
    catalogue, django_assert_num_queries, point
):
    search = CourseSearch(
        levels=(4,), study_modes=("full-time",), funding=("no-fee",), point=point, radius_miles=25
    )
    with django_assert_num_queries(1):
        counts = facet_counts(search)
    assert counts == reference_counts(search)


def test_funding_options_are_counted_even_when_nothing_matches(catalogue):
    counts = facet_counts(CourseSearch(q="nothing-matches-this", today=today()))
    assert counts["funding"] == {value: 0 for value, _ in Funding.choices}
    assert counts["levels"] == {}
