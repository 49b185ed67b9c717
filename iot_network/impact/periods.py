"""Academic years (1 August to 31 July) and report periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    label: str

    @property
    def key(self) -> str:
        return f"{self.start:%Y-%m-%d}_{self.end:%Y-%m-%d}"

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def ends_before(self) -> datetime:
        """The first moment after the period (for ``__lt`` on date-times)."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    @property
    def is_academic_year(self) -> bool:
        return (self.start.month, self.start.day, self.end.month, self.end.day) == (
            8,
            1,
            7,
            31,
        ) and (self.end.year == self.start.year + 1)


def academic_year(start_year: int) -> Period:
    return Period(
        start=date(start_year, 8, 1),
        end=date(start_year + 1, 7, 31),
        label=f"{start_year} to {start_year + 1}",
    )


def academic_year_of(day: date) -> Period:
    return academic_year(day.year if day.month >= 8 else day.year - 1)


def current_and_previous(today: date | None = None) -> tuple[Period, Period]:
    current = academic_year_of(today or timezone.localdate())
    return current, academic_year(current.start.year - 1)
