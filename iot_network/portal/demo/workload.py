"""Work waiting for the demo IoT staff, from data/partners.toml and data/people.toml."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils.text import slugify

from courses.models import Course, Enquiry
from events.models import Event, Registration
from institutes.models import Institute, Route
from partners.models import Interest, Opportunity, Organisation

from .content import fill, read


def load_staff_workload(
    institutes: list[Institute],
    *,
    routes: dict[str, Route],
    partner: Organisation,
    now: datetime,
    people: dict[str, Any],
) -> int:
    """Something waiting on each demo staff member's dashboard: a partner application, a
    vacancy to approve, unanswered enquiries and twelve weeks of event registrations."""
    data = read("partners.toml")
    applicant_spec, placement = data["applicant"], data["placement"]
    visitor = people["visitor"]
    interests = list(Interest.objects.order_by("order")[:2])
    for institute in institutes:
        fields = fill(applicant_spec, institute=institute)
        applicant, _ = Organisation.objects.update_or_create(
            slug=slugify(fields["name"]),
            defaults=fields
            | {
                "org_type": Organisation.Type(fields["org_type"]),
                "sector": routes[fields["sector"]],
                "size": Organisation.Size(fields["size"]),
                "status": Organisation.Status(fields["status"]),
            },
        )
        applicant.institutes.set([institute])
        applicant.interests.set(interests)
        partner.institutes.add(institute)
        Opportunity.objects.update_or_create(
            organisation=partner,
            title=placement["title"].format(institute=institute),
            defaults={
                "institute": institute,
                "kind": Opportunity.Kind(placement["kind"]),
                "description": placement["description"],
                "location": institute.town,
                "closing_date": now.date() + timedelta(days=placement["days_to_close"]),
                "how_to_apply": placement["how_to_apply"],
                "status": Opportunity.Status(placement["status"]),
            },
        )
        course = Course.objects.filter(institute=institute).order_by("title").first()
        for enquiry in people["enquiry"]:
            Enquiry.objects.get_or_create(
                course=course,
                email=enquiry["email"],
                defaults={
                    "name": enquiry["name"],
                    "message": enquiry["message"],
                    "consent_to_contact": True,
                },
            )
        event = Event.objects.filter(institute=institute).order_by("starts_at").first()
        for week in range(visitor["weeks"]):
            for k in range(1 + (week * 5) % 4):
                registration, created = Registration.objects.get_or_create(
                    event=event,
                    email=visitor["email"].format(week=week, k=k),
                    defaults={
                        "name": visitor["name"].format(week=week, k=k),
                        "status": Registration.Status.CONFIRMED,
                    },
                )
                if created:  # spread over the weeks, as real sign-ups would be
                    when = now - timedelta(weeks=visitor["weeks"] - 1 - week, days=k)
                    Registration.objects.filter(pk=registration.pk).update(created_at=when)
    return len(institutes)  # one applicant organisation each
