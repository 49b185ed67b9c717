from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from .roles import Role
from .scoping import ScopedQuerySet


class StaffMembershipQuerySet(ScopedQuerySet):
    institute_path = "institute"


class AuditEntryQuerySet(ScopedQuerySet):
    institute_path = "institutes"


class StaffMembership(models.Model):
    """What one person may do in the staff workspace, and for which IoT.

    National admins have no institute (they see everything); IoT staff have one institute per
    membership; a viewer sees one institute, or the whole network when it has none."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    institute = models.ForeignKey(
        "institutes.Institute",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="staff",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StaffMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "institute"], name="staff_unique_membership"
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.IOT_STAFF) | Q(institute__isnull=False),
                name="staff_iot_staff_has_institute",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.NATIONAL_ADMIN) | Q(institute__isnull=True),
                name="staff_national_admin_has_no_institute",
            ),
        ]

    def __str__(self) -> str:
        where = self.institute.name if self.institute_id else "all IoTs"
        return f"{self.user} – {self.get_role_display()} ({where})"


class AuditEntry(models.Model):
    """Who changed what, and when: admin changes and staff actions outside the admin."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=60)
    target_type = models.ForeignKey(ContentType, null=True, on_delete=models.SET_NULL)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    # The IoTs the change is about (a partner of two belongs to both).
    institutes = models.ManyToManyField("institutes.Institute", blank=True, related_name="+")
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.actor} {self.action} {self.target_repr}"
