from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from institutes.models import Institute, Route
from iot_network.equality.models import EqualityAnswers
from iot_network.web.identifiers import (
    normalise_postcode,
    validate_lars_code,
    validate_qan,
    validate_standard_reference,
    validate_ukprn,
)

from .choices import APPRENTICESHIP_TYPES, QualificationType
from .querysets import (
    CourseImportQuerySet,
    CourseQuerySet,
    CourseRunQuerySet,
    EnquiryQuerySet,
)


class Level(models.IntegerChoices):
    FOUR = 4, "Level 4"
    FIVE = 5, "Level 5"
    SIX = 6, "Level 6"
    SEVEN = 7, "Level 7"


class SectorTag(models.Model):
    """A finer label than the route, e.g. "Cyber security" or "Net Zero"."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    institute = models.ForeignKey(Institute, on_delete=models.PROTECT, related_name="courses")
    provider_course_code = models.CharField(
        "provider course code",
        max_length=40,
        blank=True,
        help_text="The IoT's own code for the course; a bulk upload matches courses by it.",
    )
    provider_name = models.CharField(
        "delivering provider",
        max_length=200,
        help_text="The college or university that teaches it.",
    )
    provider_ukprn = models.CharField(
        "provider UKPRN", max_length=8, blank=True, validators=[validate_ukprn]
    )
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    qualification_type = models.CharField(max_length=32, choices=QualificationType.choices)
    route = models.ForeignKey(Route, on_delete=models.PROTECT, related_name="courses")
    sector_tags = models.ManyToManyField(SectorTag, blank=True, related_name="courses")
    summary = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    what_you_learn = models.TextField("what you will learn", blank=True)
    entry_requirements = models.TextField(blank=True)
    assessment = models.TextField("how you are assessed", blank=True)
    careers = models.TextField(
        "careers", blank=True, help_text="Job titles this course leads to, one per line."
    )
    progression = models.TextField(
        "next steps", blank=True, help_text="Courses or qualifications to go on to."
    )
    standard_reference = models.CharField(
        "occupational standard", max_length=6, blank=True, validators=[validate_standard_reference]
    )
    lars_code = models.CharField(
        "LARS code", max_length=8, blank=True, validators=[validate_lars_code]
    )
    qan = models.CharField("Ofqual QAN", max_length=10, blank=True, validators=[validate_qan])
    htq_approved = models.BooleanField("approved as an HTQ", default=False)
    student_finance = models.BooleanField("eligible for student finance", default=False)
    employer_sponsored = models.BooleanField(
        default=False, help_text="An employer can pay the fees or offer a sponsored place."
    )
    partner_employers = models.ManyToManyField(
        "partners.Organisation", blank=True, related_name="courses"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The soonest upcoming start, so the default "soonest start" order reads an index. Kept by
    # a PostgreSQL trigger on runs (migration 0004) and refreshed nightly as dates pass.
    upcoming_start = models.DateField(null=True, blank=True, editable=False)
    # Which kinds of upcoming run (study mode, attendance, no fee) the course has, one bit each
    # (courses/upcoming.py), kept beside upcoming_start by the same trigger (migration 0011).
    upcoming_kinds = models.IntegerField(default=0, editable=False)
    # Kept up to date by a PostgreSQL trigger (migration 0002); empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [
            models.Index(fields=["status", "title"]),
            models.Index(fields=["status", "level"]),
            models.Index(fields=["status", "qualification_type"]),
            models.Index(
                fields=["status", "upcoming_start", "title", "id"], name="courses_course_upcoming"
            ),
            # Covering index: the counts beside the search results read every matching course's
            # facet fields; from this index, not the wide table (text and search vector). With
            # the title, a search with a place or dates orders its page from the same rows
            # (courses.search._page_and_facets_from_runs).
            models.Index(
                fields=["status"],
                include=[
                    "id",
                    "title",
                    "level",
                    "qualification_type",
                    "route",
                    "institute",
                    "student_finance",
                    "employer_sponsored",
                    "upcoming_start",
                    "upcoming_kinds",
                ],
                name="courses_course_facets",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["institute", "provider_course_code"],
                condition=~models.Q(provider_course_code=""),
                name="courses_course_code_unique_per_iot",
                violation_error_message="Another course of this IoT has this course code.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    # Kept by the database from the course's runs (migration 0011); a save of the course itself
    # must not write back the values it read, which a run saved meanwhile may have changed.
    KEPT_BY_DATABASE = ("upcoming_start", "upcoming_kinds")

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None:
            skip = {*self.KEPT_BY_DATABASE, *self.get_deferred_fields()}  # as Django's own save
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not (field.primary_key or field.generated or field.attname in skip)
                and field.name not in skip
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("courses:detail", kwargs={"slug": self.slug})

    @property
    def is_apprenticeship(self) -> bool:
        return self.qualification_type in APPRENTICESHIP_TYPES

    @property
    def career_list(self) -> list[str]:
        return [line.strip() for line in self.careers.splitlines() if line.strip()]

    def publish(self) -> None:
        self.status = self.Status.PUBLISHED
        self.published_at = self.published_at or timezone.now()


def _as_float(field_name: str) -> models.GeneratedField:
    return models.GeneratedField(
        expression=Cast(field_name, models.FloatField()),
        output_field=models.FloatField(),
        db_persist=True,
    )


class CourseRun(models.Model):
    """One intake of a course: when it starts, how it is taught, where, and what it costs."""

    class StudyMode(models.TextChoices):
        FULL_TIME = "full-time", "Full time"
        PART_TIME = "part-time", "Part time"
        FLEXIBLE = "flexible", "Flexible"

    class Attendance(models.TextChoices):
        CAMPUS = "campus", "On campus"
        ONLINE = "online", "Online"
        BLENDED = "blended", "Blended (online and on campus)"
        WORKPLACE = "workplace", "In the workplace"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="runs")
    run_code = models.CharField(
        "run code",
        max_length=40,
        blank=True,
        help_text="Optional: the IoT's own code for this intake; a bulk upload matches runs by "
        "it, or else by start date and venue.",
    )
    start_date = models.DateField()
    duration_months = models.PositiveSmallIntegerField()
    study_mode = models.CharField(max_length=16, choices=StudyMode.choices)
    attendance = models.CharField(max_length=16, choices=Attendance.choices)
    venue_name = models.CharField(max_length=200, blank=True)
    venue_postcode = models.CharField(max_length=8, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    # The same place as floating point, kept by the database, for distance searches: comparing
    # and converting exact decimals cost more than the rest of a distance search together.
    # A bulk upload keeps the postcode and leaves the place empty while the geocoder is
    # unreachable; a job fills it in later (courses.bulk.services.fill_pending_locations).
    location_pending = models.BooleanField(default=False, editable=False)
    lat = _as_float("latitude")
    lng = _as_float("longitude")
    fee = models.DecimalField(
        "fee (£)", max_digits=8, decimal_places=2, null=True, blank=True,
        help_text="The whole course fee for this run. 0 for no fee; empty if not yet known.",
        validators=[MinValueValidator(0, "The fee cannot be less than 0: enter 0 for no fee.")],
    )  # fmt: skip
    application_deadline = models.DateField(null=True, blank=True)
    places = models.PositiveIntegerField(null=True, blank=True)
    how_to_apply = models.TextField(blank=True)
    apply_url = models.URLField("application link", blank=True)

    objects = CourseRunQuerySet.as_manager()

    class Meta:
        ordering = ["start_date"]
        indexes = [
            # Covering indexes: run filters and the per-course subqueries read the index only.
            models.Index(
                fields=["course", "start_date"],
                include=["lat", "lng", "study_mode", "attendance", "fee"],
                name="courses_run_course_start",
            ),
            models.Index(fields=["start_date"]),
            models.Index(
                fields=["lat", "lng"],
                include=["course", "start_date", "study_mode", "attendance", "fee"],
                name="courses_run_location",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(
                    latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                ),
                name="courses_run_valid_location",
                violation_error_message=(
                    "Enter a latitude between -90 and 90 and a longitude between -180 and 180, "
                    "or neither."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(application_deadline__isnull=True)
                | models.Q(application_deadline__lte=models.F("start_date")),
                name="courses_run_deadline_before_start",
                violation_error_message=(
                    "The application deadline must be on or before the start date."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} from {self.start_date:%d %B %Y}"

    def clean(self):
        super().clean()
        if self.venue_postcode:
            postcode = normalise_postcode(self.venue_postcode)
            if postcode is None:
                raise ValidationError(
                    {"venue_postcode": "Enter the venue's full UK postcode, like SW1A 1AA."}
                )
            self.venue_postcode = postcode
        # A postcode without a place: the hourly job looks it up (place_pending_course_runs), so
        # the run is found by searches near a postcode without staff typing coordinates.
        self.location_pending = bool(
            self.venue_postcode and self.latitude is None and self.longitude is None
        )

    @property
    def duration_display(self) -> str:
        months = self.duration_months
        if months % 12 == 0:
            years = months // 12
            return f"{years} year{'s' if years != 1 else ''}"
        return f"{months} month{'s' if months != 1 else ''}"


class Enquiry(models.Model):
    """A learner's question about a course, for the Institute of Technology's staff."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enquiries")
    name = models.CharField(max_length=120)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    message = models.TextField(max_length=2000)
    consent_to_contact = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)
    replied_at = models.DateTimeField(null=True, blank=True)

    objects = EnquiryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "enquiries"

    def __str__(self) -> str:
        return f"{self.name} about {self.course}"


class SavedSearch(models.Model):
    """A signed-in learner's search, checked daily for newly published courses."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=200)
    query = models.CharField(max_length=2000, help_text="The search's query string.")
    apprenticeships_only = models.BooleanField(
        default=False, help_text="Saved from Find an apprenticeship: only apprenticeships match."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "query", "apprenticeships_only"],
                name="courses_saved_search_unique_kind",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        page = "apprenticeships" if self.apprenticeships_only else "courses:list"
        return reverse(page) + (f"?{self.query}" if self.query else "")


class CourseImport(models.Model):
    """One uploaded file of courses and runs: checked into a preview, then applied on confirm."""

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking the file"
        READY = "ready", "Ready to confirm"
        INVALID = "invalid", "Has errors"
        APPLYING = "applying", "Applying"
        APPLIED = "applied", "Applied"
        FAILED = "failed", "Not applied"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    institute = models.ForeignKey(
        Institute, on_delete=models.CASCADE, related_name="course_imports"
    )
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=8, choices=Format.choices)
    # The file itself until it is applied (at most a few megabytes; see courses.bulk.files).
    content = models.BinaryField(editable=False)
    withdraw_absent = models.BooleanField(
        "withdraw courses not in the file",
        default=False,
        help_text="Unpublish this IoT's courses that the file does not list, and remove runs "
        "of listed courses that the file does not list.",
    )
    in_background = models.BooleanField(default=False, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CHECKING)
    row_count = models.PositiveIntegerField(default=0)
    # {"courses": {"created": n, "updated": n, "unchanged": n, "withdrawn": n}, "runs": {...},
    #  "location_pending": n}
    counts = models.JSONField(default=dict, blank=True)
    # [{"row": 14, "column": "Start date", "message": "31/02/2027 is not a date"}, ...], the
    # first few hundred; error_count has them all.
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    objects = CourseImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.institute})"

    def get_absolute_url(self) -> str:
        return reverse("admin:courses_course_import_detail", args=[self.pk])

    @property
    def is_working(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.APPLYING)


class EnquiryEquality(EqualityAnswers):
    """The enquirer's equality monitoring answers, apart from their enquiry (never shown beside
    it); deleted with it, or after the retention period."""

    enquiry = models.OneToOneField(Enquiry, on_delete=models.CASCADE, related_name="equality")

    class Meta:
        verbose_name = "equality monitoring answers"
        verbose_name_plural = "equality monitoring answers"
