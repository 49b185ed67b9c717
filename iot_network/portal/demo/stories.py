"""Demo stories, from data/stories.toml: marked as demo, tagged with real institutes and routes
and with demo partners, and dated relative to the day the demo is loaded."""

from __future__ import annotations

from datetime import date, time, timedelta

from institutes.models import Institute, Route
from partners.models import Organisation
from stories.models import Story

from .content import at, read


def _last_conference_day(today: date) -> date:
    day = date(today.year, 7, 4)
    return day if day <= today else date(today.year - 1, 7, 4)


def load_stories(today: date) -> int:
    data = read("stories.toml")
    for spec in data["story"]:
        if "after_conference_days" in spec:
            day = _last_conference_day(today) + timedelta(days=spec["after_conference_days"])
            day = min(day, today)
        else:
            day = today - timedelta(days=spec["published_days_ago"])
        story, _ = Story.objects.update_or_create(
            slug=spec["slug"],
            defaults={
                "kind": Story.Kind(spec["kind"]),
                "title": spec["title"],
                "standfirst": " ".join(spec["standfirst"].split()),
                "body": spec["body"].strip(),
                "status": Story.Status.PUBLISHED,
                "published_at": at(day, time(10, 0)),
                "demo": True,
            },
        )
        institutes = list(Institute.objects.filter(slug__in=spec.get("institutes", [])))
        partners = (
            list(Organisation.objects.filter(name=spec["partner"])) if "partner" in spec else []
        )
        for partner in partners:
            first = partner.institutes.order_by("name").first()
            if first is not None:
                institutes.append(first)
        story.institutes.set(institutes)
        story.organisations.set(partners)
        story.routes.set(Route.objects.filter(slug__in=spec.get("routes", [])))
    return len(data["story"])
