"""Load the reference data kept in institutes/data/ into the database."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from .models import Institute, Region, Route

DATA_DIR = Path(__file__).resolve().parent / "data"
_REGIONS_BY_LABEL = {label: value for value, label in Region.choices}


@dataclass(frozen=True)
class LoadResult:
    institutes_created: int
    institutes_updated: int
    routes_created: int
    routes_updated: int


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def default_summary(
    *, name: str, lead_institution: str, town: str, region_label: str, wave: int
) -> str:
    return (
        f"{name} is led by {lead_institution} in {town} ({region_label}). It joined the national "
        f"network in wave {wave} and brings colleges, universities and employers together to teach "
        "higher technical skills at Levels 4 and 5."
    )


@transaction.atomic
def load_reference_data() -> LoadResult:
    """Create or update the 21 institutes and 15 routes. Safe to run on every deploy.

    Facts from the Department for Education's announcements are refreshed; what staff keep in the
    admin (website, contact email, an edited summary) is left alone.
    """
    created = updated = 0
    for row in _read_csv("institutes.csv"):
        region = _REGIONS_BY_LABEL[row["region"]]
        wave = int(row["wave"])
        institute, was_created = Institute.objects.update_or_create(
            slug=slugify(row["name"]),
            defaults={
                "name": row["name"],
                "lead_institution": row["lead_institution"],
                "region": region,
                "wave": wave,
                "town": row["town"],
                "latitude": Decimal(row["approx_lat"]),
                "longitude": Decimal(row["approx_lon"]),
            },
        )
        if not institute.summary:
            institute.summary = default_summary(
                name=institute.name,
                lead_institution=institute.lead_institution,
                town=institute.town,
                region_label=institute.get_region_display(),
                wave=wave,
            )
            institute.save(update_fields=["summary"])
        created += was_created
        updated += not was_created

    routes_created = routes_updated = 0
    for row in _read_csv("routes.csv"):
        _, was_created = Route.objects.update_or_create(
            slug=row["slug"], defaults={"name": row["name"]}
        )
        routes_created += was_created
        routes_updated += not was_created
    return LoadResult(created, updated, routes_created, routes_updated)
