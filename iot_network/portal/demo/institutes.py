"""Demo contact details for the real institutes (made up, and marked so: data/institutes.toml)."""

from __future__ import annotations

from institutes.models import Institute

from .content import fill, read


def load_institute_contacts(institutes: list[Institute]) -> int:
    """Fill in the contact details an institute has not set; returns how many were filled."""
    spec = read("institutes.toml")["contact"]
    filled = 0
    for number, institute in enumerate(institutes, start=1):
        details = fill(spec, institute=institute, number=number)
        blank = {name: value for name, value in details.items() if not getattr(institute, name)}
        if blank:
            Institute.objects.filter(pk=institute.pk).update(**blank)
            filled += 1
    return filled
