"""Creating, checking and applying bulk course uploads, and placing runs whose postcode could
not be looked up at the time. The staff action (confirm) writes one audit entry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from kombu.exceptions import OperationalError as KombuOperationalError

from institutes.models import Institute
from iot_network import outages
from iot_network.notifications.services import notify
from iot_network.staff import audit
from iot_network.web.geocoding import GeocodingError, PostcodeServiceUnavailable, lookup_postcode

from ..models import Course, CourseImport, CourseRun
from .files import detect_format, stored_file
from .plan import Change, Plan, build_plan

# Files up to this size are checked and applied while the person waits; bigger ones in a job.
INLINE_BYTES = 64 * 1024
BATCH = 500
PROGRESS_SECONDS = 60 * 60
PLACE_AFTER = 10 * 60  # seconds before the first try at placing runs the geocoder missed
# Looked up by name in Celery's registry rather than imported: tasks.py imports this module.
CHECK_TASK = "courses.tasks.check_course_import"
APPLY_TASK = "courses.tasks.apply_course_import"
PLACE_TASK = "courses.tasks.place_pending_course_runs"


def _enqueue(name: str, *args, countdown: int | None = None) -> None:
    try:
        current_app.tasks[name].apply_async(args=args, countdown=countdown)
    except (KombuOperationalError, OSError) as exc:
        # After commit: the import is saved; the hourly job picks up what was never started.
        outages.report("broker", f"{name} left for the hourly job", exc)


def progress_key(import_id: int) -> str:
    return f"course-import:{import_id}:progress"


def read_progress(import_id: int) -> dict | None:
    """How far the job has got: {"stage", "done", "total"}; kept in the cache, because the
    apply job's own writes are not visible to anyone until its transaction commits."""
    return cache.get(progress_key(import_id))


def _reporter(import_id: int, stage: str) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        cache.set(
            progress_key(import_id),
            {"stage": stage, "done": done, "total": max(total, 1)},
            PROGRESS_SECONDS,
        )

    return report


def summary(counts: dict) -> str:
    c, r = counts.get("courses", {}), counts.get("runs", {})
    return (
        f"courses: {c.get('created', 0)} created, {c.get('updated', 0)} updated, "
        f"{c.get('unchanged', 0)} unchanged, {c.get('withdrawn', 0)} withdrawn; "
        f"runs: {r.get('created', 0)} created, {r.get('updated', 0)} updated, "
        f"{r.get('unchanged', 0)} unchanged, {r.get('withdrawn', 0)} withdrawn"
    )


# Upload and check -----------------------------------------------------------------------------


def create_import(
    *, institute: Institute, file_name: str, content: bytes, withdraw_absent: bool, acting_user
) -> CourseImport:
    """Keep the file and check it: now, for a small file; in a job (with an email when done)
    for a big one. Nothing in the catalogue changes until the person confirms."""
    course_import = CourseImport.objects.create(
        institute=institute,
        uploaded_by=acting_user,
        file_name=file_name[:255],
        file_format=detect_format(content),
        content=content,
        withdraw_absent=withdraw_absent,
        in_background=len(content) > INLINE_BYTES,
    )
    if course_import.in_background:
        _reporter(course_import.pk, "checking")(0, 1)
        transaction.on_commit(lambda: _enqueue(CHECK_TASK, course_import.pk))
        return course_import
    return check_import(course_import_id=course_import.pk)


PLAN_FIELDS = ["row_count", "counts", "errors", "error_count", "checked_at", "status"]


def _store_plan(course_import: CourseImport, plan: Plan) -> None:
    course_import.row_count = plan.row_count
    course_import.counts = plan.counts()
    course_import.errors = [p.as_dict() for p in plan.problems]
    course_import.error_count = plan.error_count
    course_import.checked_at = timezone.now()


@transaction.atomic
def check_import(*, course_import_id: int) -> CourseImport:
    """Check the file and work out what confirming it would change (the preview). Safe to run
    twice: an import already checked is returned as it is."""
    course_import = (
        CourseImport.objects.select_for_update().defer("content").get(pk=course_import_id)
    )
    if course_import.status != CourseImport.Status.CHECKING:
        return course_import
    plan = build_plan(
        institute_id=course_import.institute_id,
        open_file=lambda: stored_file(CourseImport, course_import.pk),
        withdraw_absent=course_import.withdraw_absent,
        progress=_reporter(course_import.pk, "checking"),
    )
    _store_plan(course_import, plan)
    course_import.status = (
        CourseImport.Status.INVALID if plan.has_errors else CourseImport.Status.READY
    )
    course_import.save(update_fields=PLAN_FIELDS)  # not the file
    if course_import.in_background:
        _tell_uploader(course_import)
    return course_import


# Confirm and apply ----------------------------------------------------------------------------


@transaction.atomic
def confirm_import(*, course_import: CourseImport, acting_user) -> CourseImport:
    """The person confirms the preview: a small file is applied now, a big one in a job."""
    course_import = (
        CourseImport.objects.select_for_update().defer("content").get(pk=course_import.pk)
    )
    if course_import.status != CourseImport.Status.READY:
        return course_import
    if not course_import.in_background:
        return apply_import(course_import_id=course_import.pk, acting_user_id=acting_user.pk)
    course_import.status = CourseImport.Status.APPLYING
    course_import.confirmed_by = acting_user
    course_import.save(update_fields=["status", "confirmed_by"])
    _reporter(course_import.pk, "applying")(0, 1)
    transaction.on_commit(lambda: _enqueue(APPLY_TASK, course_import.pk, acting_user.pk))
    return course_import


@transaction.atomic
def apply_import(*, course_import_id: int, acting_user_id: int | None) -> CourseImport:
    """Apply a confirmed import in one transaction, against the catalogue as it is now (the
    file is checked again under a lock on the IoT, so two uploads for one IoT queue up). Safe
    to run twice: an import already applied is left alone."""
    course_import = (
        CourseImport.objects.select_for_update().defer("content").get(pk=course_import_id)
    )
    if course_import.status not in (CourseImport.Status.READY, CourseImport.Status.APPLYING):
        return course_import
    Institute.objects.select_for_update().filter(pk=course_import.institute_id).first()
    report = _reporter(course_import.pk, "applying")
    plan = build_plan(
        institute_id=course_import.institute_id,
        open_file=lambda: stored_file(CourseImport, course_import.pk),
        withdraw_absent=course_import.withdraw_absent,
        progress=lambda done, total: report(done // 2, total),
    )
    previewed = course_import.counts
    _store_plan(course_import, plan)
    if plan.has_errors:
        # The catalogue changed since the preview in a way the file now clashes with.
        course_import.status = CourseImport.Status.INVALID
        course_import.save(update_fields=PLAN_FIELDS)  # not the file
        if course_import.in_background:
            _tell_uploader(course_import)
        return course_import
    if not same_changes(previewed, course_import.counts):
        # The catalogue changed since the preview (another upload, an edit in the admin), so
        # confirming would no longer do what the person saw: show them the new preview instead.
        course_import.status = CourseImport.Status.READY
        course_import.save(update_fields=PLAN_FIELDS)
        if course_import.in_background:
            _tell_uploader(course_import, changed=True)
        return course_import
    _write(course_import.institute_id, plan, lambda done, total: report(
        plan.row_count // 2 + done // 2, plan.row_count
    ))  # fmt: skip
    course_import.status = CourseImport.Status.APPLIED
    course_import.applied_at = timezone.now()
    course_import.content = b""
    course_import.save(update_fields=[*PLAN_FIELDS, "applied_at", "content"])
    acting_user = _user(acting_user_id)
    audit.record(
        actor=acting_user,
        action="applied course upload",
        target=course_import,
        detail=f"{course_import.file_name}: {plan.row_count} rows; {summary(plan.counts())}",
    )
    if plan.location_pending:
        institute_id = course_import.institute_id
        transaction.on_commit(lambda: _enqueue(PLACE_TASK, institute_id, countdown=PLACE_AFTER))
    if course_import.in_background:
        _tell_uploader(course_import)
    report(plan.row_count, plan.row_count)
    return course_import


def _user(user_id: int | None):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


def unique_slugs(titles: list[str]) -> list[str]:
    """A slug for each title that no course has yet (two queries, three at worst)."""
    bases = [slugify(t)[:200].strip("-") or "course" for t in titles]
    taken = set(Course.objects.filter(slug__in=set(bases)).values_list("slug", flat=True))
    wanted: list[str] = []
    seen: set[str] = set()
    for base in bases:
        slug = base if base not in taken and base not in seen else ""
        wanted.append(slug)
        seen.add(slug or base)
    # Numbered slugs for the clashes: ask once which of base-2 ... base-N exist.
    clashes = [i for i, slug in enumerate(wanted) if not slug]
    if clashes:
        prefix_filter = Q()
        for i in clashes:
            prefix_filter |= Q(slug__startswith=f"{bases[i]}-")
        taken |= set(Course.objects.filter(prefix_filter).values_list("slug", flat=True))
        taken |= seen
        for i in clashes:
            n = 2
            while f"{bases[i]}-{n}" in taken:
                n += 1
            wanted[i] = f"{bases[i]}-{n}"
            taken.add(wanted[i])
    return wanted


class _Writer:
    """The changes of an upload, written BATCH at a time as they are read from the file."""

    def __init__(self, institute_id: int):
        self.institute_id = institute_id
        self.now = timezone.now()
        self.new_courses: list[tuple[int, Course]] = []  # (code key, course)
        self.created: dict[int, int] = {}  # code key -> id of the course written
        self.changed_courses: dict[int, dict] = {}
        self.new_runs: list[Change] = []
        self.changed_runs: dict[int, dict] = {}

    def add(self, change: Change) -> None:
        if change.kind == "course" and change.pk is None:
            course = Course(institute_id=self.institute_id, **change.values)
            self.new_courses.append((change.course, course))
            if len(self.new_courses) >= BATCH:
                self.write_new_courses()
        elif change.kind == "course":
            self.changed_courses[change.pk] = change.values
            if len(self.changed_courses) >= BATCH:
                self.write_changed_courses()
        elif change.pk is None:
            self.new_runs.append(change)
            if len(self.new_runs) >= BATCH:
                self.write_new_runs()
        else:
            self.changed_runs[change.pk] = change.values
            if len(self.changed_runs) >= BATCH:
                self.write_changed_runs()

    def write_new_courses(self) -> None:
        courses = [course for _, course in self.new_courses]
        for course, slug in zip(courses, unique_slugs([c.title for c in courses]), strict=True):
            course.slug = slug
            if course.status == Course.Status.PUBLISHED:
                course.published_at = self.now
        Course.objects.bulk_create(courses)
        self.created.update((key, course.pk) for key, course in self.new_courses)
        self.new_courses = []

    def write_changed_courses(self) -> None:
        courses = Course.objects.in_bulk(list(self.changed_courses))
        fields: set[str] = {"updated_at"}
        for pk, values in self.changed_courses.items():
            course = courses[pk]
            for key, value in values.items():
                setattr(course, key, value)
            fields |= set(values)
            if values.get("status") == Course.Status.PUBLISHED and not course.published_at:
                course.published_at = self.now
                fields.add("published_at")
            course.updated_at = self.now
        if courses:
            Course.objects.bulk_update(list(courses.values()), sorted(fields))
        self.changed_courses = {}

    def write_new_runs(self) -> None:
        if any(c.course_pk is None and c.course not in self.created for c in self.new_runs):
            self.write_new_courses()  # the runs' courses first
        CourseRun.objects.bulk_create(
            [
                CourseRun(course_id=c.course_pk or self.created[c.course], **c.values)
                for c in self.new_runs
            ]
        )
        self.new_runs = []

    def write_changed_runs(self) -> None:
        runs = CourseRun.objects.in_bulk(list(self.changed_runs))
        fields: set[str] = set()
        for pk, values in self.changed_runs.items():
            for key, value in values.items():
                setattr(runs[pk], key, value)
            fields |= set(values)
        if runs:
            CourseRun.objects.bulk_update(list(runs.values()), sorted(fields))
        self.changed_runs = {}

    def finish(self) -> None:
        self.write_new_courses()
        self.write_changed_courses()
        self.write_new_runs()
        self.write_changed_runs()


def _write(institute_id: int, plan: Plan, report: Callable[[int, int], None]) -> None:
    """Withdrawals first, then the file read again, its changes written in batches."""
    now = timezone.now()
    for start in range(0, len(plan.withdrawn_courses), BATCH):
        Course.objects.filter(pk__in=plan.withdrawn_courses[start : start + BATCH]).update(
            status=Course.Status.DRAFT, updated_at=now
        )
    for start in range(0, len(plan.removed_runs), BATCH):
        CourseRun.objects.filter(pk__in=plan.removed_runs[start : start + BATCH]).delete()
    writer = _Writer(institute_id)
    for change in plan.changes(report):
        writer.add(change)
    writer.finish()


def same_changes(previewed: dict, counts: dict) -> bool:
    """Whether applying would change what the preview said it would: the courses and runs
    created, updated, unchanged and withdrawn. (Runs waiting for the postcode service are not
    a change to the catalogue's contents.)"""
    return all(previewed.get(kind) == counts.get(kind) for kind in ("courses", "runs"))


def _tell_uploader(course_import: CourseImport, *, changed: bool = False) -> None:
    """Mail the person who uploaded a big file when its job is done (wording in the template);
    ``changed``: the catalogue changed since the preview they confirmed, so nothing was
    applied and there is a new preview."""
    user = course_import.uploaded_by
    if user is None or not user.email:
        return
    status = course_import.status
    again = f":{course_import.checked_at:%Y%m%d%H%M%S%f}" if changed else ""
    notify(
        to=user.email,
        kind="course-import",
        dedupe_key=f"course-import:{course_import.pk}:{status}{again}",
        about=course_import,
        context={
            "changed": changed,
            "file_name": course_import.file_name,
            "status": status,
            "institute": course_import.institute.name,
            "counts": course_import.counts,
            "error_count": course_import.error_count,
            "url": settings.SITE_URL + course_import.get_absolute_url(),
        },
    )


def record_download(*, institute: Institute, file_name: str, acting_user) -> None:
    """Downloads of a catalogue are exports: audited like the others."""
    audit.record(actor=acting_user, action="downloaded courses", target=institute, detail=file_name)


# Runs waiting for a place ---------------------------------------------------------------------


def resume_stalled_imports(*, older_than_minutes: int = 15) -> int:
    """Start again the jobs of imports whose job never ran (the broker was down when they were
    queued, or a worker was lost): the checks and applies are safe to run twice."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    stalled = CourseImport.objects.filter(
        status__in=[CourseImport.Status.CHECKING, CourseImport.Status.APPLYING],
        created_at__lt=cutoff,
    ).values_list("pk", "status", "confirmed_by_id")
    count = 0
    for pk, status, confirmed_by_id in stalled:
        if status == CourseImport.Status.CHECKING:
            _enqueue(CHECK_TASK, pk)
        else:
            _enqueue(APPLY_TASK, pk, confirmed_by_id)
        count += 1
    return count


def place_pending_runs(*, institute_id: int | None = None) -> int:
    """Look up the postcodes of runs marked "location pending"; returns how many were placed.
    Stops at the first sign the service is still down (the next run of the job tries again)."""
    pending = CourseRun.objects.filter(location_pending=True)
    if institute_id is not None:
        pending = pending.filter(course__institute_id=institute_id)
    placed = 0
    for postcode in pending.values_list("venue_postcode", flat=True).distinct():
        try:
            point = lookup_postcode(postcode)
        except PostcodeServiceUnavailable:
            break
        except GeocodingError:
            # Gone from the postcode directory since the upload: stop waiting for it.
            pending.filter(venue_postcode=postcode).update(location_pending=False)
            continue
        placed += pending.filter(venue_postcode=postcode).update(
            latitude=round(point.latitude, 5),
            longitude=round(point.longitude, 5),
            location_pending=False,
        )
    return placed
