"""Query parameters for the OpenAPI schema, read from the web pages' FilterSets.

The API filters with the very FilterSets the pages use (courses/filters.py, events/filters.py,
institutes/filters.py); this module only describes their fields to OpenAPI, so the documented
parameters cannot drift from what the pages accept. Options that live in the database (routes,
sectors, institutes) are documented as slugs and checked by the FilterSet's form.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Annotated, Any, Literal

import django_filters
from ninja import Schema
from pydantic import Field, create_model

# Free text and slugs never carry a NUL byte: PostgreSQL cannot compare text with one.
Text = Annotated[str, Field(pattern=r"^[^\x00]*$")]
Slug = Annotated[str, Field(pattern=r"^[-a-zA-Z0-9_]+$", max_length=220)]


def choice_type(name: str, choices) -> Any:
    values = [value for value, _label in choices if value not in ("", None)]
    if not values:
        return str
    if all(isinstance(value, int) for value in values):
        # Query strings are text; an int enum lets "4" stand for 4 and documents [4, 5, ...].
        return enum.IntEnum(name, {f"v{value}": value for value in values})
    return Literal[tuple(str(value) for value in values)]


def _describe(filter_, fallback: str) -> str:
    label = str(filter_.label or fallback)
    help_text = filter_.extra.get("help_text")
    return f"{label}. {help_text}." if help_text else f"{label}."


def _field(name: str, filter_, note: str = "") -> tuple[Any, Any]:
    """An optional parameter (no default value is sent as null, so none is declared)."""
    description = note or _describe(filter_, name)
    static_choices = filter_.extra.get("choices")
    if isinstance(filter_, django_filters.MultipleChoiceFilter):
        if static_choices:
            item = choice_type(name, static_choices)
        else:
            item = Slug
            description += " A slug; repeat the parameter for several."
        return list[item], Field(None, description=description)
    if isinstance(filter_, django_filters.ModelChoiceFilter):
        return Slug, Field(None, description=description + " A slug.")
    if isinstance(filter_, django_filters.ChoiceFilter):  # after ModelChoiceFilter, its child
        return choice_type(name, static_choices), Field(None, description=description)
    if isinstance(filter_, django_filters.DateFilter):
        return date, Field(None, description=description + " YYYY-MM-DD.")
    if isinstance(filter_, django_filters.NumberFilter):
        return float, Field(None, description=description)
    if isinstance(filter_, django_filters.BooleanFilter):
        return bool, Field(None, description=description)
    max_length = filter_.extra.get("max_length")
    return Text, Field(None, description=description, max_length=max_length)


def parameters(filterset, name: str, *, notes: dict | None = None, **extra) -> type[Schema]:
    """A ninja Schema with one optional query parameter per filter of ``filterset``; ``notes``
    describe filters whose label says too little."""
    notes = notes or {}
    fields = {
        filter_name: _field(filter_name, filter_, notes.get(filter_name, ""))
        for filter_name, filter_ in filterset.base_filters.items()
    }
    return create_model(name, __base__=Schema, **fields, **extra)
