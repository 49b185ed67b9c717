"""Model rows as the API's data. Each function names the public fields it passes on, one by one:
nothing reaches a client because a query happened to load it (and the response models in
schemas.py drop anything not declared there too)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode

from courses.choices import APPRENTICESHIP_TYPES
from courses.models import Course, CourseRun
from events.models import Event, Session
from institutes.models import Institute, Route
from partners.models import Opportunity, Organisation


class Links:
    """Absolute addresses for one request's host and scheme."""

    def __init__(self, request):
        self.build = request.build_absolute_uri

    def api(self, name: str, pk: int) -> str:
        return self.build(reverse(f"api:{name}", kwargs={"pk": pk}))

    def web(self, path: str) -> str:
        return self.build(path)


def _float(value) -> float | None:
    return None if value is None else float(value)


def route_ref(route: Route, links: Links) -> dict:
    return {
        "id": route.pk,
        "slug": route.slug,
        "name": route.name,
        "url": links.api("route", route.pk),
    }


def route(route: Route, links: Links) -> dict:
    return route_ref(route, links) | {
        "web_url": links.web(reverse("courses:list") + "?" + urlencode({"route": route.slug}))
    }


def institute_ref(institute: Institute, links: Links) -> dict:
    return {
        "id": institute.pk,
        "slug": institute.slug,
        "name": institute.name,
        "url": links.api("institute", institute.pk),
        "web_url": links.web(institute.get_absolute_url()),
    }


def institute(institute: Institute, links: Links) -> dict:
    return institute_ref(institute, links) | {
        "lead_institution": institute.lead_institution,
        "region": institute.region,
        "region_name": institute.get_region_display(),
        "wave": institute.wave,
        "town": institute.town,
        "latitude": float(institute.latitude),
        "longitude": float(institute.longitude),
        "website": institute.website,
        "summary": institute.summary,
    }


def partner_ref(organisation: Organisation, links: Links) -> dict:
    return {
        "slug": organisation.slug,
        "name": organisation.name,
        "web_url": links.web(organisation.get_absolute_url()),
    }


def course_run(run: CourseRun) -> dict:
    return {
        "id": run.pk,
        "start_date": run.start_date,
        "duration_months": run.duration_months,
        "study_mode": run.study_mode,
        "attendance": run.attendance,
        "venue_name": run.venue_name,
        "venue_postcode": run.venue_postcode,
        "latitude": _float(run.latitude),
        "longitude": _float(run.longitude),
        "fee": _float(run.fee),
        "application_deadline": run.application_deadline,
        "places": run.places,
        "how_to_apply": run.how_to_apply,
        "apply_url": run.apply_url,
    }


def course(course: Course, links: Links) -> dict:
    """A published course; expects the prefetches in views.course_rows."""
    distance = getattr(course, "distance", None)
    return {
        "id": course.pk,
        "slug": course.slug,
        "url": links.api("course", course.pk),
        "web_url": links.web(course.get_absolute_url()),
        "title": course.title,
        "summary": course.summary,
        "description": course.description,
        "what_you_learn": course.what_you_learn,
        "entry_requirements": course.entry_requirements,
        "assessment": course.assessment,
        "careers": course.career_list,
        "progression": course.progression,
        "level": course.level,
        "level_name": course.get_level_display(),
        "qualification_type": course.qualification_type,
        "qualification_type_name": course.get_qualification_type_display(),
        "route": route_ref(course.route, links),
        "sectors": [{"slug": tag.slug, "name": tag.name} for tag in course.sector_tags.all()],
        "institute": institute_ref(course.institute, links),
        "provider_name": course.provider_name,
        "identifiers": {
            "provider_ukprn": course.provider_ukprn,
            "standard_reference": course.standard_reference,
            "lars_code": course.lars_code,
            "qan": course.qan,
        },
        "funding": {
            "student_finance": course.student_finance,
            "apprenticeship": course.qualification_type in APPRENTICESHIP_TYPES,
            "employer_sponsored": course.employer_sponsored,
            "htq_approved": course.htq_approved,
        },
        "partner_employers": [partner_ref(org, links) for org in course.listed_partners],
        "runs": [course_run(run) for run in course.upcoming_runs],
        "next_start": getattr(course, "next_start", None),
        "distance_miles": None if distance is None else round(distance, 2),
        "published_at": course.published_at,
        "updated_at": course.updated_at,
    }


def session(session: Session) -> dict:
    return {
        "id": session.pk,
        "title": session.title,
        "kind": session.kind,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "room": session.room,
        "description": session.description,
    }


def event(event: Event, links: Links) -> dict:
    """A published or cancelled event; expects the prefetches in views.event_rows. Never the
    joining details (sent only to people with a place), registrations or speakers."""
    return {
        "id": event.pk,
        "slug": event.slug,
        "url": links.api("event", event.pk),
        "web_url": links.web(event.get_absolute_url()),
        "calendar_url": links.web(reverse("events:ics", kwargs={"slug": event.slug})),
        "title": event.title,
        "event_type": event.event_type,
        "event_type_name": event.get_event_type_display(),
        "audience": event.audience,
        "status": event.status,
        "cancellation_reason": event.cancellation_reason if event.is_cancelled else "",
        "summary": event.summary,
        "description_html": event.description,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "is_online": event.is_online,
        "venue_name": event.venue_name,
        "venue_address": event.venue_address,
        "venue_postcode": event.venue_postcode,
        "latitude": _float(event.latitude),
        "longitude": _float(event.longitude),
        "accessibility_info": event.accessibility_info,
        "capacity": event.capacity,
        "places_left": event.places_left(event.places_taken),
        "registration_state": event.registration_state().value,
        "registration_opens_at": event.registration_opens_at,
        "registration_closes_at": event.registration_closes_at,
        "organiser": event.organiser_name,
        "institute": institute_ref(event.institute, links) if event.institute_id else None,
        "routes": [route_ref(route, links) for route in event.routes.all()],
        "sessions": [session(item) for item in event.sessions.all()],
        "updated_at": event.updated_at,
    }


def opportunity(opportunity: Opportunity, links: Links) -> dict:
    """A live opportunity; the employer only when it chose to be listed in the directory, and
    the course only while it is published."""
    employer = opportunity.organisation
    course = opportunity.course
    return {
        "id": opportunity.pk,
        "url": links.api("opportunity", opportunity.pk),
        "web_url": links.web(opportunity.get_absolute_url()),
        "kind": opportunity.kind,
        "kind_name": opportunity.get_kind_display(),
        "title": opportunity.title,
        "description": opportunity.description,
        "employer": partner_ref(employer, links) if employer.listed_in_directory else None,
        "institute": institute_ref(opportunity.institute, links),
        "course": (
            {"id": course.pk, "title": course.title, "url": links.api("course", course.pk)}
            if course is not None and course.status == Course.Status.PUBLISHED
            else None
        ),
        "standard_reference": opportunity.standard_reference,
        "location": opportunity.location,
        "postcode": opportunity.postcode,
        "wage_amount": _float(opportunity.wage_amount),
        "wage_unit": opportunity.wage_unit,
        "hours_per_week": _float(opportunity.hours_per_week),
        "positions": opportunity.positions,
        "closing_date": opportunity.closing_date,
        "start_date": opportunity.start_date,
        "how_to_apply": opportunity.how_to_apply,
        "apply_url": opportunity.apply_url,
        "updated_at": opportunity.updated_at,
    }
