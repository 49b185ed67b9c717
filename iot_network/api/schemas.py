"""What the open data API returns. Every response passes through these models, so a field that is
not declared here cannot reach a client, whatever a query happened to load."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema
from pydantic import Field


class Problem(Schema):
    detail: str = Field(description="What was wrong, in words.")
    errors: dict[str, list[str]] = Field(
        default_factory=dict, description="For a bad query: each parameter and what was wrong."
    )


class Named(Schema):
    slug: str
    name: str


class RouteRef(Schema):
    id: int
    slug: str
    name: str
    url: str = Field(description="This route in the API.")


class InstituteRef(Schema):
    id: int
    slug: str
    name: str
    url: str = Field(description="This institute in the API.")
    web_url: str = Field(description="This institute's page on the portal.")


class PartnerRef(Named):
    web_url: str = Field(description="The partner's page in the portal's directory.")


# Routes and institutes ------------------------------------------------------------------------


class Route(RouteRef):
    web_url: str = Field(description="The portal's course search for this route.")


class Institute(InstituteRef):
    lead_institution: str
    region: str
    region_name: str
    wave: int
    town: str
    latitude: float
    longitude: float
    website: str
    summary: str


# Courses -----------------------------------------------------------------------------------


class Identifiers(Schema):
    provider_ukprn: str = Field(description="UK Provider Reference Number of the provider.")
    standard_reference: str = Field(description="Occupational standard, like ST0787.")
    lars_code: str = Field(description="Learning Aim Reference Service code.")
    qan: str = Field(description="Ofqual Qualification Accreditation Number.")


class Funding(Schema):
    student_finance: bool = Field(description="Eligible for student finance.")
    apprenticeship: bool = Field(description="An apprenticeship: a paid job, no tuition fee.")
    employer_sponsored: bool = Field(description="An employer can pay or offer a sponsored place.")
    htq_approved: bool = Field(description="Approved as a Higher Technical Qualification.")


class CourseRun(Schema):
    id: int
    start_date: date
    duration_months: int
    study_mode: str
    attendance: str
    venue_name: str
    venue_postcode: str
    latitude: float | None
    longitude: float | None
    fee: float | None = Field(description="The whole course fee in pounds; 0 for no fee.")
    application_deadline: date | None
    places: int | None
    how_to_apply: str
    apply_url: str


class Course(Schema):
    id: int = Field(description="Stable: it never changes or moves to another course.")
    slug: str
    url: str = Field(description="This course in the API.")
    web_url: str = Field(description="This course's page on the portal.")
    title: str
    summary: str
    description: str
    what_you_learn: str
    entry_requirements: str
    assessment: str
    careers: list[str]
    progression: str
    level: int
    level_name: str
    qualification_type: str
    qualification_type_name: str
    route: RouteRef
    sectors: list[Named]
    institute: InstituteRef
    provider_name: str = Field(description="The college or university that teaches it.")
    identifiers: Identifiers
    funding: Funding
    partner_employers: list[PartnerRef] = Field(
        description="Employers who work on the course and are listed in the partner directory."
    )
    runs: list[CourseRun] = Field(description="Upcoming start dates, soonest first.")
    next_start: date | None = Field(
        None, description="In a search: the soonest start among the runs that match it."
    )
    distance_miles: float | None = Field(
        None, description="In a search from a place: miles to the nearest matching venue."
    )
    published_at: datetime | None
    updated_at: datetime


# Events ------------------------------------------------------------------------------------


class EventSession(Schema):
    id: int
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    room: str
    description: str


class Event(Schema):
    id: int = Field(description="Stable: it never changes or moves to another event.")
    slug: str
    url: str = Field(description="This event in the API.")
    web_url: str = Field(description="This event's page on the portal.")
    calendar_url: str = Field(description="The event as an iCalendar file.")
    title: str
    event_type: str
    event_type_name: str
    audience: str
    status: str = Field(description="published, or cancelled (kept so people learn of it).")
    cancellation_reason: str
    summary: str
    description_html: str = Field(description="Simple HTML: paragraphs, lists, links, emphasis.")
    starts_at: datetime
    ends_at: datetime
    is_online: bool
    venue_name: str
    venue_address: str
    venue_postcode: str
    latitude: float | None
    longitude: float | None
    accessibility_info: str
    capacity: int | None = Field(description="Places in all; null for no limit.")
    places_left: int | None = Field(description="null for no limit.")
    registration_state: str = Field(description="open, not-yet, closed or none.")
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    organiser: str
    institute: InstituteRef | None = Field(description="null when the national network runs it.")
    routes: list[RouteRef]
    sessions: list[EventSession]
    updated_at: datetime


# Opportunities -----------------------------------------------------------------------------


class CourseRef(Schema):
    id: int
    title: str
    url: str


class Opportunity(Schema):
    id: int = Field(description="Stable: it never changes or moves to another opportunity.")
    url: str = Field(description="This opportunity in the API.")
    web_url: str = Field(description="This opportunity's page on the portal.")
    kind: str
    kind_name: str
    title: str
    description: str
    employer: PartnerRef | None = Field(
        description="The partner offering it; null unless it is listed in the partner directory."
    )
    institute: InstituteRef
    course: CourseRef | None = Field(description="The course an apprentice will study, if known.")
    standard_reference: str
    location: str
    postcode: str
    wage_amount: float | None
    wage_unit: str
    hours_per_week: float | None
    positions: int
    closing_date: date
    start_date: date | None
    how_to_apply: str
    apply_url: str
    updated_at: datetime


# Pages -------------------------------------------------------------------------------------


class Page(Schema):
    next: str | None = Field(
        description="The next page's address, with its cursor; null on the last page."
    )


class CoursePage(Page):
    results: list[Course]


class EventPage(Page):
    results: list[Event]


class InstitutePage(Page):
    results: list[Institute]


class RoutePage(Page):
    results: list[Route]


class OpportunityPage(Page):
    results: list[Opportunity]
