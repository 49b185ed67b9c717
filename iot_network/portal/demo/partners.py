"""Demo partner organisations, their vacancies and engagements, from data/partners.toml."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.text import slugify

from institutes.models import Institute, Route
from partners.models import Engagement, Interest, Opportunity, Organisation

from .content import read


def load_partners(institutes: list[Institute], routes: dict[str, Route], today: date) -> int:
    data = read("partners.toml")
    interests = list(Interest.objects.order_by("order"))
    for index, spec in enumerate(data["organisation"]):
        sector = routes[spec["sector"]]
        organisation, _ = Organisation.objects.update_or_create(
            slug=slugify(spec["name"]),
            defaults={
                "name": spec["name"],
                "org_type": Organisation.Type(spec["org_type"]),
                "sector": sector,
                "summary": data["summary"].format(name=spec["name"], sector=sector.name.lower()),
                "status": Organisation.Status(spec["status"]),
                "listed_in_directory": spec["listed_in_directory"],
            },
        )
        organisation.institutes.set(
            [institutes[index % len(institutes)], institutes[(index * 7 + 3) % len(institutes)]]
        )
        organisation.interests.set(interests[index % 3 : index % 3 + 3])
        if organisation.is_approved:
            Organisation.objects.filter(pk=organisation.pk).update(
                companies_house_number=f"{9000000 + index:08d}",
                review_date=today + timedelta(days=20 + 30 * index),
            )
    return len(data["organisation"])


def load_partner_activity(today: date) -> int:
    """Live vacancies and an engagement record for the approved demo partners."""
    data = read("partners.toml")
    vacancy, listings, engagement = data["vacancy"], data["vacancy"]["listing"], data["engagement"]
    approved = list(Organisation.objects.approved().order_by("name").prefetch_related("institutes"))
    for index, organisation in enumerate(approved):
        institute = organisation.institutes.order_by("name").first()
        listing = listings[index % len(listings)]
        Opportunity.objects.update_or_create(
            organisation=organisation,
            title=listing["title"],
            defaults={
                "institute": institute,
                "kind": Opportunity.Kind(vacancy["kind"]),
                "description": vacancy["description"].format(
                    name=organisation.name, institute=institute
                ),
                "location": institute.town,
                "wage_amount": listing["wage_amount"],
                "wage_unit": Opportunity.WageUnit(listing["wage_unit"]),
                "hours_per_week": vacancy["hours_per_week"],
                "closing_date": today + timedelta(days=21 + 7 * index),
                "how_to_apply": vacancy["how_to_apply"],
                "status": Opportunity.Status(vacancy["status"]),
            },
        )
        Engagement.objects.update_or_create(
            organisation=organisation,
            kind=Engagement.Kind(engagement["kind"]),
            defaults={
                "institute": institute,
                "occurred_on": today - timedelta(days=30 + index),
                "quantity": 1 + index % 4,
                "notes": engagement["notes"],
            },
        )
    return len(approved)
