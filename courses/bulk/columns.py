"""The upload's columns, in template order: what each holds, whether it is required, and how a
cell becomes a value (or a plain message saying why it cannot)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from iot_network.web.identifiers import (
    normalise_postcode,
    validate_lars_code,
    validate_qan,
    validate_standard_reference,
    validate_ukprn,
)

from ..choices import QualificationType
from ..models import Course, CourseRun, Level


class CellError(ValueError):
    """A cell that cannot be read; the message is shown after "Row N, Column: "."""


@dataclass(frozen=True)
class Column:
    key: str  # the model field it fills
    label: str  # the header in the file, and the name in messages
    level: str  # "course" or "run"
    parse: Callable[[object], object]
    required: bool = False
    help: str = ""
    allowed: tuple[str, ...] = field(default=())
    example: str = ""

    def read(self, raw):
        """The value of a cell, "" or None when empty; CellError when it cannot be read."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.required:
                raise CellError("is required")
            return self.parse(None)
        return self.parse(raw)


def _text(max_length: int | None = None, *, single_line: bool = True):
    def parse(raw):
        if raw is None:
            return ""
        text = str(raw).replace("\r\n", "\n").strip()
        if single_line:
            text = " ".join(text.split())
        if max_length and len(text) > max_length:
            raise CellError(f"is {len(text)} characters long; the most is {max_length}")
        return text

    return parse


def _upper_code(validator, max_length: int):
    def parse(raw):
        if raw is None:
            return ""
        text = "".join(str(raw).split()).upper()
        if len(text) > max_length:
            raise CellError(f"{text[:20]} is too long")
        try:
            validator(text)
        except ValidationError as exc:
            raise CellError(f"{text} is not valid. {exc.messages[0]}") from None
        return text

    return parse


def _choice(choices: type[models.Choices], *, what: str):
    by_text = {}
    for value, label in choices.choices:
        by_text[str(value).casefold()] = value
        by_text[str(label).casefold()] = value

    def parse(raw):
        if raw is None:
            return None
        text = " ".join(str(raw).split())
        if isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))
        try:
            return by_text[text.casefold()]
        except KeyError:
            allowed = ", ".join(str(v) for v in choices.values)
            raise CellError(f"{text} is not {what}; use one of: {allowed}") from None

    return parse


_level = _choice(Level, what="a level")


DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


def _date(raw):
    if raw is None:
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date, not a time)
        except ValueError:
            continue
    raise CellError(f"{text} is not a date (use DD/MM/YYYY, like 14/09/2027, or 2027-09-14)")


def _whole_number(*, low: int, high: int, what: str):
    def parse(raw):
        if raw is None:
            return None
        if isinstance(raw, bool):
            raise CellError(f"{raw} is not a number")
        if isinstance(raw, int | float) and float(raw).is_integer():
            number = int(raw)
        else:
            text = str(raw).strip().replace(",", "")
            if not re.fullmatch(r"\d+", text):
                raise CellError(f"{raw} is not a whole number of {what}")
            number = int(text)
        if not low <= number <= high:
            raise CellError(f"{number} is out of range: use {low} to {high} {what}")
        return number

    return parse


def _money(raw):
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise CellError(f"{raw} is not an amount in pounds")
    text = str(raw).strip().replace("£", "").replace(",", "").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise CellError(f"{raw} is not an amount in pounds (like 6000 or 6,000.00)") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1000000"):
        raise CellError(f"{raw} is out of range: use 0 to 999999.99 pounds")
    if amount != amount.quantize(Decimal("0.01")):
        raise CellError(f"{raw} has more than two decimal places")
    return amount.quantize(Decimal("0.01"))


YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


def _yes_no(raw):
    if raw is None:
        return False
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().casefold()
    if isinstance(raw, int | float) and float(raw) in (0, 1):
        text = str(int(raw))
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(f"{raw} is not yes or no")


_status_choice = _choice(Course.Status, what="a status")


def _status(raw):
    return Course.Status.PUBLISHED if raw is None else _status_choice(raw)


def _postcode(raw):
    if raw is None:
        return ""
    postcode = normalise_postcode(str(raw))
    if postcode is None:
        raise CellError(f"{raw} is not a UK postcode (like SW1A 1AA)")
    return postcode


_url_field = forms.URLField(max_length=200, assume_scheme="https")


def _url(raw):
    if raw is None:
        return ""
    try:
        return _url_field.clean(str(raw).strip())
    except ValidationError:
        raise CellError(f"{raw} is not a web address (like https://example.ac.uk/apply)") from None


def _route_parse(raw):
    # Routes are looked up in the database by the plan (slug or name); here only the text.
    return None if raw is None else " ".join(str(raw).split())


COLUMNS: tuple[Column, ...] = (
    Column("provider_course_code", "Course code", "course", _text(40), required=True,
           help="Your own code for the course, unique within your IoT. Rows with the same code "
           "are runs of the same course, and an upload updates the course with this code.",
           example="ENG-HTQ-01"),
    Column("title", "Course title", "course", _text(200), required=True,
           example="HTQ Engineering Technician"),
    Column("summary", "Summary", "course", _text(300), required=True,
           help="One or two sentences for search results (at most 300 characters).",
           example="Learn to design, build and test engineering systems."),
    Column("level", "Level", "course", _level, required=True,
           allowed=tuple(str(v) for v in Level.values), example="4"),
    Column("qualification_type", "Qualification type", "course",
           _choice(QualificationType, what="a qualification type"), required=True,
           allowed=tuple(QualificationType.values), example="htq"),
    Column("route", "Route", "course", _route_parse, required=True,
           help="One of the occupational routes, by its name or short name.",
           example="engineering-manufacturing"),
    Column("provider_name", "Delivering provider", "course", _text(200), required=True,
           help="The college or university that teaches it.", example="Example College"),
    Column("provider_ukprn", "Provider UKPRN", "course", _upper_code(validate_ukprn, 8),
           help="8 digits starting with 1.", example="10001234"),
    Column("status", "Status", "course", _status,
           help="published (shown on the site) or draft. Empty means published.",
           allowed=tuple(Course.Status.values), example="published"),
    Column("htq_approved", "HTQ approved", "course", _yes_no,
           help="yes or no; empty means no.", allowed=("yes", "no"), example="yes"),
    Column("student_finance", "Student finance", "course", _yes_no,
           help="Funding: eligible for student finance. yes or no; empty means no.",
           allowed=("yes", "no"), example="yes"),
    Column("employer_sponsored", "Employer sponsored", "course", _yes_no,
           help="Funding: an employer can pay the fees or offer a sponsored place. yes or no; "
           "empty means no.", allowed=("yes", "no"), example="no"),
    Column("standard_reference", "Occupational standard", "course",
           _upper_code(validate_standard_reference, 6),
           help="ST and 4 digits.", example="ST0457"),
    Column("lars_code", "LARS code", "course", _upper_code(validate_lars_code, 8),
           help="8 digits and capital letters.", example="60372845"),
    Column("qan", "QAN", "course", _upper_code(validate_qan, 10),
           help="Ofqual qualification number, like 603/7284/5.", example="603/7284/5"),
    Column("description", "Description", "course", _text(single_line=False)),
    Column("what_you_learn", "What you will learn", "course", _text(single_line=False)),
    Column("entry_requirements", "Entry requirements", "course", _text(single_line=False)),
    Column("assessment", "How you are assessed", "course", _text(single_line=False)),
    Column("careers", "Careers", "course", _text(single_line=False),
           help="Job titles this course leads to, one per line within the cell."),
    Column("progression", "Next steps", "course", _text(single_line=False)),
    Column("run_code", "Run code", "run", _text(40),
           help="Optional: your own code for this intake, unique within the course. Without "
           "one, a run is matched by its start date and venue.", example="ENG-2027-09"),
    Column("start_date", "Start date", "run", _date,
           help="Required for a run. DD/MM/YYYY or YYYY-MM-DD. Leave every run column empty "
           "for a course with no runs yet.", example="14/09/2027"),
    Column("duration_months", "Duration (months)", "run",
           _whole_number(low=1, high=120, what="months"),
           help="Required for a run. A whole number of months, 1 to 120.", example="12"),
    Column("study_mode", "Study mode", "run", _choice(CourseRun.StudyMode, what="a study mode"),
           help="Required for a run.", allowed=tuple(CourseRun.StudyMode.values),
           example="full-time"),
    Column("attendance", "Attendance", "run",
           _choice(CourseRun.Attendance, what="an attendance pattern"),
           help="Required for a run.", allowed=tuple(CourseRun.Attendance.values),
           example="campus"),
    Column("venue_name", "Venue", "run", _text(200), example="Main campus"),
    Column("venue_postcode", "Venue postcode", "run", _postcode,
           help="A UK postcode; it places the run on the map.", example="DH1 3LH"),
    Column("fee", "Fee (£)", "run", _money,
           help="The whole course fee in pounds, like 6000 or 6,000.00. 0 for no fee; empty if "
           "not yet known.", example="6000"),
    Column("application_deadline", "Application deadline", "run", _date,
           help="DD/MM/YYYY or YYYY-MM-DD, on or before the start date.", example="31/07/2027"),
    Column("places", "Places", "run", _whole_number(low=0, high=100000, what="places"),
           example="20"),
    Column("how_to_apply", "How to apply", "run", _text(single_line=False)),
    Column("apply_url", "Application link", "run", _url,
           example="https://example.ac.uk/apply"),
)  # fmt: skip

BY_LABEL = {column.label.casefold(): column for column in COLUMNS}
COURSE_COLUMNS = tuple(c for c in COLUMNS if c.level == "course")
RUN_COLUMNS = tuple(c for c in COLUMNS if c.level == "run")
REQUIRED_RUN_KEYS = ("start_date", "duration_months", "study_mode", "attendance")
LABELS = {column.key: column.label for column in COLUMNS}
