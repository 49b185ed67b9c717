import hashlib
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from institutes.models import Institute, Route
from iot_network.staff.scoping import ScopedQuerySet
from iot_network.web.identifiers import (
    validate_companies_house_number,
    validate_postcode,
    validate_standard_reference,
    validate_ukprn,
)

INVITATION_LIFETIME = timedelta(days=14)


class Interest(models.Model):
    """A way of working with an IoT (apprenticeships, curriculum design, sponsorship...)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class OrganisationQuerySet(ScopedQuerySet):
    institute_path = "institutes"

    def approved(self) -> "OrganisationQuerySet":
        return self.filter(status=Organisation.Status.APPROVED)

    def pending(self) -> "OrganisationQuerySet":
        return self.filter(status=Organisation.Status.PENDING)

    def in_directory(self) -> "OrganisationQuerySet":
        """Approved partners who agreed to be listed publicly."""
        return self.approved().filter(listed_in_directory=True)

    def possibly_the_same_as(self, organisation: "Organisation") -> "OrganisationQuerySet":
        """Other organisations that may be ``organisation`` applying again: the same name, or
        the same postcode, website or phone number (identifiers are unique, so never clash)."""
        same = Q(name__iexact=organisation.name.strip())
        for field in ("postcode", "website", "contact_phone"):
            value = getattr(organisation, field).strip()
            if value:
                same |= Q(**{f"{field}__iexact": value})
        return self.exclude(pk=organisation.pk).filter(same)


class Organisation(models.Model):
    """An employer or provider that works with one or more Institutes of Technology."""

    class Type(models.TextChoices):
        EMPLOYER = "employer", "Employer"
        COLLEGE = "college", "College"
        UNIVERSITY = "university", "University"
        TRAINING_PROVIDER = "training-provider", "Training provider"
        OTHER = "other", "Other"

    class Size(models.TextChoices):
        MICRO = "micro", "1 to 9 employees"
        SMALL = "small", "10 to 49 employees"
        MEDIUM = "medium", "50 to 249 employees"
        LARGE = "large", "250 or more employees"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    PROVIDER_TYPES = (Type.COLLEGE, Type.UNIVERSITY, Type.TRAINING_PROVIDER)

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    org_type = models.CharField("type", max_length=32, choices=Type.choices)
    companies_house_number = models.CharField(
        max_length=8, blank=True, validators=[validate_companies_house_number]
    )
    ukprn = models.CharField("UKPRN", max_length=8, blank=True, validators=[validate_ukprn])
    sector = models.ForeignKey(Route, on_delete=models.PROTECT, related_name="organisations")
    size = models.CharField(max_length=16, choices=Size.choices, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=8, blank=True, validators=[validate_postcode])
    website = models.URLField(blank=True)
    summary = models.TextField(blank=True)
    institutes = models.ManyToManyField(Institute, related_name="partners")
    interests = models.ManyToManyField(Interest, related_name="organisations", blank=True)
    contact_name = models.CharField(max_length=120, blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_date = models.DateField(
        null=True, blank=True, help_text="When the partnership is next reviewed (renewal)."
    )
    listed_in_directory = models.BooleanField(
        default=False, help_text="The organisation agreed to appear in the public directory."
    )
    consent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the applicant agreed to how we use their details."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["companies_house_number"],
                condition=~Q(companies_house_number=""),
                name="partners_unique_companies_house_number",
            ),
            models.UniqueConstraint(
                fields=["ukprn"], condition=~Q(ukprn=""), name="partners_unique_ukprn"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:detail", kwargs={"slug": self.slug})

    def get_area_url(self) -> str:
        return reverse("partners:area", kwargs={"slug": self.slug})

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_provider(self) -> bool:
        return self.org_type in self.PROVIDER_TYPES


class OrganisationMemberQuerySet(ScopedQuerySet):
    institute_path = "organisation__institutes"


class OrganisationMember(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    job_title = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationMemberQuerySet.as_manager()

    class Meta:
        ordering = ["role", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="partners_unique_member")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER


class InvitationQuerySet(ScopedQuerySet):
    institute_path = "organisation__institutes"

    def open(self) -> "InvitationQuerySet":
        return self.filter(
            accepted_at__isnull=True, created_at__gt=timezone.now() - INVITATION_LIFETIME
        )


class Invitation(models.Model):
    """An owner's invitation to a colleague; only a hash of the emailed token is stored."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(max_length=254)
    role = models.CharField(
        max_length=16,
        choices=OrganisationMember.Role.choices,
        default=OrganisationMember.Role.MEMBER,
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.organisation}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def new_token(cls) -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, cls.hash_token(token)

    @property
    def expires_at(self):
        return self.created_at + INVITATION_LIFETIME


class OpportunityQuerySet(ScopedQuerySet):
    institute_path = "institute"

    def live(self, today: date | None = None) -> "OpportunityQuerySet":
        """Approved by staff, still open, from an approved partner: what learners may see."""
        today = today or timezone.localdate()
        return self.filter(
            status=Opportunity.Status.APPROVED,
            closing_date__gte=today,
            organisation__status=Organisation.Status.APPROVED,
        )

    def apprenticeships(self) -> "OpportunityQuerySet":
        return self.filter(kind=Opportunity.Kind.APPRENTICESHIP)

    def pending(self) -> "OpportunityQuerySet":
        return self.filter(status=Opportunity.Status.PENDING)

    def matching(
        self, *, q: str = "", routes=(), regions=(), institutes=()
    ) -> "OpportunityQuerySet":
        """The course search's keywords, subjects, regions and institutes, applied to vacancies
        (the subject is the linked course's, or else the employer's sector)."""
        qs = self
        for word in q.split()[:10]:
            qs = qs.filter(Q(title__icontains=word) | Q(description__icontains=word))
        if routes:
            qs = qs.filter(
                Q(course__route__slug__in=routes)
                | Q(course__isnull=True, organisation__sector__slug__in=routes)
            )
        if regions:
            qs = qs.filter(institute__region__in=regions)
        if institutes:
            qs = qs.filter(institute__slug__in=institutes)
        return qs


class Opportunity(models.Model):
    """Something a partner offers through an IoT; staff approve it before learners see it."""

    class Kind(models.TextChoices):
        APPRENTICESHIP = "apprenticeship", "Apprenticeship vacancy"
        PLACEMENT = "placement", "Work placement"
        INTERNSHIP = "internship", "Internship"
        GUEST_TALK = "guest-talk", "Guest talk"
        PROJECT_BRIEF = "project-brief", "Project brief"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        CLOSED = "closed", "Closed"

    class WageUnit(models.TextChoices):
        HOUR = "hour", "an hour"
        WEEK = "week", "a week"
        YEAR = "year", "a year"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="opportunities"
    )
    institute = models.ForeignKey(Institute, on_delete=models.PROTECT, related_name="opportunities")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField()
    course = models.ForeignKey(
        "courses.Course",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
        help_text="The course the apprentice will study, if you know it.",
    )
    standard_reference = models.CharField(
        "occupational standard",
        max_length=6,
        blank=True,
        validators=[validate_standard_reference],
        help_text="For apprenticeships: the standard's reference, like ST0787.",
    )
    location = models.CharField(max_length=200, help_text="Town or site, e.g. Sheffield.")
    postcode = models.CharField(max_length=8, blank=True, validators=[validate_postcode])
    wage_amount = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    wage_unit = models.CharField(max_length=8, choices=WageUnit.choices, blank=True)
    hours_per_week = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    positions = models.PositiveSmallIntegerField(default=1)
    positions_filled = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="How many of its positions were filled, if the partner or staff said when "
        "closing it (empty: not recorded).",
    )
    closing_date = models.DateField()
    start_date = models.DateField(null=True, blank=True)
    how_to_apply = models.TextField(help_text="What applicants should do, and where.")
    apply_url = models.URLField(blank=True)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["closing_date", "title"]
        verbose_name_plural = "opportunities"
        indexes = [
            models.Index(fields=["status", "kind", "closing_date"]),
            models.Index(fields=["institute", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(positions_filled__isnull=True)
                | Q(positions_filled__lte=models.F("positions")),
                name="partners_opportunity_filled_within_positions",
                violation_error_message="No more positions can be filled than it offered.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("partners:opportunity", kwargs={"pk": self.pk})

    def clean(self):
        super().clean()
        # The IoT's staff review it, and their form offers only their own courses: a course of
        # another IoT would be neither theirs to vouch for nor kept by their next save.
        if self.course_id and self.institute_id and self.course.institute_id != self.institute_id:
            raise ValidationError(
                {
                    "course": "Choose a course taught at the Institute of Technology you chose, "
                    "or “Not linked to a course”."
                }
            )

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def filled_summary(self) -> str:
        """'2 of 3 places filled', or that nobody has said yet."""
        if self.positions_filled is None:
            return "Places filled not recorded"
        places = "place" if self.positions == 1 else "places"
        return f"{self.positions_filled} of {self.positions} {places} filled"

    @property
    def wage_display(self) -> str:
        if self.wage_amount is None:
            return ""
        amount = f"£{self.wage_amount:,.2f}".replace(".00", "")
        return f"{amount} {self.get_wage_unit_display()}" if self.wage_unit else amount


class PartnerRecordQuerySet(ScopedQuerySet):
    """Skills needs and engagements: each belongs to the IoT it was reported to."""

    institute_path = "institute"


class SkillsNeed(models.Model):
    """A partner telling its IoT: N people with these skills by this date."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="skills_needs"
    )
    institute = models.ForeignKey(Institute, on_delete=models.PROTECT, related_name="skills_needs")

    route = models.ForeignKey(
        Route,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="subject area",
    )
    skills = models.CharField(max_length=300, help_text="e.g. PLC programming, CAD, cyber security")
    people_needed = models.PositiveIntegerField()
    needed_by = models.DateField()
    details = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    objects = PartnerRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.people_needed} × {self.skills} by {self.needed_by:%d %B %Y}"


# How an engagement total reads: "1 placement hosted", "3 placements hosted".
ENGAGEMENT_TOTALS = {
    "placements": ("placement hosted", "placements hosted"),
    "apprentices": ("apprentice employed", "apprentices employed"),
    "talk": ("talk or guest lecture given", "talks or guest lectures given"),
    "event": ("event attended", "events attended"),
    "curriculum": ("piece of curriculum input", "pieces of curriculum input"),
    "mentoring": ("person mentored", "people mentored"),
    "sponsorship": ("sponsorship or funding", "sponsorships or funding"),
    "other": ("other contribution", "other contributions"),
}


class Engagement(models.Model):
    """Staff's record of what a partner did, so the network can evaluate partnerships."""

    class Kind(models.TextChoices):
        PLACEMENTS = "placements", "Placements hosted"
        APPRENTICES = "apprentices", "Apprentices employed"
        TALK = "talk", "Talk or guest lecture given"
        EVENT = "event", "Event attended"
        CURRICULUM = "curriculum", "Curriculum input"
        MENTORING = "mentoring", "Mentoring"
        SPONSORSHIP = "sponsorship", "Sponsorship or funding"
        OTHER = "other", "Other"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="engagements"
    )
    institute = models.ForeignKey(Institute, on_delete=models.PROTECT, related_name="engagements")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    occurred_on = models.DateField("date")
    quantity = models.PositiveIntegerField(
        default=1, help_text="How many: placements, apprentices, talks, people mentored..."
    )
    notes = models.TextField(blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PartnerRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.occurred_on:%d %B %Y})"

    @classmethod
    def describe_total(cls, kind: str, total: int) -> str:
        one, many = ENGAGEMENT_TOTALS.get(kind, (kind, kind))
        return f"{total} {one if total == 1 else many}"
