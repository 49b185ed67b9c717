"""Checking an upload and matching it against the IoT's catalogue: the preview, and the changes
that confirming it makes. Nothing here writes to the database.

Memory stays flat as files grow: the file is read row by row (twice when it is applied: once to
check it, once to hand each change to the writer as it is met), and between rows only compact
keys are kept – a 64-bit hash of each course code and run key, a hash of each course's and run's
values for "unchanged", the row where each was first seen – never the rows' values. The IoT's
catalogue is indexed the same way (hashes of its courses' and runs' values, read in chunks).
"""

from __future__ import annotations

import hashlib
import io
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import BinaryIO

from institutes.models import Route
from iot_network.web.geocoding import GeocodingError, PostcodeServiceUnavailable, lookup_postcode

from ..models import Course, CourseRun
from .columns import LABELS, REQUIRED_RUN_KEYS, CellError
from .files import FORMULA, FileProblem, open_sheet

MAX_KEPT_PROBLEMS = 500
PROGRESS_EVERY = 250
PENDING = "pending"
PLACE_KEYS = ("latitude", "longitude", "location_pending")
READ_CHUNK = 500  # catalogue rows fetched at a time


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
class Plan:
    row_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    error_count: int = 0
    courses_created: int = 0
    courses_updated: int = 0
    courses_unchanged: int = 0
    withdrawn_courses: list[int] = field(default_factory=list)  # ids
    runs_created: int = 0
    runs_updated: int = 0
    runs_unchanged: int = 0
    removed_runs: list[int] = field(default_factory=list)  # ids
    location_pending: int = 0
    upload: Upload | None = field(default=None, repr=False)

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
                "created": self.courses_created,
                "updated": self.courses_updated,
                "unchanged": self.courses_unchanged,
                "withdrawn": len(self.withdrawn_courses),
            },
            "runs": {
                "created": self.runs_created,
                "updated": self.runs_updated,
                "unchanged": self.runs_unchanged,
                "withdrawn": len(self.removed_runs),
            },
            "location_pending": self.location_pending,
        }

    def tally(self) -> tuple:
        return (self.row_count, self.courses_created, self.courses_updated,
                self.courses_unchanged, self.runs_created, self.runs_updated,
                self.runs_unchanged, self.location_pending)  # fmt: skip

    def changes(self, progress: Callable[[int, int], None] | None = None) -> Iterator[Change]:
        """What confirming writes, read again from the file row by row (see Upload.changes)."""
        assert self.upload is not None and not self.has_errors
        return self.upload.changes(self, progress)


@dataclass(frozen=True)
class Change:
    """One write: ``pk`` is None for a new course or run. A new course is known by ``course``
    (its code's key) until it is written; a run names its course by id when the course exists
    (``course_pk``), else by that key."""

    kind: str  # "course" or "run"
    pk: int | None
    values: dict
    course: int = 0
    course_pk: int | None = None


def build_plan(
    *,
    institute_id: int,
    content: bytes | None = None,
    open_file: Callable[[], BinaryIO] | None = None,
    withdraw_absent: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Plan:
    """Check a file (``content``, or ``open_file()`` giving a fresh stream each time it is read)
    and count what confirming it would change."""
    if open_file is None:
        data = content or b""

        def open_file():
            return io.BytesIO(data)

    upload = Upload(institute_id, open_file, withdraw_absent=withdraw_absent)
    return upload.check(progress)


# Keys and hashes ------------------------------------------------------------------------------


def _canonical(value) -> str:
    """Equal values (as the old comparison saw them) give equal text; a stored text's Windows
    line ends and outer spaces do not count."""
    if value is None:
        return "\x00"
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, int):
        return f"i{value}"
    if isinstance(value, str):
        return "s" + value.replace("\r\n", "\n").strip()
    if isinstance(value, Decimal):
        return f"d{value.normalize()}"
    if isinstance(value, date):
        return f"D{value.isoformat()}"
    return f"r{value!r}"


def key_of(*parts) -> int:
    """A 64-bit key for a tuple of values (course codes, run keys, a row's values)."""
    text = "\x1f".join(_canonical(p) for p in parts)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def _run_when(course: object, values: dict) -> tuple:
    return (
        course,
        "when",
        values.get("start_date"),
        (values.get("venue_name") or "").casefold(),
        values.get("venue_postcode") or "",
    )


def _run_key(code_key: int, values: dict) -> int:
    """A run in the file: by its run code, else by start date and venue."""
    if values.get("run_code"):
        return key_of(code_key, "code", values["run_code"].casefold())
    return key_of(*_run_when(code_key, values))


def uncoded_code(pk: int) -> str:
    return f"C{pk}"


class _Keys:
    """64-bit keys to positions: two arrays sorted by key (12 bytes a key, not the hundred or
    so of a dict entry), searched by bisection. Where keys repeat, the first added wins."""

    def __init__(self):
        self.keys = array("Q")
        self.positions = array("I")

    def add(self, key: int, position: int) -> None:
        self.keys.append(key)
        self.positions.append(position)

    def freeze(self) -> None:
        order = sorted(range(len(self.keys)), key=self.keys.__getitem__)  # stable
        self.keys = array("Q", (self.keys[i] for i in order))
        self.positions = array("I", (self.positions[i] for i in order))

    def get(self, key: int) -> int | None:
        i = bisect_left(self.keys, key)
        return self.positions[i] if i < len(self.keys) and self.keys[i] == key else None


class _Runs:
    """The IoT's runs, one position each, in arrays: id, whether it has a run code, a hash of
    the file's run columns, a hash of its place, the key of its postcode when it has a place
    (else 0); and, as the file is read, whether a row matched it, which run key did and where."""

    def __init__(self):
        self.pk = array("q")
        self.coded = bytearray()
        self.values = array("Q")
        self.place = array("Q")
        self.placed_at = array("Q")
        self.by_code = _Keys()
        self.by_when = _Keys()

    def add(self, *, pk: int, code_key: int | None, when_key: int, values: int, place: int,
            placed_at: int) -> None:  # fmt: skip
        position = len(self.pk)
        self.pk.append(pk)
        self.coded.append(code_key is not None)
        self.values.append(values)
        self.place.append(place)
        self.placed_at.append(placed_at)
        if code_key is not None:
            self.by_code.add(code_key, position)
        self.by_when.add(when_key, position)

    def freeze(self) -> None:
        self.by_code.freeze()
        self.by_when.freeze()
        self.forget_matches()

    def forget_matches(self) -> None:
        size = len(self.pk)
        self.matched = bytearray(size)
        self.matched_by = array("Q", bytes(8 * size))  # the file's run key
        self.first_row = array("I", bytes(4 * size))


# The upload -----------------------------------------------------------------------------------


class Upload:
    """A file checked against one IoT's catalogue. check() counts; changes() hands on the writes.
    Both read the file from the start, row by row, and make the same decisions: the catalogue
    index and the postcodes looked up are kept from the check, so the geocoder answering
    differently in between cannot change them."""

    def __init__(self, institute_id: int, open_file, *, withdraw_absent: bool):
        self.institute_id = institute_id
        self.open_file = open_file
        self.withdraw_absent = withdraw_absent
        self.places: dict[str, object] = {}
        self.reachable = True
        self.index_ready = False

    # Reading ---------------------------------------------------------------------------------

    def _rows(self, plan: Plan, progress=None) -> Iterator[tuple[int, dict, dict, bool]]:
        """(row number, course values, run values, has a run) of each row without errors;
        the errors go to ``plan``."""
        sheet = open_sheet(self.open_file())
        self.columns = [(i, c) for i, c in enumerate(sheet.columns) if c is not None]
        self.course_keys = [c.key for _, c in self.columns if c.level == "course"]
        self.run_keys = [c.key for _, c in self.columns if c.level == "run"]
        if not self.index_ready:
            self._index()
        routes = self.routes()
        for number, cells in sheet.rows:
            plan.row_count += 1
            count = plan.row_count
            if progress and count % PROGRESS_EVERY == 0:
                progress(count, max(sheet.estimated_rows, count))
            course_values, run_values, ok = {}, {}, True
            for index, column in self.columns:
                raw = cells[index] if index < len(cells) else None
                if raw is FORMULA:
                    plan.problem(number, column.label, "holds a formula; type the value itself")
                    ok = False
                    continue
                try:
                    value = column.read(raw)
                except CellError as exc:
                    plan.problem(number, column.label, str(exc))
                    ok = False
                    continue
                if column.key == "route":
                    if value is not None:
                        pk = routes.get(value.casefold())
                        if pk is None:
                            plan.problem(number, column.label, f"{value} is not a route")
                            ok = False
                        value = pk
                    course_values["route_id"] = value
                elif column.level == "course":
                    course_values[column.key] = value
                else:
                    run_values[column.key] = value
            has_run = any(v not in (None, "") for v in run_values.values())
            if has_run:
                for key in REQUIRED_RUN_KEYS:
                    if key in run_values and run_values[key] in (None, ""):
                        plan.problem(number, LABELS[key], "is required for a run")
                        ok = False
                deadline = run_values.get("application_deadline")
                start = run_values.get("start_date")
                if deadline and start and deadline > start:
                    plan.problem(number, LABELS["application_deadline"], "is after the start date")
                    ok = False
            if ok:
                yield number, course_values, run_values, has_run
        if progress:
            progress(plan.row_count, plan.row_count)

    def routes(self) -> dict[str, int]:
        if not hasattr(self, "_routes"):
            self._routes = {}
            for pk, slug, name in Route.objects.values_list("pk", "slug", "name"):
                self._routes[slug.casefold()] = self._routes[name.casefold()] = pk
        return self._routes

    def _place(self, postcode: str) -> object:
        """Each postcode once, through the cached geocoder: (lat, lng), PENDING when the service
        cannot be reached (a job places the run later), or the message saying why not."""
        if postcode not in self.places:
            if not self.reachable:
                self.places[postcode] = PENDING
            else:
                try:
                    point = lookup_postcode(postcode)
                    self.places[postcode] = (
                        Decimal(f"{point.latitude:.5f}"),
                        Decimal(f"{point.longitude:.5f}"),
                    )
                except PostcodeServiceUnavailable:
                    self.reachable = False
                    self.places[postcode] = PENDING
                except GeocodingError as exc:
                    self.places[postcode] = str(exc)
        return self.places[postcode]

    # The catalogue as it is ------------------------------------------------------------------

    def _course_hash(self, values: dict) -> int:
        return key_of(*(values.get(k) for k in self.course_keys_with_route))

    def _run_hash(self, values: dict) -> int:
        return key_of(*(values.get(k) for k in self.run_keys))

    def _index(self) -> None:
        """Hashes of the IoT's courses and runs over the file's columns, read in chunks."""
        self.course_keys_with_route = [k for k in self.course_keys if k != "route"]
        if "route" in self.course_keys:
            self.course_keys_with_route.append("route_id")
        self.courses: dict[int, tuple[int, int]] = {}  # code key -> (id, values hash)
        self.uncoded: dict[int, tuple[int, int]] = {}  # "C<id>" key -> (id, values hash)
        fields = ["pk", "provider_course_code", *self.course_keys_with_route]
        courses = Course.objects.filter(institute_id=self.institute_id).order_by()
        for row in courses.values(*dict.fromkeys(fields)).iterator(chunk_size=READ_CHUNK):
            entry = (row["pk"], self._course_hash(row))
            if row["provider_course_code"]:
                self.courses[key_of(row["provider_course_code"].casefold())] = entry
            else:
                # A course made in the form without a code is downloaded as "C<id>" (see
                # exporting.py); uploaded back, that code matches it and becomes its code.
                self.uncoded[key_of(uncoded_code(row["pk"]).casefold())] = entry
        self.runs = _Runs()
        fields = ["pk", "course_id", *PLACE_KEYS, "run_code", "start_date", "venue_name",
                  "venue_postcode", *self.run_keys]  # fmt: skip
        runs = CourseRun.objects.filter(course__institute_id=self.institute_id).order_by("pk")
        for row in runs.values(*dict.fromkeys(fields)).iterator(chunk_size=READ_CHUNK):
            course = row["course_id"]
            code = row["run_code"]
            self.runs.add(
                pk=row["pk"],
                code_key=key_of(course, "code", code.casefold()) if code else None,
                when_key=key_of(*_run_when(course, row)),
                values=self._run_hash(row),
                place=key_of(*(row[k] for k in PLACE_KEYS)),
                placed_at=key_of(row["venue_postcode"]) if row["latitude"] is not None else 0,
            )
        self.runs.freeze()
        self.index_ready = True

    # Matching --------------------------------------------------------------------------------

    def _walk(self, plan: Plan, progress, *, check: bool) -> Iterator[Change]:
        """Go through the file, counting into ``plan`` (the check) and yielding the changes."""
        seen_courses: dict[int, int] = {}  # code key -> hash of its first row's values
        self.new_runs: dict[int, int] = {}  # run key -> first row, for runs not in the catalogue
        self.listed: set[int] = set()  # ids of the catalogue's courses in the file
        if self.index_ready:  # read again: the catalogue's runs are unmatched again
            self.runs.forget_matches()
        self.conflicts: set[int] = set()  # code keys whose rows disagree
        for number, course_values, run_values, has_run in self._rows(plan, progress):
            code = course_values["provider_course_code"]
            code_key = key_of(code.casefold())
            course_hash = self._course_hash(course_values)
            old = self.courses.get(code_key) or (
                self.uncoded.get(code_key) if code_key not in self.courses else None
            )
            first = seen_courses.get(code_key)
            if first is None:
                seen_courses[code_key] = course_hash
                if old is None:
                    plan.courses_created += 1
                    yield Change("course", None, course_values, course=code_key)
                else:
                    self.listed.add(old[0])
                    if old[1] != course_hash:
                        plan.courses_updated += 1
                        yield Change("course", old[0], course_values)
                    else:
                        plan.courses_unchanged += 1
            elif first != course_hash:
                self.conflicts.add(code_key)  # told row by row, column by column, afterwards
            if not has_run:
                continue
            change = self._match_run(plan, number, old, code_key, run_values)
            if change is not None:
                yield change
        if check and plan.row_count == 0:
            raise FileProblem("The file has a header row but no courses below it.")

    def _match_run(self, plan: Plan, number: int, course, code_key: int, values: dict):
        runs = self.runs
        old = None  # the catalogue run's position
        if course is not None:
            when = key_of(*_run_when(course[0], values))
            if code := values.get("run_code"):
                old = runs.by_code.get(key_of(course[0], "code", code.casefold()))
                if old is None:
                    fallback = runs.by_when.get(when)
                    if fallback is not None and not runs.coded[fallback]:
                        old = fallback
            else:
                old = runs.by_when.get(when)
        key = _run_key(code_key, values)
        first = None
        if old is not None and runs.matched[old]:
            if runs.matched_by[old] == key:
                first = runs.first_row[old]
            old = None
        if old is None and first is None:
            first = self.new_runs.setdefault(key, number)
            first = None if first == number else first
        if first is not None:
            coded = bool(values.get("run_code"))
            plan.problem(
                number,
                LABELS["run_code"] if coded else LABELS["start_date"],
                f"repeats the run in row {first} (same "
                + ("run code" if coded else "start date and venue")
                + ")",
            )
            return None
        postcode = values.get("venue_postcode")
        place = self._place(postcode) if postcode else None
        if isinstance(place, str) and place != PENDING:
            plan.problem(number, LABELS["venue_postcode"], place)
        place_values = None
        if isinstance(place, tuple):
            place_values = {"latitude": place[0], "longitude": place[1], "location_pending": False}
        elif place == PENDING:
            keeps_place = old is not None and runs.placed_at[old] == key_of(postcode)
            if not keeps_place:
                place_values = {"latitude": None, "longitude": None, "location_pending": True}
                plan.location_pending += 1
        if place_values:
            values.update(place_values)
        course_pk = course[0] if course is not None else None
        if old is None:
            plan.runs_created += 1
            return Change("run", None, values, course=code_key, course_pk=course_pk)
        runs.matched[old] = 1
        runs.matched_by[old] = key
        runs.first_row[old] = number
        changed = runs.values[old] != self._run_hash(values) or (
            place_values is not None and runs.place[old] != key_of(*(values[k] for k in PLACE_KEYS))
        )
        if changed:
            plan.runs_updated += 1
            return Change("run", runs.pk[old], values)
        plan.runs_unchanged += 1
        return None

    # The two passes --------------------------------------------------------------------------

    def check(self, progress=None) -> Plan:
        plan = Plan(upload=self)
        try:
            for _ in self._walk(plan, progress, check=True):
                pass
            if self.conflicts:
                self._tell_conflicts(plan)
        except FileProblem as problem:
            plan.problem(None, "", str(problem))
            return plan
        if self.withdraw_absent and self.index_ready:
            self._withdrawals(plan)
        plan.problems.sort(key=lambda p: p.row or 0)
        return plan

    def _tell_conflicts(self, plan: Plan) -> None:
        """Rows of one course that disagree: read the file again for those courses only and say
        which columns differ from the course's first row."""
        first: dict[int, tuple[int, dict]] = {}
        for number, values, _, _ in self._rows(Plan()):
            code = values["provider_course_code"]
            code_key = key_of(code.casefold())
            if code_key not in self.conflicts:
                continue
            if code_key not in first:
                first[code_key] = (number, values)
                continue
            row, reference = first[code_key]
            for key, value in values.items():
                if reference.get(key) != value:
                    plan.problem(
                        number,
                        LABELS["route" if key == "route_id" else key],
                        f"differs from row {row} for course {code}; a course's columns must "
                        "be the same on each of its rows",
                    )

    def _withdrawals(self, plan: Plan) -> None:
        listed = self.listed
        courses = Course.objects.filter(institute_id=self.institute_id).order_by("pk")
        plan.withdrawn_courses = [
            pk
            for pk in courses.filter(status=Course.Status.PUBLISHED)
            .values_list("pk", flat=True)
            .iterator(chunk_size=READ_CHUNK * 4)
            if pk not in listed
        ]
        unmatched = {pk for pk, hit in zip(self.runs.pk, self.runs.matched, strict=True) if not hit}
        runs = CourseRun.objects.filter(course__institute_id=self.institute_id).order_by("pk")
        plan.removed_runs = [
            pk
            for pk, course_id in runs.values_list("pk", "course_id").iterator(
                chunk_size=READ_CHUNK * 4
            )
            if course_id in listed and pk in unmatched
        ]

    def changes(self, plan: Plan, progress=None) -> Iterator[Change]:
        """The file read again, yielding each write as its row is met; the counts must come
        out as the check's did."""
        again = Plan()
        yield from self._walk(again, progress, check=False)
        if again.has_errors or again.tally() != plan.tally():
            raise RuntimeError("The file read differently the second time.")
