"""Staff-written Markdown in the newsletter's mail, rendered as stories render it.

Every message of an issue carries the same introduction, so each worker process renders it once
(a bulk send of 20,000 would otherwise parse the same Markdown 40,000 times)."""

from functools import lru_cache

from django import template
from django.utils.safestring import SafeString

from stories import text

register = template.Library()


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
