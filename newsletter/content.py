"""What an issue says, as data for the outbox (templates/notifications/email/newsletter-issue/)
and for its page in the archive: names, ISO dates and URLs, never wording."""

from __future__ import annotations

from django.conf import settings

from .models import Issue


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def issue_context(issue: Issue) -> dict:
    return {
        "issue_subject": issue.subject,
        "introduction": issue.introduction,
        "issue_url": absolute(issue.get_absolute_url()),
        "stories": [
            {
                "title": story.title,
                "standfirst": story.standfirst,
                "kind": story.get_kind_display(),
                "url": absolute(story.get_absolute_url()),
            }
            for story in issue.stories.published().newest_first()
        ],
        # Filled per recipient by for_kinds(); empty in the archive, previews and tests.
        "chosen_events": [],
        "events": [
            {
                "title": event.title,
                "type": event.event_type,
                "kind": event.get_event_type_display(),
                "starts_at": event.starts_at.isoformat(),
                "where": event.venue_name or "Online",
                "url": absolute(event.get_absolute_url()),
            }
            for event in issue.events.order_by("starts_at")
        ],
        "courses": [
            {
                "title": course.title,
                "institute": course.institute.name,
                "url": absolute(course.get_absolute_url()),
            }
            for course in issue.courses.published().select_related("institute").order_by("title")
        ],
    }


def for_kinds(context: dict, event_types) -> dict:
    """The issue as a subscriber who chose these kinds of event gets it: the issue's events of
    those kinds come first, under their own heading, and its other events follow. Nothing is
    left out, so a choice made long ago never hides what the issue is about."""
    kinds = set(event_types)
    chosen = [event for event in context["events"] if event["type"] in kinds]
    if not chosen:
        return context
    others = [event for event in context["events"] if event["type"] not in kinds]
    return context | {"chosen_events": chosen, "events": others}
