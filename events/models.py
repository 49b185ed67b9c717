from __future__ import annotations

from django.core import signing
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from institutes.models import Institute, Route
from iot_network.equality.models import EqualityAnswers
from iot_network.staff.scoping import ScopedQuerySet

NETWORK_NAME = "Institutes of Technology Network"


class EventQuerySet(ScopedQuerySet):
    institute_path = "institute"

    def visible(self) -> EventQuerySet:
        """Events the public may see: published ones, and cancelled ones so people learn of it
        (``going_ahead()`` for only those people can still come to)."""
        return self.filter(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])

    def going_ahead(self) -> EventQuerySet:
        """Published and not cancelled: the events people can still come to."""
        return self.filter(status=Event.Status.PUBLISHED)

    def upcoming(self) -> EventQuerySet:
        return self.filter(ends_at__gte=timezone.now()).order_by("starts_at")

    def past(self) -> EventQuerySet:
        return self.filter(ends_at__lt=timezone.now()).order_by("-starts_at")

    def with_places_taken(self) -> EventQuerySet:
        # A subquery per event, not a join and GROUP BY over every registration: a page of 20
        # events reads 20 index ranges, and counting the list (the paginator) leaves it out.
        holding = (
            Registration.objects.filter(
                event=models.OuterRef("pk"), status__in=Registration.HOLDING_A_PLACE
            )
            .order_by()
            .values("event")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(
            places_taken=Coalesce(models.Subquery(holding), 0, output_field=models.IntegerField())
        )


class RegistrationState(models.TextChoices):
    """Whether people can register now (templates compare with the values)."""

    OPEN = "open", "Open"
    NOT_YET = "not-yet", "Not open yet"
    CLOSED = "closed", "Closed"
    NONE = "none", "None (cancelled, draft or over)"


class SessionQuerySet(ScopedQuerySet):
    institute_path = "event__institute"


class RegistrationQuerySet(ScopedQuerySet):
    institute_path = "event__institute"


class Event(models.Model):
    class Type(models.TextChoices):
        CONFERENCE = "conference", "National conference"
        OPEN_DAY = "open-day", "Open day"
        TASTER = "taster", "Taster session"
        WEBINAR = "webinar", "Webinar"
        EMPLOYER_BREAKFAST = "employer-breakfast", "Employer breakfast"
        WORKSHOP = "workshop", "Workshop"
        NETWORKING = "networking", "Networking"

    class Audience(models.TextChoices):
        LEARNERS = "learners", "Learners"
        EMPLOYERS = "employers", "Employers"
        EDUCATORS = "educators", "Educators"
        EVERYONE = "everyone", "Everyone"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    class WaitingList(models.TextChoices):
        PROMOTE = "promote", "Give the place to the next person straight away"
        OFFER = "offer", "Offer the place to the next person for a limited time"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    event_type = models.CharField("type", max_length=32, choices=Type.choices)
    institute = models.ForeignKey(
        Institute,
        on_delete=models.PROTECT,
        related_name="events",
        null=True,
        blank=True,
        help_text="Leave empty when the national network organises it.",
    )
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.EVERYONE)
    routes = models.ManyToManyField(Route, blank=True, related_name="events")
    summary = models.CharField(max_length=300)
    description = models.TextField(
        blank=True, help_text="Simple HTML is allowed (paragraphs, lists, links, emphasis)."
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    is_online = models.BooleanField("online event", default=False)
    venue_name = models.CharField(max_length=200, blank=True)
    venue_address = models.TextField(blank=True)
    venue_postcode = models.CharField(max_length=8, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    joining_details = models.TextField(
        blank=True, help_text="For online events: the link and instructions. Sent only to people "
        "with a confirmed place, never shown on the site.",
    )  # fmt: skip
    accessibility_info = models.TextField("accessibility information", blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty for no limit.")
    registration_opens_at = models.DateTimeField(null=True, blank=True)
    registration_closes_at = models.DateTimeField(null=True, blank=True)
    waiting_list = models.CharField(
        max_length=16, choices=WaitingList.choices, default=WaitingList.PROMOTE
    )
    offer_hours = models.PositiveSmallIntegerField(
        default=48, help_text="How long an offered place is held, when places are offered."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    cancellation_reason = models.TextField(blank=True)
    # Raised whenever the time or place changes, so calendar programs replace their copy, and
    # when someone's invitation is withdrawn, so their calendar program applies the cancellation.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="events_event_ends_after_start",
                violation_error_message="The event must end after it starts.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"slug": self.slug})

    @property
    def organiser_name(self) -> str:
        if "institute_name" in self.__dict__:  # read with the name alone (event_for_registration)
            return self.__dict__["institute_name"] or NETWORK_NAME
        return self.institute.name if self.institute_id else NETWORK_NAME

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def has_ended(self) -> bool:
        return self.ends_at < timezone.now()

    def registration_state(self, now=None) -> RegistrationState:
        now = now or timezone.now()
        if self.status != self.Status.PUBLISHED or self.ends_at < now:
            return RegistrationState.NONE
        if self.registration_opens_at and now < self.registration_opens_at:
            return RegistrationState.NOT_YET
        if (
            self.registration_closes_at and now > self.registration_closes_at
        ) or now > self.starts_at:
            return RegistrationState.CLOSED
        return RegistrationState.OPEN

    def places_left(self, taken: int) -> int | None:
        return None if self.capacity is None else max(self.capacity - taken, 0)


class Speaker(models.Model):
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=120, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    bio = models.TextField("short biography", max_length=1000, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.organisation}" if self.organisation else self.name


class Session(models.Model):
    class Kind(models.TextChoices):
        PLENARY = "plenary", "Plenary"
        BREAKOUT = "breakout", "Breakout"
        PANEL = "panel", "Panel"
        WORKSHOP = "workshop", "Workshop"

    CHOOSABLE = [Kind.BREAKOUT, Kind.WORKSHOP]  # the kinds a registration may choose

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    room = models.CharField(max_length=100, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty for no limit.")
    description = models.TextField(blank=True)
    speakers = models.ManyToManyField(Speaker, blank=True, related_name="sessions")

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="events_session_ends_after_start",
                violation_error_message="The session must end after it starts.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_choosable(self) -> bool:
        """Breakouts and workshops are chosen when registering; the rest is for everyone."""
        return self.kind in (self.Kind.BREAKOUT, self.Kind.WORKSHOP)


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        OFFERED = "offered", "Offered a place"
        WAITING = "waiting", "On the waiting list"
        CANCELLED = "cancelled", "Cancelled"
        ATTENDED = "attended", "Attended"

    HOLDING_A_PLACE = [Status.CONFIRMED, Status.OFFERED, Status.ATTENDED]
    ACTIVE = [Status.CONFIRMED, Status.OFFERED, Status.WAITING, Status.ATTENDED]
    TOKEN_SALT = "events.registration"  # of the signed id in every registration link

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")

    name = models.CharField(max_length=120)
    email = models.EmailField()
    organisation = models.CharField(max_length=200, blank=True)
    accessibility_needs = models.TextField(max_length=1000, blank=True)
    dietary_needs = models.CharField(max_length=300, blank=True)
    sessions = models.ManyToManyField(Session, blank=True, related_name="registrations")
    status = models.CharField(max_length=16, choices=Status.choices)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["event", "status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~models.Q(status="cancelled"),
                name="events_one_active_registration_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} for {self.event}"

    @property
    def token(self) -> str:
        return signing.dumps(self.pk, salt=self.TOKEN_SALT)

    @classmethod
    def id_from_token(cls, token: str) -> int:
        """Raises signing.BadSignature."""
        return signing.loads(token, salt=cls.TOKEN_SALT)

    @classmethod
    def from_token(cls, token: str) -> Registration:
        """Raises signing.BadSignature or DoesNotExist."""
        return cls.objects.select_related("event", "event__institute").get(
            pk=cls.id_from_token(token)
        )

    def get_manage_url(self) -> str:
        return reverse("events:manage", kwargs={"token": self.token})

    @property
    def holds_a_place(self) -> bool:
        return self.status in self.HOLDING_A_PLACE

    @property
    def can_change(self) -> bool:
        return (
            self.status in self.ACTIVE and not self.event.has_ended and not self.event.is_cancelled
        )


class FeedbackQuerySet(ScopedQuerySet):
    institute_path = "registration__event__institute"


class Feedback(models.Model):
    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="feedback"
    )

    rating = models.PositiveSmallIntegerField(choices=[(n, str(n)) for n in range(1, 6)])
    useful = models.BooleanField("would recommend")
    comments = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FeedbackQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.rating}/5 from {self.registration.name}"


class RegistrationEquality(EqualityAnswers):
    """The registrant's equality monitoring answers, apart from their registration (never
    shown beside it); deleted with it, or after the retention period."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="equality"
    )

    class Meta:
        verbose_name = "equality monitoring answers"
        verbose_name_plural = "equality monitoring answers"
