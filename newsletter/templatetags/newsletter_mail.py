"""The newsletter's mail, rendered as stories render their Markdown.

Every message of an issue carries the same content; only the frame around it (the recipient's
unsubscribe link) differs. So each worker process renders an issue's content once per version
(the kinds of event people chose make a handful) and reuses it, rather than rendering the same
Markdown, lists and dates 20,000 times."""

import json
from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from stories import text

register = template.Library()

# What templates/newsletter/mail/issue.* read: all of it from the message's context.
CONTENT_KEYS = (
    "test", "issue_subject", "introduction", "issue_url", "stories", "chosen_events", "events",
    "courses",
)  # fmt: skip


@lru_cache(maxsize=32)
def _html(value: str) -> SafeString:
    return text.render(value)


@lru_cache(maxsize=32)
def _plain(value: str) -> str:
    return text.plain(value)


@register.filter
def markdown(value: str) -> SafeString:
    return _html(value or "")


@register.filter
def markdown_text(value: str) -> str:
    return _plain(value or "")


@lru_cache(maxsize=64)
def _content(part: str, data: str) -> SafeString:
    return mark_safe(render_to_string(f"newsletter/mail/issue.{part}", json.loads(data)))


@register.simple_tag(takes_context=True)
def issue_content(context, part: str) -> SafeString:
    """The issue's content as ``part`` ("html" or "txt"); the same context, the same text."""
    data = {key: context.get(key) for key in CONTENT_KEYS}
    return _content(part, json.dumps(data, sort_keys=True))
