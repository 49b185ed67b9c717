"""Filters for mail templates, whose context is JSON: dates arrive as ISO strings.

``{{ starts_at|period:ends_at }}``, ``{{ closing_date|iso|date:"j F Y" }}`` and
``{% filter sentence %}…{% endfilter %}`` for text that may already end in "a.m.".
"""

from django import template

from iot_network.notifications import formatting

register = template.Library()


@register.filter
def iso(value):
    """The date or local datetime in an ISO string, for Django's ``date`` filter."""
    return formatting.from_iso(value)


@register.filter
def period(starts_at, ends_at):
    start, end = formatting.from_iso(starts_at), formatting.from_iso(ends_at)
    if start is None or end is None:
        return ""
    return formatting.period_text(start, end)


@register.filter(is_safe=True)
def sentence(text):
    return formatting.sentence(text)
