"""How dates and times read in mail and feeds: in the portal's time zone (Europe/London), in
words. Used by the mail templates' filters (templatetags/mail_format.py) at delivery and by
pages that say the same thing, so the two never drift apart."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format


def from_iso(value: str | date | datetime | None) -> date | datetime | None:
    """A date or an aware datetime from the ISO string a mail's context carries (JSON has no
    dates); a datetime comes back in local time. Values that are already dates pass through."""
    if not value:
        return None
    if isinstance(value, str):
        parsed = parse_datetime(value) if "T" in value or " " in value else None
        value = parsed or parse_date(value)
        if value is None:
            return None
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return timezone.localtime(value)
    return value


def period_text(starts_at: datetime, ends_at: datetime) -> str:
    """ "Saturday 3 May 2025, 9:00 a.m. to 12:00 p.m.", or both dates in full when it runs
    over more than one day."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if start.date() == end.date():
        day = date_format(start, "l j F Y")
        return f"{day}, {date_format(start, 'g:i a')} to {date_format(end, 'g:i a')}"
    return f"{date_format(start, 'l j F Y, g:i a')} to {date_format(end, 'l j F Y, g:i a')}"


def sentence(text: str) -> str:
    """``text`` with one closing full stop: a time such as "9:00 a.m." already has it."""
    text = str(text)
    return text if text.endswith(".") else f"{text}."
