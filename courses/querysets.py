from __future__ import annotations

from django.db import models
from django.utils import timezone

from .choices import APPRENTICESHIP_TYPES


class CourseQuerySet(models.QuerySet):
    def published(self) -> CourseQuerySet:
        return self.filter(status="published")

    def apprenticeships(self) -> CourseQuerySet:
        return self.filter(qualification_type__in=APPRENTICESHIP_TYPES)

    def for_listing(self) -> CourseQuerySet:
        return self.select_related("institute", "route")


class CourseRunQuerySet(models.QuerySet):
    def upcoming(self, today=None) -> CourseRunQuerySet:
        return self.filter(start_date__gte=today or timezone.localdate())
