"""The network newsletter: subscribers (double opt-in, interests) and the issues staff send.

Whether an address may be sent the newsletter is the outbox's consent record (category
"newsletter"): confirming a subscription grants it, one-click unsubscribe and the email
preferences withdraw it, and the outbox withholds issues from anyone without it."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from iot_network.staff.scoping import ScopedQuerySet


def new_token() -> str:
    return secrets.token_urlsafe(24)


class SubscriberQuerySet(ScopedQuerySet):
    # A subscriber interested in an IoT is that IoT's; one with no IoT is the network's.
    institute_path = "institutes"

    def confirmed(self) -> SubscriberQuerySet:
        return self.filter(confirmed_at__isnull=False)

    def for_issue(self, issue: Issue) -> SubscriberQuerySet:
        """Confirmed subscribers the issue is for: a network-wide issue reaches everyone; one for
        some IoTs (or routes) reaches those who chose one of them, or chose none at all."""
        qs = self.confirmed()
        institutes = list(issue.audience_institutes.values_list("pk", flat=True))
        routes = list(issue.audience_routes.values_list("pk", flat=True))
        if institutes:
            chose = Subscriber.objects.filter(institutes__in=institutes).values("pk")
            any_iot = Subscriber.objects.filter(institutes__isnull=False).values("pk")
            qs = qs.filter(Q(pk__in=chose) | ~Q(pk__in=any_iot))
        if routes:
            chose = Subscriber.objects.filter(routes__in=routes).values("pk")
            any_route = Subscriber.objects.filter(routes__isnull=False).values("pk")
            qs = qs.filter(Q(pk__in=chose) | ~Q(pk__in=any_route))
        return qs


class Subscriber(models.Model):
    email = models.EmailField(unique=True)
    institutes = models.ManyToManyField(
        "institutes.Institute", blank=True, related_name="+", verbose_name="IoTs of interest"
    )
    routes = models.ManyToManyField(
        "institutes.Route", blank=True, related_name="+", verbose_name="subjects of interest"
    )
    event_types = models.JSONField(
        default=list, blank=True, help_text="Kinds of event of interest (event type values)."
    )
    # Interests asked for by someone who has not yet shown they own the address (a new request
    # for a confirmed subscription): {"institutes": [ids], "routes": [ids], "event_types": [..]}.
    # Applied when the link is used, so typing someone's address cannot change what they get.
    pending_interests = models.JSONField(null=True, blank=True, editable=False)
    # The secret in the confirmation link; replaced on each new request. A link works once, and
    # for NEWSLETTER_CONFIRM_DAYS after it was sent.
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    token_sent_at = models.DateTimeField(default=timezone.now, editable=False)
    token_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email

    @property
    def link_expires_at(self):
        return self.token_sent_at + timedelta(days=settings.NEWSLETTER_CONFIRM_DAYS)

    def link_state(self, now=None) -> str:
        """Whether the confirmation link can still confirm: "valid"; "used" once it confirmed
        the subscription; "expired" when its days are up."""
        if self.token_used_at is not None:
            return "used"
        if (now or timezone.now()) >= self.link_expires_at:
            return "expired"
        return "valid"


class IssueQuerySet(ScopedQuerySet):
    # An issue for some IoTs is theirs; a network-wide issue is national.
    institute_path = "audience_institutes"

    def sent(self) -> IssueQuerySet:
        return self.filter(status=Issue.Status.SENT)

    def due(self, now=None) -> IssueQuerySet:
        return self.filter(status=Issue.Status.SCHEDULED, send_at__lte=now or timezone.now())


class Issue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Being queued"
        SENT = "sent", "Sent"

    subject = models.CharField(max_length=150)
    introduction = models.TextField(help_text="Markdown, as in stories.")
    audience_institutes = models.ManyToManyField(
        "institutes.Institute",
        blank=True,
        related_name="+",
        verbose_name="for subscribers of these IoTs",
        help_text="None: the whole network (national staff).",
    )
    audience_routes = models.ManyToManyField(
        "institutes.Route", blank=True, related_name="+", verbose_name="for these subjects"
    )
    stories = models.ManyToManyField("stories.Story", blank=True, related_name="+")
    events = models.ManyToManyField("events.Event", blank=True, related_name="+")
    courses = models.ManyToManyField("courses.Course", blank=True, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    send_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    recipients = models.PositiveIntegerField(default=0, editable=False)
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

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(send_at__isnull=False),
                name="newsletter_scheduled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("newsletter:issue", kwargs={"pk": self.pk})

    @property
    def batch(self) -> str:
        """The outbox's bulk-send label: the issue's rows, for counts and the admin filter."""
        return f"newsletter-{self.pk}"
