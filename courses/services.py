from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min, OuterRef, QuerySet, Subquery
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from iot_network.notifications.models import Category
from iot_network.notifications.services import Notification, notify, notify_many
from iot_network.staff import audit

from .filters import CourseFilter
from .models import Course, CourseRun, Enquiry, EnquiryEquality, SavedSearch
from .upcoming import counted_kinds


@transaction.atomic
def submit_enquiry(
    *,
    course: Course,
    name: str,
    email: str,
    phone: str,
    message: str,
    equality: dict[str, str] | None = None,
) -> Enquiry:
    """Record a learner's enquiry; tell the institute's staff and confirm to the learner.
    Equality monitoring answers go to their own table and into no mail."""
    enquiry = Enquiry.objects.create(
        course=course, name=name, email=email, phone=phone, message=message, consent_to_contact=True
    )
    if equality:
        EnquiryEquality.objects.create(enquiry=enquiry, **equality)
    institute = course.institute
    course_url = settings.SITE_URL + course.get_absolute_url()
    notify(
        to=institute.contact_email or settings.CONTACT_EMAIL,
        kind="course-enquiry-staff",
        dedupe_key=f"course-enquiry:{enquiry.pk}:staff",
        about=enquiry,
        context={
            "course": course.title,
            "course_url": course_url,
            "institute": institute.name,
            "name": name,
            "email": email,
            "phone": phone,
            "message": message,
        },
    )
    notify(
        to=email,
        kind="course-enquiry-confirmation",
        dedupe_key=f"course-enquiry:{enquiry.pk}:learner",
        about=enquiry,
        context={
            "name": name,
            "course": course.title,
            "course_url": course_url,
            "institute": institute.name,
            "message": message,
        },
    )
    return enquiry


@transaction.atomic
def publish_courses(*, courses: QuerySet[Course], acting_user) -> int:
    """Publish the drafts among ``courses`` (staff's selection); returns how many."""
    drafts = list(
        Course.objects.select_for_update().filter(
            pk__in=courses.values("pk"), status=Course.Status.DRAFT
        )
    )
    now = timezone.now()
    for course in drafts:
        course.publish()
        course.updated_at = now
    Course.objects.bulk_update(drafts, ["status", "published_at", "updated_at"])
    audit.record_many(actor=acting_user, action="published course", targets=drafts)
    return len(drafts)


@transaction.atomic
def unpublish_courses(*, courses: QuerySet[Course], acting_user) -> int:
    """Take the published courses among ``courses`` back to draft; returns how many."""
    published = list(
        Course.objects.select_for_update().filter(
            pk__in=courses.values("pk"), status=Course.Status.PUBLISHED
        )
    )
    now = timezone.now()
    for course in published:
        course.status, course.updated_at = Course.Status.DRAFT, now
    Course.objects.bulk_update(published, ["status", "updated_at"])
    audit.record_many(actor=acting_user, action="unpublished course", targets=published)
    return len(published)


@transaction.atomic
def mark_enquiries_replied(*, enquiries: QuerySet[Enquiry], acting_user) -> int:
    """Mark the unanswered enquiries among ``enquiries`` as replied to; returns how many."""
    waiting = list(
        Enquiry.objects.select_for_update(of=("self",))
        .select_related("course")
        .filter(pk__in=enquiries.values("pk"), replied_at__isnull=True)
    )
    now = timezone.now()
    for enquiry in waiting:
        enquiry.replied_at = now
    Enquiry.objects.bulk_update(waiting, ["replied_at"])
    audit.record_many(actor=acting_user, action="marked enquiry replied", targets=waiting)
    return len(waiting)


def refresh_upcoming_starts(*, today=None) -> int:
    """Recompute each course's soonest upcoming start, and on PostgreSQL the kinds of its
    upcoming runs (courses/upcoming.py): nightly, as start dates pass (and, on databases without
    the trigger, to fill the start at all). Returns the courses updated."""
    today = today or timezone.localdate()
    soonest = Subquery(
        CourseRun.objects.filter(course=OuterRef("pk"), start_date__gte=today)
        .values("course")
        .annotate(first=Min("start_date"))
        .values("first")
    )
    values = {"upcoming_start": soonest}
    if connection.vendor == "postgresql":
        values["upcoming_kinds"] = counted_kinds(today)
    return Course.objects.update(**values)


def describe_search(query: QueryDict, *, apprenticeships_only: bool = False) -> str:
    everything = "All apprenticeships" if apprenticeships_only else "All courses"
    parts = [query.get("q", "").strip()] if query.get("q", "").strip() else []
    if query.get("postcode"):
        parts.append(f"near {query['postcode'].upper()}")
    count = sum(len(query.getlist(key)) for key in query if key not in {"q", "postcode", "page"})
    if count:
        parts.append(f"{count} filter{'s' if count != 1 else ''}")
    described = ", ".join(parts)
    if described and apprenticeships_only:
        return f"Apprenticeships: {described}"
    return described or everything


class SavedSearchError(Exception):
    """A search that cannot be saved; the message is shown to the learner."""


def save_search(
    *, user, query: QueryDict, apprenticeships_only: bool = False
) -> tuple[SavedSearch, bool]:
    """Save the search as the course list reads it: parameters it ignores (and the page) are
    left out, so the saved search shows what the learner saw. A search saved from Find an
    apprenticeship keeps that restriction, in its link and its alerts."""
    kept = QueryDict(mutable=True)
    for key in query:
        if key in CourseFilter.base_filters:
            kept.setlist(key, query.getlist(key))
    encoded = kept.urlencode()
    if len(encoded) > SavedSearch._meta.get_field("query").max_length:
        raise SavedSearchError(
            "This search is too long to save. Use fewer keywords or filters and try again."
        )
    name = Truncator(describe_search(kept, apprenticeships_only=apprenticeships_only)).chars(
        SavedSearch._meta.get_field("name").max_length
    )
    return SavedSearch.objects.get_or_create(
        user=user,
        query=encoded,
        apprenticeships_only=apprenticeships_only,
        defaults={"name": name},
    )


def send_saved_search_alerts(*, now: datetime | None = None) -> int:
    """Email each learner the courses published since their saved search was last checked.

    Course alerts are optional mail: the outbox withholds them unless the learner opted in.
    Safe to run twice a day: the dedupe key names the day.
    """
    now = now or timezone.now()
    sent = 0
    for saved in SavedSearch.objects.select_related("user").filter(user__is_active=True):
        search_filter = CourseFilter(
            QueryDict(saved.query), apprenticeships_only=saved.apprenticeships_only
        )
        if search_filter.is_valid():
            new_courses = list(
                search_filter.qs.filter(published_at__gt=saved.checked_at, published_at__lte=now)[
                    :10
                ]
            )
        else:
            new_courses = []
        with transaction.atomic():
            if new_courses:
                notify_many(
                    [
                        Notification(
                            to=saved.user.email,
                            kind="course-alert",
                            category=Category.COURSE_ALERTS,
                            dedupe_key=f"saved-search:{saved.pk}:{now:%Y-%m-%d}",
                            context={
                                "search": saved.name,
                                "search_url": settings.SITE_URL + saved.get_absolute_url(),
                                "courses": [
                                    {
                                        "title": c.title,
                                        "institute": c.institute.name,
                                        "url": settings.SITE_URL + c.get_absolute_url(),
                                    }
                                    for c in new_courses
                                ],
                                "saved_searches_url": settings.SITE_URL
                                + reverse("courses:saved_searches"),
                            },
                        )
                    ]
                )
                sent += 1
            SavedSearch.objects.filter(pk=saved.pk).update(checked_at=now)
    return sent
