from django.db import models
from django.urls import reverse

from institutes.models import Institute, Route


class OrganisationQuerySet(models.QuerySet):
    def approved(self) -> "OrganisationQuerySet":
        return self.filter(status=Organisation.Status.APPROVED)

    def in_directory(self) -> "OrganisationQuerySet":
        """Approved partners who agreed to be listed publicly."""
        return self.approved().filter(listed_in_directory=True)


class Organisation(models.Model):
    """An employer or provider that works with one or more Institutes of Technology."""

    class Type(models.TextChoices):
        EMPLOYER = "employer", "Employer"
        COLLEGE = "college", "College"
        UNIVERSITY = "university", "University"
        TRAINING_PROVIDER = "training-provider", "Training provider"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    org_type = models.CharField("type", max_length=32, choices=Type.choices)
    sector = models.ForeignKey(Route, on_delete=models.PROTECT, related_name="organisations")
    institutes = models.ManyToManyField(Institute, related_name="partners")
    website = models.URLField(blank=True)
    summary = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    listed_in_directory = models.BooleanField(
        default=False, help_text="The organisation agreed to appear in the public directory."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:detail", kwargs={"slug": self.slug})
