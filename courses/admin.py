from functools import partial

from django.contrib import admin, messages
from django.urls import path
from django.utils import timezone

from iot_network.staff.mixins import (
    ObjectActionsMixin,
    ScopedAdminMixin,
    ScopedInlineMixin,
    object_action,
    public_url,
)

from . import services
from .bulk import admin_views as bulk
from .models import Course, CourseRun, Enquiry, SavedSearch, SectorTag


class CourseRunInline(ScopedInlineMixin, admin.TabularInline):
    model = CourseRun
    extra = 0
    fields = [
        "run_code", "start_date", "duration_months", "study_mode", "attendance", "venue_name",
        "venue_postcode",
        "latitude", "longitude", "fee", "application_deadline", "places", "apply_url",
    ]  # fmt: skip


@admin.register(Course)
class CourseAdmin(ObjectActionsMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "institute", "level", "qualification_type", "status", "updated_at"]
    list_filter = [
        "status",
        "level",
        "qualification_type",
        "route",
        "institute__region",
        "institute",
    ]
    list_select_related = ["institute"]
    search_fields = ["title", "provider_name", "institute__name", "standard_reference", "qan"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["institute", "route", "sector_tags", "partner_employers"]
    inlines = [CourseRunInline]
    actions = ["publish", "unpublish"]
    object_actions = ["publish_one", "unpublish_one"]
    readonly_fields = ["published_at", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {"fields": ["title", "slug", "status", "institute", "provider_course_code", "summary"]},
        ),
        (
            "Qualification",
            {"fields": ["level", "qualification_type", "route", "sector_tags", "htq_approved"]},
        ),
        ("Provider", {"fields": ["provider_name", "provider_ukprn", "partner_employers"]}),
        (
            "For learners",
            {
                "fields": [
                    "description",
                    "what_you_learn",
                    "entry_requirements",
                    "assessment",
                    "careers",
                    "progression",
                ]
            },
        ),  # fmt: skip
        ("Funding", {"fields": ["student_finance", "employer_sponsored"]}),
        ("Identifiers", {"fields": ["standard_reference", "lars_code", "qan"]}),
        ("History", {"fields": ["published_at", "created_at", "updated_at"]}),
    ]

    def get_urls(self):
        def page(view, name, route):
            view = self.admin_site.admin_view(partial(view, self))
            return path(route, view, name=f"courses_course_{name}")

        return [
            page(bulk.upload, "import", "import/"),
            page(bulk.help_page, "import_help", "import/help/"),
            page(bulk.template, "import_template", "import/template.<str:fmt>"),
            page(bulk.download, "import_download", "import/download/"),
            page(bulk.detail, "import_detail", "import/<int:pk>/"),
            page(bulk.progress, "import_progress", "import/<int:pk>/progress.json"),
            page(bulk.confirm, "import_confirm", "import/<int:pk>/confirm/"),
        ] + super().get_urls()

    def save_model(self, request, obj, form, change):
        if obj.status == Course.Status.PUBLISHED:
            obj.publish()
        super().save_model(request, obj, form, change)

    def view_on_site(self, course):
        return public_url(course, Course.objects.published())

    def _one(self, request, course):
        return self.get_queryset(request).filter(pk=course.pk)

    @object_action(
        label="Publish", shown=lambda c: c.status == Course.Status.DRAFT, style="default"
    )
    def publish_one(self, request, course):
        services.publish_courses(courses=self._one(request, course), acting_user=request.user)
        return f"“{course}” published: learners can now find it.", None

    @object_action(
        label="Unpublish (back to draft)", shown=lambda c: c.status == Course.Status.PUBLISHED
    )
    def unpublish_one(self, request, course):
        services.unpublish_courses(courses=self._one(request, course), acting_user=request.user)
        return f"“{course}” unpublished: it is a draft again, off the public site.", None

    @admin.action(description="Publish the selected courses", permissions=["change"])
    def publish(self, request, queryset):
        count = services.publish_courses(courses=queryset, acting_user=request.user)
        self.message_user(request, f"{count} course(s) published.", messages.SUCCESS)

    @admin.action(
        description="Unpublish the selected courses (back to draft)", permissions=["change"]
    )
    def unpublish(self, request, queryset):
        count = services.unpublish_courses(courses=queryset, acting_user=request.user)
        self.message_user(request, f"{count} course(s) moved back to draft.", messages.SUCCESS)


@admin.register(SectorTag)
class SectorTagAdmin(ScopedAdminMixin, admin.ModelAdmin):
    shared_reference = True
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class RepliedFilter(admin.EmptyFieldListFilter):
    """Django's empty/not empty filter on ``replied_at``, in staff's words (the dashboard links
    to ``?replied_at__isempty=1``)."""

    WORDS = {"Empty": "Waiting for a reply", "Not empty": "Replied to"}

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = "reply"

    def choices(self, changelist):
        for choice in super().choices(changelist):
            for django_word, ours in self.WORDS.items():
                if str(choice["display"]).startswith(django_word):
                    choice["display"] = ours + str(choice["display"])[len(django_word) :]
                    break
            yield choice


@admin.register(Enquiry)
class EnquiryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    # The enquiries waiting for a reply, oldest first, with who to answer them (each IoT
    # answers its own courses): see the README's "A week of IoT staff work".
    list_display = [
        "name",
        "course",
        "institute",
        "email",
        "phone",
        "created_at",
        "waiting",
        "replied_at",
    ]
    list_filter = [
        ("replied_at", RepliedFilter),
        "created_at",
        "consent_to_contact",
        "course__institute",
    ]
    list_select_related = ["course__institute"]
    ordering = ["replied_at", "created_at"]  # unanswered (NULL) first, oldest first
    search_fields = ["name", "email", "course__title"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "course",
        "name",
        "email",
        "phone",
        "message",
        "consent_to_contact",
        "created_at",
    ]
    actions = ["mark_replied"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="IoT", ordering="course__institute__name")
    def institute(self, enquiry):
        return enquiry.course.institute.name

    @admin.display(description="days waiting")
    def waiting(self, enquiry):
        if enquiry.replied_at is not None:
            return "–"
        return (timezone.now() - enquiry.created_at).days

    @admin.action(description="Mark the selected enquiries as replied to", permissions=["change"])
    def mark_replied(self, request, queryset):
        count = services.mark_enquiries_replied(enquiries=queryset, acting_user=request.user)
        self.message_user(request, f"{count} enquiry(ies) marked as replied to.", messages.SUCCESS)


@admin.register(SavedSearch)
class SavedSearchAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "user", "created_at", "checked_at"]
    search_fields = ["user__email", "name"]
    list_select_related = ["user"]
