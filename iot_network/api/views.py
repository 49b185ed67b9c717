"""The endpoints. Lists filter with the web pages' own FilterSets and read rules (the course search
itself, Event.objects.visible(), Opportunity.objects.live()), and page with cursors."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from ninja import Query, Schema, Status
from pydantic import Field

from courses.filters import DEFAULT_RADIUS, CourseFilter
from courses.models import Course, CourseRun
from courses.search import search_courses
from events.filters import EventFilter
from events.models import Event, Session
from institutes.filters import InstituteFilter
from institutes.models import Institute, Region, Route
from partners.models import Opportunity, Organisation

from . import presenters, schemas
from .api import api
from .cursors import page
from .params import Slug, Text, choice_type, parameters

LIMIT = Query(20, ge=1, le=100, description="Results per page, 1 to 100.")
CURSOR = Query(None, max_length=2000, description="The cursor from the previous page's `next`.")
ERRORS = {400: schemas.Problem, 429: schemas.Problem}
NOT_FOUND = {404: schemas.Problem, 429: schemas.Problem}

CourseParams = parameters(
    CourseFilter,
    "CourseParams",
    notes={
        "lat": "Latitude of a place to search from, with lng (instead of a postcode).",
        "lng": "Longitude of a place to search from, with lat.",
        "radius": "Distance from the postcode or place, in miles (25 unless given).",
    },
    apprenticeships=(
        bool,
        Field(False, description="Only apprenticeships, as /apprenticeships/ shows."),
    ),
)
EventParams = parameters(EventFilter, "EventParams")
InstituteParams = parameters(InstituteFilter, "InstituteParams")


def _listing(request, rows_and_cursor, present) -> dict:
    rows, cursor = rows_and_cursor
    links = presenters.Links(request)
    following = None
    if cursor:
        query = request.GET.copy()
        query["cursor"] = cursor
        following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"results": [present(row, links) for row in rows], "next": following}


def refused(form) -> Status:
    """A 400 naming each parameter the web page's form refused, in its words."""
    errors = {
        field: [str(message) for message in messages] for field, messages in form.errors.items()
    }
    return Status(400, {"detail": "Some parameters were not understood.", "errors": errors})


# Courses -----------------------------------------------------------------------------------


def course_rows(courses: QuerySet) -> QuerySet:
    """What presenters.course reads, in a fixed number of queries however long the page."""
    return courses.select_related("institute", "route").prefetch_related(
        "sector_tags",
        Prefetch(
            "runs",
            queryset=CourseRun.objects.upcoming().order_by("start_date", "pk"),
            to_attr="upcoming_runs",
        ),
        Prefetch(
            "partner_employers",
            queryset=Organisation.objects.in_directory().only("name", "slug"),
            to_attr="listed_partners",
        ),
    )


@api.get(
    "/courses",
    response={200: schemas.CoursePage, **ERRORS},
    url_name="courses",
    tags=["courses"],
    summary="Search published courses",
)
def list_courses(
    request,
    filters: Query[CourseParams],
    cursor: str = CURSOR,
    limit: int = LIMIT,
):
    """The course search of /courses/: the same parameters, the same matches and the same order
    (best match with keywords, nearest with a place, otherwise soonest start). `next_start` and
    `distance_miles` come from the runs that match the search; `runs` lists every upcoming run."""
    data = request.GET.copy()
    data.setdefault("radius", str(DEFAULT_RADIUS))
    course_filter = CourseFilter(data, apprenticeships_only=filters.apprenticeships)
    if not course_filter.is_valid():
        return refused(course_filter.form)
    courses = course_rows(search_courses(course_filter.search))
    return _listing(request, page(courses, cursor=cursor, limit=limit), presenters.course)


@api.get(
    "/courses/{int:pk}",
    response={200: schemas.Course, **NOT_FOUND},
    url_name="course",
    tags=["courses"],
    summary="One published course",
)
def get_course(request, pk: int):
    course = get_object_or_404(course_rows(Course.objects.published()), pk=pk)
    return presenters.course(course, presenters.Links(request))


# Events ------------------------------------------------------------------------------------


def event_rows(events: QuerySet) -> QuerySet:
    return (
        events.select_related("institute")
        .with_places_taken()
        .prefetch_related(
            "routes", Prefetch("sessions", queryset=Session.objects.order_by("starts_at", "pk"))
        )
    )


@api.get(
    "/events",
    response={200: schemas.EventPage, **ERRORS},
    url_name="events",
    tags=["events"],
    summary="Upcoming events",
)
def list_events(request, filters: Query[EventParams], cursor: str = CURSOR, limit: int = LIMIT):
    """The events of /events/, with the same filters: published events that have not ended,
    soonest first, and cancelled ones (with `status` "cancelled") so people learn of it."""
    event_filter = EventFilter(request.GET, queryset=event_rows(Event.objects.visible().upcoming()))
    if not event_filter.is_valid():
        return refused(event_filter.form)
    events = event_filter.qs.order_by("starts_at", "pk")
    return _listing(request, page(events, cursor=cursor, limit=limit), presenters.event)


@api.get(
    "/events/{int:pk}",
    response={200: schemas.Event, **NOT_FOUND},
    url_name="event",
    tags=["events"],
    summary="One event, past or upcoming",
)
def get_event(request, pk: int):
    event = get_object_or_404(event_rows(Event.objects.visible()), pk=pk)
    return presenters.event(event, presenters.Links(request))


# Institutes and routes ---------------------------------------------------------------------


@api.get(
    "/institutes",
    response={200: schemas.InstitutePage, **ERRORS},
    url_name="institutes",
    tags=["institutes"],
    summary="The Institutes of Technology",
)
def list_institutes(
    request, filters: Query[InstituteParams], cursor: str = CURSOR, limit: int = LIMIT
):
    institute_filter = InstituteFilter(request.GET, queryset=Institute.objects.all())
    if not institute_filter.is_valid():
        return refused(institute_filter.form)
    institutes = institute_filter.qs.order_by("name", "pk")
    return _listing(request, page(institutes, cursor=cursor, limit=limit), presenters.institute)


@api.get(
    "/institutes/{int:pk}",
    response={200: schemas.Institute, **NOT_FOUND},
    url_name="institute",
    tags=["institutes"],
    summary="One Institute of Technology",
)
def get_institute(request, pk: int):
    institute = get_object_or_404(Institute, pk=pk)
    return presenters.institute(institute, presenters.Links(request))


@api.get(
    "/routes",
    response={200: schemas.RoutePage, **ERRORS},
    url_name="routes",
    tags=["routes"],
    summary="The occupational routes (subject areas)",
)
def list_routes(request, cursor: str = CURSOR, limit: int = LIMIT):
    routes = Route.objects.order_by("name", "pk")
    return _listing(request, page(routes, cursor=cursor, limit=limit), presenters.route)


@api.get(
    "/routes/{int:pk}",
    response={200: schemas.Route, **NOT_FOUND},
    url_name="route",
    tags=["routes"],
    summary="One occupational route",
)
def get_route(request, pk: int):
    route = get_object_or_404(Route, pk=pk)
    return presenters.route(route, presenters.Links(request))


# Opportunities -----------------------------------------------------------------------------
OpportunityKind = choice_type("kind", Opportunity.Kind.choices)
RegionChoice = choice_type("region", Region.choices)


class OpportunityParams(Schema):
    """The apprenticeship page's vacancy matching (OpportunityQuerySet.matching), and the kind."""

    kind: OpportunityKind = Field(None, description="Kind of opportunity.")
    q: Text = Field(None, max_length=200, description="Keywords, as in the course search.")
    route: list[Slug] = Field(None, description="Subject area slug; repeat for several.")
    region: list[RegionChoice] = Field(None, description="Region; repeat for several.")
    institute: list[Slug] = Field(None, description="Institute slug; repeat for several.")


def opportunity_rows(opportunities: QuerySet) -> QuerySet:
    return opportunities.select_related("organisation", "institute", "course")


@api.get(
    "/opportunities",
    response={200: schemas.OpportunityPage, **ERRORS},
    url_name="opportunities",
    tags=["opportunities"],
    summary="Live opportunities from partner employers",
)
def list_opportunities(
    request, filters: Query[OpportunityParams], cursor: str = CURSOR, limit: int = LIMIT
):
    """Vacancies, placements, talks and project briefs that staff approved and that are still
    open, matched as the apprenticeship search matches vacancies, soonest closing first."""
    opportunities = Opportunity.objects.live().matching(
        q=filters.q or "",
        routes=filters.route or (),
        regions=filters.region or (),
        institutes=filters.institute or (),
    )
    if filters.kind:
        opportunities = opportunities.filter(kind=filters.kind)
    opportunities = opportunity_rows(opportunities).order_by("closing_date", "pk")
    return _listing(
        request, page(opportunities, cursor=cursor, limit=limit), presenters.opportunity
    )


@api.get(
    "/opportunities/{int:pk}",
    response={200: schemas.Opportunity, **NOT_FOUND},
    url_name="opportunity",
    tags=["opportunities"],
    summary="One live opportunity",
)
def get_opportunity(request, pk: int):
    opportunity = get_object_or_404(opportunity_rows(Opportunity.objects.live()), pk=pk)
    return presenters.opportunity(opportunity, presenters.Links(request))
