from __future__ import annotations

from django.utils import timezone

from iot_network.staff.scoping import ScopedQuerySet

from .choices import APPRENTICESHIP_TYPES


class CourseQuerySet(ScopedQuerySet):
    institute_path = "institute"

    def published(self) -> CourseQuerySet:
        return self.filter(status="published")

    def apprenticeships(self) -> CourseQuerySet:
        return self.filter(qualification_type__in=APPRENTICESHIP_TYPES)

    def for_listing(self) -> CourseQuerySet:
        return self.select_related("institute", "route")


class CourseRunQuerySet(ScopedQuerySet):
    institute_path = "course__institute"

    def upcoming(self, today=None) -> CourseRunQuerySet:
        return self.filter(start_date__gte=today or timezone.localdate())


class EnquiryQuerySet(ScopedQuerySet):
    institute_path = "course__institute"


class CourseImportQuerySet(ScopedQuerySet):
    institute_path = "institute"
