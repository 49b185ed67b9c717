from django.conf import settings
from django.db import models

from iot_network.staff.scoping import ScopedQuerySet


class SnapshotQuerySet(models.QuerySet):
    def for_scope(self, scope: str):
        """Scope "network", or an IoT's id as text."""
        return self.filter(scope=scope)

    def for_institute(self, institute_id: int):
        return self.for_scope(str(institute_id))


class ImpactSnapshot(models.Model):
    """One page's figures (the network's, or an IoT's), computed nightly so a page reads one
    row whatever the volume. ``figures`` holds only publishable numbers: equality figures are
    already suppressed and keep no value for a suppressed cell."""

    scope = models.CharField(max_length=20, unique=True, help_text="network, or the IoT's id")
    computed_at = models.DateTimeField()
    figures = models.JSONField()

    objects = SnapshotQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Impact figures for {self.scope} at {self.computed_at:%Y-%m-%d %H:%M}"


class EvaluationReportQuerySet(ScopedQuerySet):
    institute_path = "institute"


class EvaluationReport(models.Model):
    """A staff evaluation report for an IoT (or the network) and a period, built in the request
    when small, by a Celery job when large; its figures are kept so downloads are instant."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be built"
        BUILDING = "building", "Being built"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    institute = models.ForeignKey(
        "institutes.Institute",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Empty for the whole network.",
    )
    period_start = models.DateField()
    period_end = models.DateField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    data = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = EvaluationReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="impact_report_period_in_order",
            )
        ]

    def __str__(self) -> str:
        who = self.institute.name if self.institute_id else "the network"
        period = f"{self.period_start:%d %b %Y} to {self.period_end:%d %b %Y}"
        return f"Evaluation report for {who}, {period}"

    @property
    def scope_name(self) -> str:
        return self.institute.name if self.institute_id else "Institutes of Technology Network"
