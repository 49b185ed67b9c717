"""Equality monitoring figures: counted across every IoT at once, suppressed as one table per
question (iot_network.equality.suppression), and only then cut into each page's share, so the
network page and the IoT pages never give two figures whose difference is a small group.

Only whole academic years are published: two overlapping periods could be subtracted."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count

from courses.models import EnquiryEquality
from events.models import RegistrationEquality
from iot_network.equality.choices import (
    ETHNIC_HEADING_OF,
    ETHNIC_HEADINGS,
    NOT_ANSWERED,
    NOT_ANSWERED_LABEL,
    PREFER_NOT_TO_SAY,
    PREFER_NOT_TO_SAY_LABEL,
    AgeBand,
    Disability,
    Sex,
)
from iot_network.equality.suppression import TOTAL, Grid, suppress

from .figures import NETWORK
from .periods import Period

SOURCES = [
    (
        "registrations",
        "People registering for events",
        RegistrationEquality,
        "registration__event__institute_id",
    ),
    (
        "enquiries",
        "Learners asking about courses",
        EnquiryEquality,
        "enquiry__course__institute_id",
    ),
]

QUESTIONS = [
    ("sex", "Sex", list(Sex.choices)),
    (
        "ethnic_group",
        "Ethnic group",
        [*ETHNIC_HEADINGS, (PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL)],
    ),
    ("disability", "Disability or long-term health condition", list(Disability.choices)),
    ("age_band", "Age", list(AgeBand.choices)),
]


def _column(question: str, value: str) -> str:
    if not value:
        return NOT_ANSWERED
    if question == "ethnic_group" and value != PREFER_NOT_TO_SAY:
        return ETHNIC_HEADING_OF.get(value, NOT_ANSWERED)
    return value


def columns(question_choices) -> list[tuple[str, str]]:
    return [*question_choices, (NOT_ANSWERED, NOT_ANSWERED_LABEL)]


def grids(period: Period, institute_ids: list[int]) -> dict[str, dict[str, Grid]]:
    """Every source's suppressed table per question: one query per source."""
    rows = [*institute_ids, None]  # None: events the network runs itself
    result = {}
    for source, _, model, institute_field in SOURCES:
        counts = {question: Counter() for question, _, _ in QUESTIONS}
        answers = (
            model.objects.filter(
                answered_at__gte=period.starts_at, answered_at__lt=period.ends_before
            )
            .values(institute_field, *(q for q, _, _ in QUESTIONS))
            .annotate(n=Count("pk"))
        )
        for row in answers:
            for question, _, _ in QUESTIONS:
                counts[question][row[institute_field], _column(question, row[question])] += row["n"]
        result[source] = {
            question: suppress(
                counts[question], rows=rows, columns=[k for k, _ in columns(choices)]
            )
            for question, _, choices in QUESTIONS
        }
    return result


def published(source_grids: dict[str, dict[str, Grid]], scope: str) -> dict:
    """The share of the tables one page shows: the column totals for the network, an IoT's row
    for the IoT. Suppressed figures carry no value."""
    row = TOTAL if scope == NETWORK else int(scope)
    out = {}
    for source, _, _, _ in SOURCES:
        out[source] = {}
        for question, _, choices in QUESTIONS:
            grid = source_grids[source][question]
            if row not in grid.rows and row != TOTAL:
                continue
            out[source][question] = {
                "categories": [list(c) for c in columns(choices)],
                "figures": {column: grid.figures[row, column].as_json() for column in grid.columns},
                "total": grid.figures[row, TOTAL].as_json(),
            }
    return out


def labels() -> dict:
    return {
        "sources": {source: title for source, title, _, _ in SOURCES},
        "questions": {question: title for question, title, _ in QUESTIONS},
    }
