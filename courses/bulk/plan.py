"""Checking an upload and matching it against the IoT's catalogue: the preview, and the list of
writes that confirming it makes. Nothing here writes to the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from institutes.models import Route
from iot_network.web.geocoding import GeocodingError, PostcodeServiceUnavailable, lookup_postcode

from ..models import Course, CourseRun
from .columns import (
    COURSE_COLUMNS,
    LABELS,
    REQUIRED_RUN_KEYS,
    RUN_COLUMNS,
    CellError,
)
from .files import FORMULA, FileProblem, open_sheet

MAX_KEPT_PROBLEMS = 500
PROGRESS_EVERY = 250
COURSE_KEYS = frozenset(c.key for c in COURSE_COLUMNS)
RUN_KEYS = frozenset(c.key for c in RUN_COLUMNS)
PENDING = "pending"


@dataclass(frozen=True)
class Problem:
    row: int | None  # None: the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        return f"Row {self.row}, {self.column}: {self.message}"

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class FileRun:
    row: int
    values: dict


@dataclass
class FileCourse:
    row: int
    values: dict
    runs: dict = field(default_factory=dict)  # match key -> FileRun


@dataclass
class Plan:
    row_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    error_count: int = 0
    new_courses: list[dict] = field(default_factory=list)
    changed_courses: list[tuple[int, dict]] = field(default_factory=list)
    unchanged_courses: int = 0
    withdrawn_courses: list[int] = field(default_factory=list)
    new_runs: list[tuple[str, dict]] = field(default_factory=list)  # (course code, values)
    changed_runs: list[tuple[int, dict]] = field(default_factory=list)
    unchanged_runs: int = 0
    removed_runs: list[int] = field(default_factory=list)
    location_pending: int = 0

    def problem(self, row: int | None, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.problems) < MAX_KEPT_PROBLEMS:
            self.problems.append(Problem(row, column, message))

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    def counts(self) -> dict:
        return {
            "rows": self.row_count,
            "courses": {
                "created": len(self.new_courses),
                "updated": len(self.changed_courses),
                "unchanged": self.unchanged_courses,
                "withdrawn": len(self.withdrawn_courses),
            },
            "runs": {
                "created": len(self.new_runs),
                "updated": len(self.changed_runs),
                "unchanged": self.unchanged_runs,
                "withdrawn": len(self.removed_runs),
            },
            "location_pending": self.location_pending,
        }


def build_plan(
    *,
    institute_id: int,
    content: bytes,
    withdraw_absent: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Plan:
    plan = Plan()
    try:
        courses = _read(plan, content, progress)
    except FileProblem as problem:
        plan.problem(None, "", str(problem))
        return plan
    _geocode(plan, courses)
    _match(plan, institute_id, courses, withdraw_absent=withdraw_absent)
    return plan


# Reading and checking rows ---------------------------------------------------------------------


def _routes() -> dict[str, int]:
    routes = {}
    for pk, slug, name in Route.objects.values_list("pk", "slug", "name"):
        routes[slug.casefold()] = routes[name.casefold()] = pk
    return routes


def _read(plan: Plan, content: bytes, progress) -> dict[str, FileCourse]:
    sheet = open_sheet(content)
    routes = _routes()
    present = [(i, c) for i, c in enumerate(sheet.columns) if c is not None]
    courses: dict[str, FileCourse] = {}
    # Rows repeat most of their text (venue, how to apply, links): keep one copy of each value,
    # so memory grows with what differs between rows, not with every cell.
    shared: dict = {}
    for number, cells in sheet.rows:
        plan.row_count += 1
        if progress and plan.row_count % PROGRESS_EVERY == 0:
            progress(plan.row_count, max(sheet.estimated_rows, plan.row_count))
        values, ok = {}, True
        for index, column in present:
            raw = cells[index] if index < len(cells) else None
            if raw is FORMULA:
                plan.problem(number, column.label, "holds a formula; type the value itself")
                ok = False
                continue
            try:
                value = column.read(raw)
                if isinstance(value, str) and value:
                    value = shared.setdefault(value, value)
                values[column.key] = value
            except CellError as exc:
                plan.problem(number, column.label, str(exc))
                ok = False
        if route := values.get("route"):
            values["route"] = routes.get(route.casefold())
            if values["route"] is None:
                plan.problem(number, LABELS["route"], f"{route} is not a route")
                ok = False
        course_values = {k: v for k, v in values.items() if k in COURSE_KEYS}
        run_values = {k: v for k, v in values.items() if k in RUN_KEYS}
        has_run = any(v not in (None, "") for v in run_values.values())
        if has_run:
            for key in REQUIRED_RUN_KEYS:
                if key in run_values and run_values[key] in (None, ""):
                    plan.problem(number, LABELS[key], "is required for a run")
                    ok = False
            deadline, start = run_values.get("application_deadline"), run_values.get("start_date")
            if deadline and start and deadline > start:
                plan.problem(number, LABELS["application_deadline"], "is after the start date")
                ok = False
        if not ok:
            continue
        code = course_values["provider_course_code"]
        course = courses.get(code.casefold())
        if course is None:
            course = courses[code.casefold()] = FileCourse(number, course_values)
        else:
            for key, value in course_values.items():
                if course.values.get(key) != value:
                    plan.problem(
                        number,
                        LABELS[key],
                        f"differs from row {course.row} for course {code}; a course's columns "
                        "must be the same on each of its rows",
                    )
        if has_run:
            key = _run_key(run_values)
            if key in course.runs:
                plan.problem(
                    number,
                    LABELS["run_code"] if key[0] == "code" else LABELS["start_date"],
                    f"repeats the run in row {course.runs[key].row} (same "
                    + ("run code" if key[0] == "code" else "start date and venue")
                    + ")",
                )
            else:
                course.runs[key] = FileRun(number, run_values)
    if progress:
        progress(plan.row_count, plan.row_count)
    if plan.row_count == 0:
        raise FileProblem("The file has a header row but no courses below it.")
    return courses


def _run_key(values: dict) -> tuple:
    if values.get("run_code"):
        return ("code", values["run_code"].casefold())
    return (
        "when",
        values.get("start_date"),
        (values.get("venue_name") or "").casefold(),
        values.get("venue_postcode") or "",
    )


# Places ---------------------------------------------------------------------------------------


def _geocode(plan: Plan, courses: dict[str, FileCourse]) -> None:
    """Each postcode once, through the cached geocoder. When the service cannot be reached the
    runs keep their postcode and are marked "location pending" (a job places them later)."""
    places: dict[str, object] = {}
    reachable = True
    for course in courses.values():
        for run in course.runs.values():
            postcode = run.values.get("venue_postcode")
            if not postcode:
                continue
            if postcode not in places:
                if not reachable:
                    places[postcode] = PENDING
                else:
                    try:
                        point = lookup_postcode(postcode)
                        places[postcode] = (
                            Decimal(f"{point.latitude:.5f}"),
                            Decimal(f"{point.longitude:.5f}"),
                        )
                    except PostcodeServiceUnavailable:
                        reachable = False
                        places[postcode] = PENDING
                    except GeocodingError as exc:
                        places[postcode] = str(exc)
            place = places[postcode]
            if isinstance(place, str) and place != PENDING:
                plan.problem(run.row, LABELS["venue_postcode"], place)
            run.values["_place"] = place


# Matching -------------------------------------------------------------------------------------


def _same(old, new) -> bool:
    if isinstance(old, str) and isinstance(new, str):
        return old.replace("\r\n", "\n").strip() == new
    return old == new


def _changes(existing: dict, values: dict) -> dict:
    return {k: v for k, v in values.items() if not _same(existing.get(k), v)}


def uncoded_code(pk: int) -> str:
    return f"C{pk}"


def _match(
    plan: Plan, institute_id: int, courses: dict[str, FileCourse], *, withdraw_absent: bool
) -> None:
    course_fields = ["pk", "status", "route_id", *(k for k in COURSE_KEYS if k != "route")]
    existing: dict[str, dict] = {}
    uncoded: dict[str, dict] = {}
    for row in Course.objects.filter(institute_id=institute_id).values(*course_fields):
        if row["provider_course_code"]:
            existing[row["provider_course_code"].casefold()] = row
        else:
            # A course made in the form without a code is downloaded as "C<id>" (see
            # exporting.py); uploaded back, that code matches it and becomes its code.
            uncoded[uncoded_code(row["pk"]).casefold()] = row
    runs_by_course: dict[int, list[dict]] = {}
    for row in CourseRun.objects.filter(course__institute_id=institute_id).values(
        "pk", "course_id", "latitude", "longitude", "location_pending", *RUN_KEYS
    ):
        runs_by_course.setdefault(row["course_id"], []).append(row)

    listed: set[int] = set()
    for code, course in courses.items():
        values = dict(course.values)
        if "route" in values:
            values["route_id"] = values.pop("route")
        old = existing.get(code) or (uncoded.get(code) if code not in existing else None)
        if old is not None:
            listed.add(old["pk"])
        if old is None:
            plan.new_courses.append(values)
        elif changes := _changes(old, values):
            plan.changed_courses.append((old["pk"], changes))
        else:
            plan.unchanged_courses += 1
        old_runs = runs_by_course.get(old["pk"], []) if old else []
        matched = _match_runs(plan, values["provider_course_code"], course, old_runs)
        if withdraw_absent:
            plan.removed_runs.extend(r["pk"] for r in old_runs if r["pk"] not in matched)

    if withdraw_absent:
        plan.withdrawn_courses = [
            pk
            for pk in Course.objects.filter(
                institute_id=institute_id, status=Course.Status.PUBLISHED
            ).values_list("pk", flat=True)
            if pk not in listed
        ]


def _match_runs(plan: Plan, code: str, course: FileCourse, old_runs: list[dict]) -> set[int]:
    by_code = {r["run_code"].casefold(): r for r in old_runs if r["run_code"]}
    by_when: dict[tuple, dict] = {}
    for r in old_runs:
        by_when.setdefault(_run_key({**r, "run_code": ""}), r)
    matched: set[int] = set()
    for key, run in course.runs.items():
        values = run.values  # handed on to the plan, not copied
        place = values.pop("_place", None)
        old = None
        if key[0] == "code":
            old = by_code.get(key[1])
            if old is None:
                fallback = by_when.get(_run_key({**values, "run_code": ""}))
                if fallback and not fallback["run_code"]:
                    old = fallback
        else:
            old = by_when.get(key)
        if old is not None and old["pk"] in matched:
            old = None
        if isinstance(place, tuple):
            values["latitude"], values["longitude"] = place
            values["location_pending"] = False
        elif place == PENDING:
            keeps_place = (
                old is not None
                and old["venue_postcode"] == values["venue_postcode"]
                and old["latitude"] is not None
            )
            if not keeps_place:
                values.update(latitude=None, longitude=None, location_pending=True)
                plan.location_pending += 1
        if old is None:
            plan.new_runs.append((code, values))
        else:
            matched.add(old["pk"])
            if changes := _changes(old, values):
                plan.changed_runs.append((old["pk"], changes))
            else:
                plan.unchanged_runs += 1
    return matched
