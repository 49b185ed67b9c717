from django.db import models
from django.urls import reverse

from institutes.models import Institute, Route


class QualificationType(models.TextChoices):
    HTQ = "htq", "Higher Technical Qualification (HTQ)"
    HNC = "hnc", "Higher National Certificate (HNC)"
    HND = "hnd", "Higher National Diploma (HND)"
    FOUNDATION_DEGREE = "foundation-degree", "Foundation degree"
    CERT_HE = "cert-he", "Certificate of Higher Education (CertHE)"
    DIP_HE = "dip-he", "Diploma of Higher Education (DipHE)"
    HIGHER_APPRENTICESHIP = "higher-apprenticeship", "Higher apprenticeship"
    DEGREE_APPRENTICESHIP = "degree-apprenticeship", "Degree apprenticeship"
    PROFESSIONAL = "professional", "Professional or short course"
    BOOTCAMP = "bootcamp", "Skills Bootcamp"


APPRENTICESHIP_TYPES = (
    QualificationType.HIGHER_APPRENTICESHIP,
    QualificationType.DEGREE_APPRENTICESHIP,
)


class Level(models.IntegerChoices):
    FOUR = 4, "Level 4"
    FIVE = 5, "Level 5"
    SIX = 6, "Level 6"
    SEVEN = 7, "Level 7"


class CourseQuerySet(models.QuerySet):
    def published(self) -> "CourseQuerySet":
        return self.filter(status=Course.Status.PUBLISHED)

    def apprenticeships(self) -> "CourseQuerySet":
        return self.filter(qualification_type__in=APPRENTICESHIP_TYPES)

    def for_listing(self) -> "CourseQuerySet":
        return self.select_related("institute", "route")


class Course(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    institute = models.ForeignKey(Institute, on_delete=models.PROTECT, related_name="courses")
    provider_name = models.CharField(
        "delivering provider",
        max_length=200,
        help_text="The college or university that teaches it.",
    )
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    qualification_type = models.CharField(max_length=32, choices=QualificationType.choices)
    route = models.ForeignKey(Route, on_delete=models.PROTECT, related_name="courses")
    summary = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    entry_requirements = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["status", "title"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("courses:detail", kwargs={"slug": self.slug})

    @property
    def is_apprenticeship(self) -> bool:
        return self.qualification_type in APPRENTICESHIP_TYPES
