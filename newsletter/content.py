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
        "events": [
            {
                "title": event.title,
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
