"""Small helpers for the few lists written in Python rather than through the template engine
(result cards, event items, form fields): the same text the template would write, cheaper."""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import lru_cache

from django.template.defaultfilters import date
from django.utils.html import conditional_escape
from django.utils.translation import get_language

from iot_network.web.cached_urls import cached_reverse


def escape(value) -> str:
    """``conditional_escape``, and exactly what autoescape writes, with a fast path for plain
    ``str``: Django's ``escape`` wraps ``html.escape`` in a lazy-string check that cost more
    than the escaping on a page of cards."""
    if type(value) is str:
        return html.escape(value)
    return conditional_escape(value)


def formatted_date(value, format_string: str) -> str:
    """The ``date`` filter's text for ``value`` (a date, or a datetime already in the current
    time zone), escaped. Formatting a date looks up translated month and day names; a list
    repeats the same few dates, so each process keeps the last few it wrote."""
    # Aware datetimes for the same instant in different zones are equal, hence the zone.
    zone = getattr(value, "tzinfo", None)
    return _formatted_date(value, zone, format_string, get_language())


@lru_cache(maxsize=512)
def _formatted_date(value, zone, format_string: str, language: str | None) -> str:
    return escape(date(value, format_string))


def choice_labels(model, field_name: str) -> dict:
    """What ``get_FOO_display()`` shows for each stored value (it rebuilds this dict on every
    call); look up with ``labels.get(value, value)``."""
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}


# A slug no page has: reversed once, then replaced by each real slug.
_SLUG = "0slug0"


def slug_url(view_name: str) -> Callable[[str], str]:
    """``reverse(view_name, kwargs={"slug": slug})`` for a list's worth of slugs at the cost of
    one (cached) reverse. Slugs match the URL's ``<slug:>`` converter, which needs no quoting,
    so the text is the same as reversing each. Call it once per page: the URL depends on the
    request's script prefix."""
    before, _, after = cached_reverse(view_name, kwargs={"slug": _SLUG}).partition(_SLUG)
    return lambda slug: f"{before}{slug}{after}"
