from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from iot_network.staff.mixins import (
    ObjectActionsMixin,
    ScopedAdminMixin,
    ScopedInlineMixin,
    object_action,
    public_url,
)
from iot_network.web.identifiers import UKRLP_SEARCH_URL, companies_house_url

from . import services
from .forms import CloseOpportunityForm, DecisionForm
from .models import (
    Engagement,
    Interest,
    Opportunity,
    Organisation,
    OrganisationMember,
    SkillsNeed,
)


def _pending(obj) -> bool:
    return obj.status == "pending"


def _open(obj) -> bool:
    return not obj.is_closed


def _unrecorded(obj) -> bool:
    return obj.is_closed and obj.positions_filled is None


class DecisionAdminMixin(ObjectActionsMixin):
    """Approve (one click) or decline (with a reason) pending rows, one at a time from the change
    page or in bulk from the list. The decision goes through ``decide`` (a service), which tells
    the partner and records who decided."""

    decision_noun = "item"
    object_actions = ["approve_one"]

    @property
    def object_links(self):
        meta = self.model._meta
        return (
            (
                "Review and decline with a reason…",
                f"{meta.app_label}_{meta.model_name}_review",
                _pending,
            ),
        )

    @object_action(label="Approve", shown=_pending, style="default")
    def approve_one(self, request, obj):
        if self._decide_many(request, [obj], approve=True, reason=""):
            return f"“{obj}” approved; they have been told by email.", self._queue()
        return f"“{obj}” was not approved.", None, messages.WARNING

    def _queue(self) -> str:
        """Back to what is still waiting for review."""
        meta = self.model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        return f"{changelist}?status__exact=pending"

    def decide(self, obj, *, approve: bool, reason: str, user):
        raise NotImplementedError

    def review_context(self, request, obj) -> dict:
        """What the review page shows beside the decision."""
        return {}

    def get_urls(self):
        meta = self.model._meta
        return [
            path(
                "<int:pk>/review/",
                self.admin_site.admin_view(self.review_view),
                name=f"{meta.app_label}_{meta.model_name}_review",
            ),
        ] + super().get_urls()

    def _decide_many(self, request, objects, *, approve: bool, reason: str) -> int:
        done = 0
        for obj in objects:
            try:
                self.decide(obj, approve=approve, reason=reason, user=request.user)
            except services.PartnerError as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                done += 1
        return done

    def review_view(self, request, pk):
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        form = DecisionForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            approve = form.cleaned_data["decision"] == "approve"
            if self._decide_many(
                request, [obj], approve=approve, reason=form.cleaned_data["reason"]
            ):
                verb = "approved" if approve else "declined"
                self.message_user(request, f"{obj} {verb}; they have been told by email.")
            return redirect(self._queue())
        return TemplateResponse(
            request,
            "admin/partners/review.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": obj,
                "title": f"Review {obj}",
                "form": form,
                "noun": self.decision_noun,
                **self.review_context(request, obj),
            },
            status=400 if form.is_bound else 200,
        )

    @admin.action(description="Approve selected (they are told by email)")
    def approve_selected(self, request, queryset):
        done = self._decide_many(request, queryset, approve=True, reason="")
        self.message_user(request, f"{done} approved.")

    @admin.action(description="Decline selected, with a reason…")
    def decline_selected(self, request, queryset):
        form = DecisionForm(
            request.POST if "reason" in request.POST else None,
            initial={"decision": "decline"},
        )
        if "reason" in request.POST and form.is_valid():
            done = self._decide_many(
                request, queryset, approve=False, reason=form.cleaned_data["reason"]
            )
            self.message_user(request, f"{done} declined.")
            return None
        return TemplateResponse(
            request,
            "admin/partners/decline_many.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"Decline {queryset.count()} {self.decision_noun}(s)",
                "form": form,
                "objects": queryset,
                "action": "decline_selected",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


class MemberInline(ScopedInlineMixin, admin.TabularInline):
    model = OrganisationMember
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "job_title", "created_at"]
    readonly_fields = ["created_at"]


class EngagementInline(ScopedInlineMixin, admin.TabularInline):
    model = Engagement
    extra = 1
    fields = ["occurred_on", "kind", "quantity", "institute", "notes", "logged_by"]
    readonly_fields = ["logged_by"]


class LogsEngagementMixin:
    def save_formset(self, request, form, formset, change):
        saved = formset.save(commit=False)  # builds the rows; the service writes them
        services.save_partner_records(
            saved=saved, deleted=formset.deleted_objects, acting_user=request.user
        )
        formset.save_m2m()


@admin.register(Organisation)
class OrganisationAdmin(
    DecisionAdminMixin, LogsEngagementMixin, ScopedAdminMixin, admin.ModelAdmin
):
    decision_noun = "application"
    list_display = [
        "name",
        "org_type",
        "sector",
        "status",
        "created_at",
        "review_date",
        "listed_in_directory",
    ]
    list_filter = ["status", "org_type", "sector", "institutes", "interests", "listed_in_directory"]
    list_select_related = ["sector"]
    search_fields = ["name", "companies_house_number", "ukprn", "members__user__email"]
    date_hierarchy = "created_at"
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["institutes", "interests"]
    readonly_fields = ["status", "decision_reason", "decided_at", "decided_by", "consent_at"]
    inlines = [MemberInline, EngagementInline]
    actions = ["approve_selected", "decline_selected"]
    change_form_template = "admin/partners/change_form.html"
    fieldsets = [
        (
            None,
            {"fields": ["name", "slug", "org_type", "sector", "size", "institutes", "interests"]},
        ),
        ("Identifiers", {"fields": ["companies_house_number", "ukprn"]}),
        (
            "Contact and address",
            {"fields": ["contact_name", "contact_phone", "address", "postcode", "website"]},
        ),
        ("Public profile", {"fields": ["summary", "listed_in_directory"]}),
        (
            "Review",
            {
                "fields": [
                    "status",
                    "decision_reason",
                    "decided_at",
                    "decided_by",
                    "review_date",
                    "consent_at",
                ]
            },
        ),
    ]

    def view_on_site(self, organisation):
        return public_url(organisation, Organisation.objects.in_directory())

    def review_context(self, request, organisation):
        application = (
            Organisation.objects.select_related("sector")
            .prefetch_related("institutes", "interests")
            .get(pk=organisation.pk)
        )
        matches = list(Organisation.objects.possibly_the_same_as(application).order_by("name")[:20])
        # Another IoT's partner is named only to its own staff; others see that one exists.
        yours = set(
            self.get_queryset(request)
            .filter(pk__in=[m.pk for m in matches])
            .values_list("pk", flat=True)
        )
        return {
            "application": application,
            "members": application.members.select_related("user").order_by("created_at"),
            "possible_duplicates": [m for m in matches if m.pk in yours],
            "hidden_duplicates": len(matches) - len(yours),
            "companies_house_url": companies_house_url(application.companies_house_number)
            if application.companies_house_number
            else "",
            "ukrlp_url": UKRLP_SEARCH_URL,
        }

    def decide(self, obj, *, approve, reason, user):
        services.decide_application(
            organisation=obj, approve=approve, reason=reason, decided_by=user
        )


class ClosingFilter(admin.SimpleListFilter):
    title = "closing date"
    parameter_name = "closing"

    def lookups(self, request, model_admin):
        return [
            ("open", "Still open"),
            ("soon", "Closing in the next 14 days"),
            ("passed", "Closing date passed"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "open":
            return queryset.filter(closing_date__gte=today)
        if self.value() == "soon":
            return queryset.filter(closing_date__range=(today, today + timedelta(days=14)))
        if self.value() == "passed":
            return queryset.filter(closing_date__lt=today)
        return queryset


@admin.register(Opportunity)
class OpportunityAdmin(DecisionAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    decision_noun = "opportunity"
    # Approving what partners post, and keeping live vacancies current: see the README's
    # "A week of IoT staff work".
    list_display = [
        "title",
        "kind",
        "organisation",
        "institute",
        "created_at",
        "closing_date",
        "positions",
        "status",
    ]
    list_filter = [
        "status",
        ClosingFilter,
        "kind",
        "organisation__status",
        "institute__region",
        "institute",
    ]
    list_select_related = ["organisation", "institute"]
    search_fields = ["title", "organisation__name", "standard_reference"]
    date_hierarchy = "closing_date"
    autocomplete_fields = ["organisation", "institute", "course"]
    readonly_fields = [
        "status",
        "positions_filled",
        "decision_reason",
        "decided_at",
        "decided_by",
        "created_by",
    ]
    actions = ["approve_selected", "decline_selected", "close_selected"]
    change_form_template = "admin/partners/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # Fewer places than were recorded as filled would break the opportunity's check; the
        # number filled is changed on the close page, not here.
        if obj is not None and obj.positions_filled is not None:
            fields.append("positions")
        return fields

    def view_on_site(self, opportunity):
        return public_url(opportunity, Opportunity.objects.live())

    def review_context(self, request, opportunity):
        return {
            "opportunity": Opportunity.objects.select_related(
                "organisation", "institute", "course"
            ).get(pk=opportunity.pk)
        }

    def decide(self, obj, *, approve, reason, user):
        services.decide_opportunity(
            opportunity=obj, approve=approve, reason=reason, decided_by=user
        )

    @property
    def object_links(self):
        return (
            *super().object_links,
            ("Close, with the number of places filled…", "partners_opportunity_close", _open),
            ("Record the number of places filled…", "partners_opportunity_close", _unrecorded),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/close/",
                self.admin_site.admin_view(self.close_view),
                name="partners_opportunity_close",
            ),
        ] + super().get_urls()

    def close_view(self, request, pk):
        opportunity = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, opportunity):
            raise PermissionDenied
        was_closed = opportunity.is_closed
        form = CloseOpportunityForm(
            request.POST if request.method == "POST" else None, opportunity=opportunity
        )
        if request.method == "POST" and form.is_valid():
            try:
                opportunity = services.close_opportunity(
                    opportunity=opportunity,
                    closed_by=request.user,
                    positions_filled=form.cleaned_data["positions_filled"],
                )
            except services.PartnerError as exc:
                form.add_error("positions_filled", str(exc))
            else:
                verb = "saved" if was_closed else "closed"
                self.message_user(request, f"“{opportunity}” {verb}: {opportunity.filled_summary}.")
                return redirect(reverse("admin:partners_opportunity_change", args=[pk]))
        return TemplateResponse(
            request,
            "admin/partners/close_opportunity.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": opportunity,
                "title": f"Record places filled: {opportunity}"
                if was_closed
                else f"Close {opportunity}",
                "form": form,
            },
            status=400 if form.is_bound else 200,
        )

    @admin.action(description="Close selected (hide from learners)")
    def close_selected(self, request, queryset):
        count = 0
        for opportunity in queryset.exclude(status=Opportunity.Status.CLOSED):
            services.close_opportunity(opportunity=opportunity, closed_by=request.user)
            count += 1
        self.message_user(
            request,
            f"{count} closed. Record how many places each one filled from its page "
            "(“Record the number of places filled…”): the evaluation report counts them.",
        )


@admin.register(SkillsNeed)
class SkillsNeedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "skills",
        "people_needed",
        "needed_by",
        "organisation",
        "institute",
        "created_at",
        "acknowledged_at",
    ]
    list_filter = ["institute", "route", "acknowledged_at"]
    list_select_related = ["organisation", "institute"]
    search_fields = ["skills", "details", "organisation__name"]
    date_hierarchy = "needed_by"
    autocomplete_fields = ["organisation", "institute"]
    readonly_fields = ["created_by", "created_at", "acknowledged_at"]
    actions = ["acknowledge_selected"]

    @admin.action(description="Mark selected as acknowledged")
    def acknowledge_selected(self, request, queryset):
        count = services.acknowledge_skills_needs(needs=queryset, acting_user=request.user)
        self.message_user(request, f"{count} marked as acknowledged.")


@admin.register(Engagement)
class EngagementAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["organisation", "kind", "quantity", "occurred_on", "institute", "logged_by"]
    list_filter = ["kind", "institute"]
    list_select_related = ["organisation", "institute", "logged_by"]
    search_fields = ["organisation__name", "notes"]
    date_hierarchy = "occurred_on"
    autocomplete_fields = ["organisation", "institute"]
    readonly_fields = ["logged_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if obj.logged_by_id is None:
            obj.logged_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Interest)
class InterestAdmin(ScopedAdminMixin, admin.ModelAdmin):
    shared_reference = True
    list_display = ["name", "order"]
    prepopulated_fields = {"slug": ["name"]}
