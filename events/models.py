from django.db import models
from django.urls import reverse
from django.utils import timezone

from institutes.models import Institute


class EventQuerySet(models.QuerySet):
    def published(self) -> "EventQuerySet":
        """Events the public may see: published ones, and cancelled ones so people learn of it."""
        return self.filter(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])

    def upcoming(self) -> "EventQuerySet":
        return self.filter(ends_at__gte=timezone.now()).order_by("starts_at")

    def past(self) -> "EventQuerySet":
        return self.filter(ends_at__lt=timezone.now()).order_by("-starts_at")


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
    summary = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    is_online = models.BooleanField("online event", default=False)
    venue_name = models.CharField(max_length=200, blank=True)
    venue_address = models.TextField(blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty for no limit.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    cancellation_reason = models.TextField(blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="events_event_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"slug": self.slug})

    @property
    def organiser_name(self) -> str:
        return self.institute.name if self.institute_id else "Institutes of Technology Network"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED
