"""Building upload files for the bulk upload tests, the browser journey and the benchmark."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from django.utils import timezone

from courses.bulk.columns import COLUMNS
from courses.bulk.files import xlsx_bytes

LABELS = [c.label for c in COLUMNS]
VENUES = [("Durham campus", "DH1 3LH"), ("Exeter campus", "EX4 4QJ"), ("Salford hub", "M5 4WT")]


def row(code="ENG-01", **values) -> dict:
    """One row of a good file, by column label; ``values`` override by label."""
    start = timezone.localdate() + timedelta(days=120)
    base = {
        "Course code": code,
        "Course title": f"Engineering course {code}",
        "Summary": "Learn to design, build and test engineering systems.",
        "Level": "4",
        "Qualification type": "htq",
        "Route": "engineering-manufacturing",
        "Delivering provider": "Example College",
        "Provider UKPRN": "10001234",
        "Status": "published",
        "HTQ approved": "yes",
        "Student finance": "yes",
        "Employer sponsored": "no",
        "Start date": start.strftime("%d/%m/%Y"),
        "Duration (months)": "12",
        "Study mode": "full-time",
        "Attendance": "campus",
        "Venue": "Durham campus",
        "Venue postcode": "DH1 3LH",
        "Fee (£)": "6000",
    }
    base.update(values)
    return base


def catalogue(courses: int, runs_per_course: int = 1, *, start: date | None = None) -> list[dict]:
    """``courses`` courses with ``runs_per_course`` runs each, spread over three venues."""
    start = start or timezone.localdate() + timedelta(days=60)
    rows = []
    for n in range(courses):
        for r in range(runs_per_course):
            venue, postcode = VENUES[(n + r) % len(VENUES)]
            rows.append(
                row(
                    f"C{n:05d}",
                    **{
                        "Course title": f"Course number {n}",
                        "Level": str(4 + n % 4),
                        "Start date": (start + timedelta(days=30 * r)).strftime("%d/%m/%Y"),
                        "Venue": venue,
                        "Venue postcode": postcode,
                        "Fee (£)": f"{5000 + n % 7 * 250}",
                        "Description": f"Course {n}: a longer description of what it covers.",
                    },
                )
            )
    return rows


def as_csv(rows: list[dict], *, delimiter=",", encoding="utf-8", header=None) -> bytes:
    out = io.StringIO(newline="")
    header = header or LABELS
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for values in rows:
        writer.writerow([values.get(label, "") for label in header])
    return out.getvalue().encode(encoding)


def as_xlsx(rows: list[dict]) -> bytes:
    return xlsx_bytes([[values.get(label, "") for label in LABELS] for values in rows])
