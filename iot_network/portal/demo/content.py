"""Reading the demo content kept in data/*.toml, and placing it in time."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

DATA_DIR = Path(__file__).resolve().parent / "data"
LONDON = ZoneInfo("Europe/London")


def read(name: str) -> dict[str, Any]:
    with (DATA_DIR / name).open("rb") as handle:
        return tomllib.load(handle, parse_float=Decimal)


def fill(spec: dict[str, Any], **names: Any) -> dict[str, Any]:
    """The spec with the names filled into its text: {institute.town}, {day:%Y-%m}..."""
    return {
        key: value.format(**names) if isinstance(value, str) else value
        for key, value in spec.items()
    }


def at(day: date, when: time) -> datetime:
    return datetime.combine(day, when, tzinfo=LONDON)
