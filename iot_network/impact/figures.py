"""The impact figures, added up in a fixed number of grouped queries per period whatever the
volume: each query groups by IoT, so one pass gives every IoT's figures and the network's.

``collect`` returns, per scope ("network", or an IoT's id as text), the headline numbers and
the tables (category → count) for each period; charts, tables and CSV downloads all read it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from courses.models import Course, Enquiry, Level
from events.models import Event, Feedback, Registration
from institutes.models import Institute, Route
from partners.models import Engagement, Opportunity, Organisation

from .periods import Period

NETWORK = "network"


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    category_title: str
    value_title: str
    description: str


TABLES = [
    Table(
        "partners_by_type",
        "Active partners by type",
        "Type of organisation",
        "Partners",
        "Approved partner organisations by the end of the year, not past their review date "
        "before it began.",
    ),
    Table(
        "partners_by_sector",
        "Active partners by sector",
        "Sector",
        "Partners",
        "The same partners, by the occupational route of their sector.",
    ),
    Table(
        "opportunities_by_kind",
        "Opportunities posted by kind",
        "Kind of opportunity",
        "Opportunities",
        "Opportunities partners posted in the year that staff approved (open or since closed).",
    ),
    Table(
        "engagement_by_kind",
        "Engagement activities by kind",
        "Kind of activity",
        "Activities",
        "What partners did with the Institutes of Technology, as recorded by staff.",
    ),
    Table(
        "events_by_type",
        "Events held by type",
        "Type of event",
        "Events",
        "Published events that took place in the year (not cancelled).",
    ),
    Table(
        "courses_by_level",
        "Courses by level",
        "Level",
        "Courses",
        "Courses published by the end of the year.",
    ),
    Table(
        "courses_by_route",
        "Courses by route",
        "Occupational route",
        "Courses",
        "The same courses, by occupational route.",
    ),
]
TABLE_NAMES = [table.name for table in TABLES]

HEADLINES = [
    ("partners", "Active partners"),
    ("opportunities", "Opportunities posted"),
    ("engagements", "Engagement activities"),
    ("events_held", "Events held"),
    ("places_booked", "Places booked at those events"),
    ("attended", "People attending"),
    ("feedback_average", "Average feedback (out of 5)"),
    ("feedback_responses", "Feedback responses"),
    ("courses", "Courses published"),
    ("enquiries", "Learners' enquiries"),
]


def _scope_key(institute_id) -> str:
    return NETWORK if institute_id is None else str(institute_id)


class _Collector:
    """Figures for every scope and period as they are counted."""

    def __init__(self, periods: list[Period], institute_ids: list[int]):
        self.periods = periods
        self.scopes = [NETWORK, *(str(i) for i in institute_ids)]
        self.tables: dict = {
            s: {t: {p.key: Counter() for p in periods} for t in TABLE_NAMES} for s in self.scopes
        }
        self.headline: dict = {s: {p.key: Counter() for p in periods} for s in self.scopes}
        self.categories: dict[str, list[list[str]]] = {}

    def add(
        self, table: str, period: Period, rows, *, institute_field: str, key: str, network=True
    ):
        """Rows grouped by IoT and category; with ``network`` they add up to the network's too."""
        for row in rows:
            scope = str(row[institute_field]) if row[institute_field] is not None else None
            category = str(row[key])
            if scope in self.tables:
                self.tables[scope][table][period.key][category] += row["n"]
            if network:
                self.tables[NETWORK][table][period.key][category] += row["n"]

    def add_network(self, table: str, period: Period, rows, *, key: str):
        for row in rows:
            self.tables[NETWORK][table][period.key][str(row[key])] += row["n"]

    def headline_add(self, name: str, period: Period, rows, *, institute_field: str, field="n"):
        for row in rows:
            scope = str(row[institute_field]) if row[institute_field] is not None else None
            if scope in self.headline:
                self.headline[scope][period.key][name] += row[field] or 0
            self.headline[NETWORK][period.key][name] += row[field] or 0


def active_partners(period: Period):
    approved_by = Coalesce("decided_at", "created_at")
    return (
        Organisation.objects.approved()
        .alias(approved_on=approved_by)
        .filter(approved_on__lt=period.ends_before)
        .exclude(review_date__lt=period.start)
    )


def held_events(period: Period, now=None):
    now = now or timezone.now()
    return Event.objects.going_ahead().filter(
        starts_at__gte=period.starts_at, starts_at__lt=min(period.ends_before, now)
    )


def posted_opportunities(period: Period):
    return Opportunity.objects.filter(
        status__in=[Opportunity.Status.APPROVED, Opportunity.Status.CLOSED],
        created_at__gte=period.starts_at,
        created_at__lt=period.ends_before,
    )


def published_courses(period: Period):
    return (
        Course.objects.published()
        .alias(published_on=Coalesce("published_at", "created_at"))
        .filter(published_on__lt=period.ends_before)
    )


def engagements_in(period: Period):
    return Engagement.objects.filter(occurred_on__gte=period.start, occurred_on__lte=period.end)


def enquiries_in(period: Period):
    return Enquiry.objects.filter(
        created_at__gte=period.starts_at, created_at__lt=period.ends_before
    )


def collect(periods: list[Period], *, institute_ids: list[int] | None = None, now=None) -> dict:
    """Every scope's figures for ``periods``: ``{scope: {"headline": ..., "tables": ...}}``."""
    if institute_ids is None:
        institute_ids = list(Institute.objects.values_list("pk", flat=True))
    c = _Collector(periods, institute_ids)
    through = Organisation.institutes.through
    for period in periods:
        partners = active_partners(period)
        c.add_network(
            "partners_by_type",
            period,
            partners.values("org_type").annotate(n=Count("pk")),
            key="org_type",
        )
        c.add_network(
            "partners_by_sector",
            period,
            partners.values("sector_id").annotate(n=Count("pk")),
            key="sector_id",
        )
        links = through.objects.filter(organisation__in=partners.values("pk"))
        c.add(
            "partners_by_type",
            period,
            links.values("institute_id", "organisation__org_type").annotate(n=Count("pk")),
            institute_field="institute_id",
            key="organisation__org_type",
            network=False,
        )
        c.add(
            "partners_by_sector",
            period,
            links.values("institute_id", "organisation__sector_id").annotate(n=Count("pk")),
            institute_field="institute_id",
            key="organisation__sector_id",
            network=False,
        )
        c.add(
            "opportunities_by_kind",
            period,
            posted_opportunities(period).values("institute_id", "kind").annotate(n=Count("pk")),
            institute_field="institute_id",
            key="kind",
        )
        c.add(
            "engagement_by_kind",
            period,
            engagements_in(period).values("institute_id", "kind").annotate(n=Count("pk")),
            institute_field="institute_id",
            key="kind",
        )
        events = held_events(period, now)
        c.add(
            "events_by_type",
            period,
            events.values("institute_id", "event_type").annotate(n=Count("pk")),
            institute_field="institute_id",
            key="event_type",
        )
        courses = published_courses(period)
        c.add(
            "courses_by_level",
            period,
            courses.values("institute_id", "level").annotate(n=Count("pk")),
            institute_field="institute_id",
            key="level",
        )
        c.add(
            "courses_by_route",
            period,
            courses.values("institute_id", "route_id").annotate(n=Count("pk")),
            institute_field="institute_id",
            key="route_id",
        )
        bookings = list(
            Registration.objects.filter(event__in=events.values("pk"))
            .values("event__institute_id")
            .annotate(
                n=Count("pk", filter=Q(status__in=Registration.HOLDING_A_PLACE)),
                attended=Count("pk", filter=Q(status=Registration.Status.ATTENDED)),
            )
        )
        c.headline_add("places_booked", period, bookings, institute_field="event__institute_id")
        c.headline_add(
            "attended", period, bookings, institute_field="event__institute_id", field="attended"
        )
        feedback = (
            Feedback.objects.filter(registration__event__in=events.values("pk"))
            .values("registration__event__institute_id")
            .annotate(n=Count("pk"), rating_sum=Sum("rating"))
        )
        c.headline_add(
            "feedback_responses",
            period,
            feedback,
            institute_field="registration__event__institute_id",
        )
        c.headline_add(
            "feedback_rating_sum",
            period,
            feedback,
            institute_field="registration__event__institute_id",
            field="rating_sum",
        )
        c.headline_add(
            "enquiries",
            period,
            enquiries_in(period).values("course__institute_id").annotate(n=Count("pk")),
            institute_field="course__institute_id",
        )
    return _finish(c)


def _finish(c: _Collector) -> dict:
    routes = dict(Route.objects.values_list("pk", "name"))
    labels = {
        "partners_by_type": dict(Organisation.Type.choices),
        "partners_by_sector": {str(k): v for k, v in routes.items()},
        "opportunities_by_kind": dict(Opportunity.Kind.choices),
        "engagement_by_kind": dict(Engagement.Kind.choices),
        "events_by_type": dict(Event.Type.choices),
        "courses_by_level": {str(k): v for k, v in Level.choices},
        "courses_by_route": {str(k): v for k, v in routes.items()},
    }
    result = {}
    for scope in c.scopes:
        tables = {}
        for name in TABLE_NAMES:
            values = c.tables[scope][name]
            # Fixed choices keep their order; routes are listed when any period has some.
            keys = [
                k
                for k in labels[name]
                if name not in ("partners_by_sector", "courses_by_route")
                or any(values[p.key][k] for p in c.periods)
            ]
            tables[name] = {
                "categories": [[k, labels[name][k]] for k in keys],
                "values": {p.key: {k: values[p.key][k] for k in keys} for p in c.periods},
            }
        headline = {}
        for period in c.periods:
            counts = c.headline[scope][period.key]
            t = tables
            responses = counts["feedback_responses"]
            headline[period.key] = {
                "partners": sum(t["partners_by_type"]["values"][period.key].values()),
                "opportunities": sum(t["opportunities_by_kind"]["values"][period.key].values()),
                "engagements": sum(t["engagement_by_kind"]["values"][period.key].values()),
                "events_held": sum(t["events_by_type"]["values"][period.key].values()),
                "places_booked": counts["places_booked"],
                "attended": counts["attended"],
                "feedback_average": round(counts["feedback_rating_sum"] / responses, 1)
                if responses
                else None,
                "feedback_responses": responses,
                "courses": sum(t["courses_by_level"]["values"][period.key].values()),
                "enquiries": counts["enquiries"],
            }
        result[scope] = {"headline": headline, "tables": tables}
    return result
