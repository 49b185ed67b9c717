import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from iot_network.staff.scoping import ScopedQuerySet


class Category(models.TextChoices):
    """Why a message is sent. Transactional mail always goes; the rest needs consent."""

    TRANSACTIONAL = "transactional", "About something you asked for (always sent)"
    EVENT_NEWS = "event-news", "News about events"
    COURSE_ALERTS = "course-alerts", "Alerts about new courses"
    NEWSLETTER = "newsletter", "The network newsletter"


OPTIONAL_CATEGORIES = [Category.EVENT_NEWS, Category.COURSE_ALERTS, Category.NEWSLETTER]


class MessageQuerySet(ScopedQuerySet):
    institute_path = "institutes"

    def due(self, now) -> "MessageQuerySet":
        return self.filter(status=Message.Status.QUEUED, next_attempt_at__lte=now)


class Message(models.Model):
    """One email in the outbox. A row is created in the caller's transaction and delivered by a
    Celery task after commit; its status records where it is."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        WITHHELD = "withheld", "Withheld (no consent)"

    recipient = models.EmailField(db_index=True)
    kind = models.CharField(max_length=64, help_text="Template folder under notifications/email/.")
    category = models.CharField(max_length=32, choices=Category.choices)
    dedupe_key = models.CharField(max_length=255, unique=True)
    context = models.JSONField(default=dict, blank=True)
    attachments = models.JSONField(default=list, blank=True)
    batch = models.CharField(
        max_length=100, blank=True, db_index=True, help_text="Groups the messages of a bulk send."
    )
    message_id = models.CharField("Message-ID", max_length=255, unique=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the message is about (an event registration, a partner application, ...).
    about_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True)
    about_id = models.CharField(max_length=64, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    # The IoTs the message is about (a partner of two belongs to both), so each IoT's staff
    # see their own outbox rows.
    institutes = models.ManyToManyField("institutes.Institute", blank=True, related_name="+")

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["status", "claimed_at"]),
            models.Index(fields=["about_type", "about_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} ({self.get_status_display()})"

    @staticmethod
    def new_message_id(kind: str) -> str:
        safe_kind = "".join(ch if ch.isalnum() or ch in "-." else "-" for ch in kind)[:40]
        return f"<{uuid.uuid4().hex}.{safe_kind}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


class Consent(models.Model):
    """Whether an address wants mail of one optional category. No row means no."""

    email = models.EmailField()
    category = models.CharField(max_length=32, choices=Category.choices)
    granted = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["email", "category"], name="notifications_consent_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.category} {'yes' if self.granted else 'no'}"


class ConsentChange(models.Model):
    """The history of every consent decision: what, when and how it was given or withdrawn."""

    class Source(models.TextChoices):
        PREFERENCES = "preferences", "Preferences page"
        UNSUBSCRIBE_PAGE = "unsubscribe-page", "Unsubscribe link (confirmed on the page)"
        ONE_CLICK = "one-click", "One-click unsubscribe from the mail program"
        FORM = "form", "Tick box on a form"
        DOUBLE_OPT_IN = "double-opt-in", "Signed up, then confirmed from the email we sent"
        STAFF = "staff", "Changed by staff"

    email = models.EmailField(db_index=True)
    category = models.CharField(max_length=32, choices=Category.choices)
    granted = models.BooleanField()
    source = models.CharField(max_length=32, choices=Source.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        verb = "gave" if self.granted else "withdrew"
        return f"{self.email} {verb} consent to {self.category} ({self.source})"
