import uuid
from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from courses.models import Course
from events.models import Event
from iot_network.notifications.delivery import build_email
from iot_network.notifications.models import Category, Message
from iot_network.staff.mixins import ScopedAdminMixin
from stories.models import Story

from . import services
from .content import issue_context
from .forms import ScheduleForm
from .models import Issue, Subscriber

NEW_COURSES_DAYS = 90


@admin.register(Subscriber)
class SubscriberAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """People subscribe themselves (double opt-in); staff may correct their interests."""

    staff_may_add = False
    list_display = ["email", "confirmed_at", "created_at"]
    list_filter = ["institutes", "confirmed_at"]
    search_fields = ["email"]
    readonly_fields = ["email", "confirmed_at", "created_at"]
    fields = ["email", "institutes", "routes", "event_types", "confirmed_at", "created_at"]
    filter_horizontal = ["institutes", "routes"]


@admin.register(Issue)
class IssueAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["subject", "status", "send_at", "sent_at", "recipients"]
    list_filter = ["status", "audience_institutes"]
    search_fields = ["subject"]
    readonly_fields = ["status", "sent_at", "recipients", "send_page"]
    filter_horizontal = ["audience_institutes", "audience_routes", "stories", "events", "courses"]
    fieldsets = [
        (None, {"fields": ["send_page", "subject", "introduction"]}),
        ("Audience", {"fields": ["audience_institutes", "audience_routes"]}),
        ("Content", {"fields": ["stories", "events", "courses"]}),
        ("Sending", {"fields": ["status", "send_at", "sent_at", "recipients"]}),
    ]

    @admin.display(description="Preview and send")
    def send_page(self, obj):
        if obj is None or obj.pk is None:
            return "Save the issue to preview, test and send it."
        return format_html(
            '<a href="{}">Preview, send a test, send or schedule; see delivery counts</a>',
            reverse("admin:newsletter_issue_send", args=[obj.pk]),
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # What an issue can pick: published stories, upcoming events, newly published courses.
        if db_field.name == "stories":
            kwargs["queryset"] = Story.objects.published().newest_first()
        elif db_field.name == "events":
            kwargs["queryset"] = Event.objects.going_ahead().upcoming()
        elif db_field.name == "courses":
            since = timezone.now() - timedelta(days=NEW_COURSES_DAYS)
            kwargs["queryset"] = Course.objects.published().filter(published_at__gte=since)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/send/", view(self.send_view), name="newsletter_issue_send"),
            path(
                "<int:pk>/preview.<str:part>",
                view(self.preview_view),
                name="newsletter_issue_preview",
            ),
        ] + super().get_urls()

    def _issue(self, request, pk):
        issue = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, issue):
            raise PermissionDenied
        return issue

    def preview_view(self, request, pk, part):
        """The issue exactly as delivery renders it for a recipient: HTML or plain text."""
        issue = self._issue(request, pk)
        message = Message(
            recipient=request.user.email,
            kind="newsletter-issue",
            category=Category.NEWSLETTER,
            context=issue_context(issue),
            message_id=f"<preview-{uuid.uuid4().hex}@example.invalid>",
        )
        email = build_email(message)
        if part == "html":
            return HttpResponse(email.alternatives[0][0], content_type="text/html")
        if part == "txt":
            return HttpResponse(
                f"Subject: {email.subject}\n\n{email.body}", content_type="text/plain"
            )
        raise PermissionDenied

    def send_view(self, request, pk):
        issue = self._issue(request, pk)
        form = ScheduleForm(request.POST if "schedule" in request.POST else None)
        if request.method == "POST":
            if not self.has_change_permission(request, issue):
                raise PermissionDenied
            try:
                if "test" in request.POST:
                    services.send_test(issue=issue, acting_user=request.user)
                    self.message_user(request, f"A test is on its way to {request.user.email}.")
                elif "send" in request.POST:
                    services.send_now(issue=issue, acting_user=request.user)
                    self.message_user(request, "The issue is being sent.")
                elif "schedule" in request.POST and form.is_valid():
                    services.schedule(
                        issue=issue, send_at=form.cleaned_data["send_at"], acting_user=request.user
                    )
                    self.message_user(request, "The issue is scheduled.")
                else:
                    raise services.NewsletterError("Correct the time to schedule the issue.")
            except services.NewsletterError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                return redirect("admin:newsletter_issue_send", pk=issue.pk)
        return TemplateResponse(
            request,
            "admin/newsletter/send.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": issue,
                "title": f"Send {issue}",
                "form": form,
                "counts": services.status_counts(issue),
                "audience": len(services.recipients(issue)),
                "can_send": issue.status in (Issue.Status.DRAFT, Issue.Status.SCHEDULED)
                and self.has_change_permission(request, issue),
            },
        )
