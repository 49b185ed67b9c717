"""Stories and news: what the network publishes about itself, tagged to the IoTs, partners,
routes and events they are about. A story belongs to the IoTs it is tagged with (their staff
write and change it); a story with no IoT is the network's, for national staff."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from iot_network.staff.scoping import ScopedQuerySet


class StoryQuerySet(ScopedQuerySet):
    institute_path = "institutes"

    def published(self, now=None) -> StoryQuerySet:
        """What visitors see: published, and not dated in the future."""
        return self.filter(status=Story.Status.PUBLISHED, published_at__lte=now or timezone.now())

    def due(self, now=None) -> StoryQuerySet:
        """Scheduled stories whose time has come (the beat job publishes them)."""
        return self.filter(status=Story.Status.SCHEDULED, publish_at__lte=now or timezone.now())

    def pending(self) -> StoryQuerySet:
        return self.filter(status=Story.Status.PENDING)

    def newest_first(self) -> StoryQuerySet:
        return self.order_by("-published_at", "-pk")

    def about(self, *, institute=None, organisation=None, event=None, route=None):
        qs = self
        for name, value in (
            ("institutes", institute),
            ("organisations", organisation),
            ("events", event),
            ("routes", route),
        ):
            if value is not None:
                inside = Story.objects.filter(**{name: value}).values("pk")
                qs = qs.filter(pk__in=inside)
        return qs

    def related_to(self, story: Story) -> StoryQuerySet:
        """Other stories sharing an IoT, partner, route or event with ``story``."""
        shared = Q()
        for name in ("institutes", "organisations", "routes", "events"):
            shared |= Q(**{f"{name}__in": getattr(story, name).all()})
        inside = Story.objects.filter(shared).values("pk")
        return self.filter(pk__in=inside).exclude(pk=story.pk)


class Story(models.Model):
    class Kind(models.TextChoices):
        NEWS = "news", "News"
        CASE_STUDY = "case-study", "Partner case study"
        LEARNER_STORY = "learner-story", "Learner story"
        EVENT_REPORT = "event-report", "Event report"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        # A partner's proposed case study, waiting for IoT staff (the review queue says "pending"
        # as it does for partner applications and opportunities).
        PENDING = "pending", "Proposed by a partner, waiting for review"
        RETURNED = "returned", "Sent back to the partner"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NEWS)
    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=180, unique=True)
    standfirst = models.CharField(
        max_length=300, help_text="One or two sentences under the title, and in listings."
    )
    body = models.TextField(
        help_text="Markdown: blank lines between paragraphs, ## for a heading, * for a list, "
        "[words](https://address) for a link. Other HTML is removed."
    )
    # The lead image: renditions at several widths under ``image_path`` (see images.py).
    image_path = models.CharField(max_length=200, blank=True, editable=False)
    image_widths = models.JSONField(default=list, blank=True, editable=False)
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField(
        "image description (alt text)",
        max_length=250,
        blank=True,
        help_text="What the picture shows, for people who cannot see it. Required with an image.",
    )
    institutes = models.ManyToManyField(
        "institutes.Institute",
        blank=True,
        related_name="stories",
        help_text="The IoTs this story is about; none for a story of the whole network.",
    )
    organisations = models.ManyToManyField(
        "partners.Organisation", blank=True, related_name="stories", verbose_name="partners"
    )
    routes = models.ManyToManyField("institutes.Route", blank=True, related_name="stories")
    events = models.ManyToManyField("events.Event", blank=True, related_name="stories")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        null=True, blank=True, help_text="For a scheduled story: when it is published."
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    demo = models.BooleanField(default=False, help_text="Made-up content for the demo site.")
    # A case study a partner proposed, and staff's decision on it.
    proposed_by = models.ForeignKey(
        "partners.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposed_stories",
        editable=False,
    )
    review_note = models.TextField(blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name_plural = "stories"
        indexes = [
            models.Index(fields=["status", "published_at"]),
            models.Index(fields=["status", "publish_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(publish_at__isnull=False),
                name="stories_scheduled_has_time",
            ),
            models.CheckConstraint(
                condition=Q(image_path="") | ~Q(image_alt=""),
                name="stories_image_has_alt_text",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("stories:detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def was_updated(self) -> bool:
        """Changed more than a day after it was published: the page says so."""
        return bool(
            self.published_at
            and self.updated_at
            and (self.updated_at - self.published_at).total_seconds() > 86_400
        )

    # The lead image in its widths (srcset) --------------------------------------------------

    def image_url(self, width: int | None = None) -> str:
        if not self.image_path:
            return ""
        widths = sorted(self.image_widths)
        chosen = width if width in widths else widths[-1]
        return default_storage.url(f"{self.image_path}{chosen}.jpg")

    @property
    def image_src(self) -> str:
        """The middle width: the fallback for browsers without srcset."""
        widths = sorted(self.image_widths)
        return self.image_url(widths[len(widths) // 2]) if widths else ""

    @property
    def image_srcset(self) -> str:
        return ", ".join(f"{self.image_url(w)} {w}w" for w in sorted(self.image_widths))
