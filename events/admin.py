import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from iot_network.staff import audit
from iot_network.staff.mixins import (
    ObjectActionsMixin,
    ScopedAdminMixin,
    ScopedInlineMixin,
    object_action,
    public_url,
)
from iot_network.web.csv_export import csv_response

from . import services
from .models import Event, Feedback, Registration, Session, Speaker


class SessionInline(ScopedInlineMixin, admin.StackedInline):
    model = Session
    extra = 0
    fields = [
        ("title", "kind"),
        ("starts_at", "ends_at"),
        ("room", "capacity"),
        "description",
        "speakers",
    ]
    autocomplete_fields = ["speakers"]


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason, as registrants will read it",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CheckInSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)  # refuses NUL, which PostgreSQL can't store


class CheckInForm(forms.Form):
    registration = forms.IntegerField(min_value=1)
    undo = forms.BooleanField(required=False)


class MessageForm(forms.Form):
    statuses = forms.MultipleChoiceField(
        label="Send to",
        choices=[
            (Registration.Status.CONFIRMED, "Confirmed"),
            (Registration.Status.WAITING, "Waiting list"),
            (Registration.Status.ATTENDED, "Attended"),
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    subject = forms.CharField(max_length=150)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
        help_text="Separate paragraphs with a blank line.",
    )


def _is(*statuses):
    return lambda event: event.status in statuses


@admin.register(Event)
class EventAdmin(ObjectActionsMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "event_type",
        "institute",
        "starts_at",
        "status",
        "capacity",
        "places_taken",
    ]
    list_filter = [
        "status",
        "event_type",
        "audience",
        "is_online",
        "institute__region",
        "institute",
    ]
    list_select_related = ["institute"]
    search_fields = ["title", "venue_name"]
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["institute", "routes"]
    inlines = [SessionInline]
    readonly_fields = ["status", "cancellation_reason", "sequence", "created_at", "updated_at"]
    actions = ["publish", "duplicate", "export_attendees"]
    object_actions = ["publish_one", "unpublish_one", "duplicate_one"]
    object_links = (
        ("Cancel event…", "events_event_cancel", _is(Event.Status.DRAFT, Event.Status.PUBLISHED)),
        ("Check-in", "events_event_check_in", _is(Event.Status.PUBLISHED)),
        ("Summary", "events_event_summary", lambda event: True),
        ("Message registrants", "events_event_message", _is(Event.Status.PUBLISHED)),
    )
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "event_type",
                    "institute",
                    "audience",
                    "routes",
                    "status",
                ]
            },
        ),
        ("Description", {"fields": ["summary", "description", "accessibility_info"]}),
        (
            "Time and place",
            {
                "fields": [
                    "starts_at",
                    "ends_at",
                    "is_online",
                    "venue_name",
                    "venue_address",
                    "venue_postcode",
                    ("latitude", "longitude"),
                    "joining_details",
                ]
            },
        ),
        (
            "Registration",
            {
                "fields": [
                    "capacity",
                    "registration_opens_at",
                    "registration_closes_at",
                    "waiting_list",
                    "offer_hours",
                ]
            },
        ),
        ("History", {"fields": ["cancellation_reason", "sequence", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_places_taken()

    @admin.display(description="places taken", ordering="places_taken")
    def places_taken(self, event):
        return event.places_taken

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            changed = list(form.changed_data)
            transaction.on_commit(lambda: self._tell_about_change(request, obj.pk, changed))

    def _tell_about_change(self, request, event_id, changed):
        count = services.event_changed(event_id=event_id, changed=changed)
        if count:
            messages.info(request, f"{count} registrant(s) will be emailed the new time or place.")

    # Actions ---------------------------------------------------------------------------------

    @admin.action(description="Publish the selected events", permissions=["change"])
    def publish(self, request, queryset):
        count = services.publish_events(events=queryset, acting_user=request.user)
        self.message_user(request, f"{count} event(s) published.", messages.SUCCESS)

    @admin.action(description="Duplicate the selected events (as drafts)", permissions=["add"])
    def duplicate(self, request, queryset):
        copies = services.duplicate_events(events=queryset, acting_user=request.user)
        self.message_user(
            request, f"{len(copies)} event(s) duplicated as drafts.", messages.SUCCESS
        )

    @admin.action(description="Export attendees of the selected events (CSV)", permissions=["view"])
    def export_attendees(self, request, queryset):
        audit.record_many(actor=request.user, action="exported attendees", targets=queryset)
        registrations = (
            Registration.objects.filter(event__in=queryset)
            .exclude(status=Registration.Status.CANCELLED)
            .select_related("event")
            .prefetch_related("sessions")
            .order_by("event__starts_at", "created_at")
        )
        response, _ = csv_response(
            filename="attendees.csv",
            header=[
                "Event",
                "Name",
                "Email",
                "Organisation",
                "Status",
                "Access needs",
                "Dietary needs",
                "Sessions",
                "Registered at",
            ],
            rows=(
                [
                    r.event.title,
                    r.name,
                    r.email,
                    r.organisation,
                    r.get_status_display(),
                    r.accessibility_needs,
                    r.dietary_needs,
                    "; ".join(s.title for s in r.sessions.all()),
                    timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
                ]
                for r in registrations
            ),
        )
        return response

    def view_on_site(self, event):
        return public_url(event, Event.objects.visible())

    # Buttons on the event's page (ObjectActionsMixin) -------------------------------------------

    def _one(self, request, event):
        return self.get_queryset(request).filter(pk=event.pk)

    @object_action(label="Publish", shown=_is(Event.Status.DRAFT), style="default")
    def publish_one(self, request, event):
        services.publish_events(events=self._one(request, event), acting_user=request.user)
        return f"“{event}” published: it is now on the public site.", None

    @object_action(label="Unpublish (back to draft)", shown=_is(Event.Status.PUBLISHED))
    def unpublish_one(self, request, event):
        if services.unpublish_events(events=self._one(request, event), acting_user=request.user):
            return f"“{event}” unpublished: it is a draft again, off the public site.", None
        return (
            f"“{event}” is still published: people have registered, so cancel it instead "
            "(they will be told).",
            None,
            messages.WARNING,
        )

    @object_action(label="Duplicate as a draft")
    def duplicate_one(self, request, event):
        (copy,) = services.duplicate_events(
            events=self._one(request, event), acting_user=request.user
        )
        return (
            f"“{event}” duplicated: this is the draft copy; set its date and publish it.",
            reverse("admin:events_event_change", args=[copy.pk]),
        )

    # Extra pages -------------------------------------------------------------------------------

    def get_urls(self):
        extra = [
            path(
                "<int:pk>/cancel/",
                self.admin_site.admin_view(self.cancel_view),
                name="events_event_cancel",
            ),
            path(
                "<int:pk>/message/",
                self.admin_site.admin_view(self.message_view),
                name="events_event_message",
            ),
            path(
                "<int:pk>/check-in/",
                self.admin_site.admin_view(self.check_in_view),
                name="events_event_check_in",
            ),
            path(
                "<int:pk>/summary/",
                self.admin_site.admin_view(self.summary_view),
                name="events_event_summary",
            ),
        ]
        return extra + super().get_urls()

    def _event_or_404(self, request, pk, *, change=True) -> Event:
        event = get_object_or_404(self.get_queryset(request), pk=pk)
        allowed = (
            self.has_change_permission(request, event)
            if change
            else self.has_view_permission(request, event)
        )
        if not allowed:
            raise PermissionDenied
        return event

    def _page(self, request, event, template, title, **context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": event,
                "event": event,
                "title": title,
                **context,
            },
        )

    def cancel_view(self, request, pk):
        event = self._event_or_404(request, pk)
        form = CancelForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            count = services.cancel_event(
                event_id=event.pk, reason=form.cleaned_data["reason"], acting_user=request.user
            )
            self.message_user(
                request, f"Event cancelled. {count} people will be told.", messages.SUCCESS
            )
            return redirect(reverse("admin:events_event_change", args=[event.pk]))
        return self._page(
            request, event, "admin/events/event/cancel.html", "Cancel event", form=form
        )

    def message_view(self, request, pk):
        event = self._event_or_404(request, pk)
        form = MessageForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            count = services.message_attendees(
                event_id=event.pk,
                statuses=form.cleaned_data["statuses"],
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                batch=f"event-{event.pk}-{uuid.uuid4().hex[:8]}",
                acting_user=request.user,
            )
            self.message_user(
                request, f"Your message will be sent to {count} people.", messages.SUCCESS
            )
            return redirect(reverse("admin:events_event_change", args=[event.pk]))
        return self._page(
            request, event, "admin/events/event/message.html", "Message registrants", form=form
        )

    def check_in_view(self, request, pk):
        event = self._event_or_404(request, pk)
        if request.method == "POST":
            form = CheckInForm(request.POST)
            if not form.is_valid():
                return HttpResponseBadRequest("Choose a registrant from the list.")
            try:
                registration = services.check_in(
                    event=event,
                    registration_id=form.cleaned_data["registration"],
                    attended=not form.cleaned_data["undo"],
                    acting_user=request.user,
                )
            except Registration.DoesNotExist:
                raise Http404("No such registration for this event.") from None
            self.message_user(
                request, f"{registration.name}: {registration.get_status_display().lower()}."
            )
            return redirect(request.get_full_path())
        search = CheckInSearchForm(request.GET)
        query = search.cleaned_data["q"] if search.is_valid() else ""
        people = event.registrations.filter(
            status__in=[Registration.Status.CONFIRMED, Registration.Status.ATTENDED]
        ).order_by("name")
        if query:
            people = people.filter(
                Q(name__icontains=query)
                | Q(email__icontains=query)
                | Q(organisation__icontains=query)
            )
        counts = event.registrations.aggregate(
            confirmed=Count("pk", filter=Q(status=Registration.Status.CONFIRMED)),
            attended=Count("pk", filter=Q(status=Registration.Status.ATTENDED)),
        )
        response = self._page(
            request,
            event,
            "admin/events/event/check_in.html",
            "Check-in",
            people=people[:100],
            query=query,
            search=search,
            counts=counts,
        )
        response.status_code = 200 if search.is_valid() else 400
        return response

    def summary_view(self, request, pk):
        event = self._event_or_404(request, pk, change=False)
        counts = event.registrations.aggregate(
            **{
                status: Count("pk", filter=Q(status=status))
                for status in Registration.Status.values
            }
        )
        feedback = Feedback.objects.filter(registration__event=event).aggregate(
            responses=Count("pk"),
            average=Avg("rating"),
            recommend=Count("pk", filter=Q(useful=True)),
        )
        ratings = dict(
            Feedback.objects.filter(registration__event=event)
            .values_list("rating")
            .annotate(n=Count("pk"))
        )
        comments = (
            Feedback.objects.filter(registration__event=event)
            .exclude(comments="")
            .values_list("comments", flat=True)[:50]
        )
        return self._page(
            request,
            event,
            "admin/events/event/summary.html",
            "Event summary",
            counts=counts,
            feedback=feedback,
            ratings=[(n, ratings.get(n, 0)) for n in range(5, 0, -1)],
            comments=comments,
        )


@admin.register(Speaker)
class SpeakerAdmin(ScopedAdminMixin, admin.ModelAdmin):
    shared_reference = True
    staff_may_add_shared = True
    list_display = ["name", "role", "organisation"]
    search_fields = ["name", "organisation"]


class EventDateFilter(admin.SimpleListFilter):
    title = "event date"
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("upcoming", "Upcoming events"), ("past", "Past events")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "upcoming":
            return queryset.filter(event__starts_at__gte=now)
        if self.value() == "past":
            return queryset.filter(event__starts_at__lt=now)
        return queryset


class NeedsFilter(admin.SimpleListFilter):
    title = "access or dietary needs"
    parameter_name = "needs"

    def lookups(self, request, model_admin):
        return [("yes", "Told us of needs"), ("no", "None given")]

    def queryset(self, request, queryset):
        none_given = Q(accessibility_needs="") & Q(dietary_needs="")
        if self.value() == "yes":
            return queryset.exclude(none_given)
        if self.value() == "no":
            return queryset.filter(none_given)
        return queryset


@admin.register(Registration)
class RegistrationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    # What staff check before an event (who is coming, who needs what, who is waiting for an
    # offer) and after it (who attended): see the README's "A week of IoT staff work".
    list_display = [
        "name",
        "email",
        "organisation",
        "event",
        "event_date",
        "status",
        "offer_expires_at",
        "needs",
        "created_at",
    ]
    list_filter = [
        EventDateFilter,
        "status",
        NeedsFilter,
        "event__event_type",
        "event__institute",
        "event",
    ]
    list_select_related = ["event"]
    search_fields = ["name", "email", "organisation", "event__title"]
    date_hierarchy = "created_at"
    readonly_fields = ["event", "email", "status", "offer_expires_at", "created_at", "updated_at"]
    autocomplete_fields = ["sessions"]

    def has_add_permission(self, request):
        return False  # registrations come through the public form and its rules

    @admin.display(description="event date", ordering="event__starts_at")
    def event_date(self, registration):
        return timezone.localtime(registration.event.starts_at).strftime("%-d %b %Y %H:%M")

    @admin.display(description="needs")
    def needs(self, registration):
        told = [
            label
            for label, value in (
                ("access", registration.accessibility_needs),
                ("dietary", registration.dietary_needs),
            )
            if value
        ]
        return ", ".join(told).capitalize() or "–"


@admin.register(Session)
class SessionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "event", "kind", "starts_at", "capacity"]
    search_fields = ["title", "event__title"]
    list_select_related = ["event"]
