from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html

from iot_network.staff.mixins import ScopedAdminMixin
from partners.admin import DecisionAdminMixin

from . import services
from .forms import StoryAdminForm
from .models import Story
from .views import story_context


@admin.register(Story)
class StoryAdmin(DecisionAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Staff write stories for their IoTs (national staff for the whole network), preview them,
    publish them now or at a time, and review the case studies partners propose."""

    decision_noun = "case study"
    form = StoryAdminForm
    list_display = ["title", "kind", "status", "publish_at", "published_at", "updated_at"]
    list_filter = ["status", "kind", "institutes", "demo"]
    search_fields = ["title", "standfirst", "body"]
    date_hierarchy = "created_at"
    # Plain multiple selects rather than the two-box widget: they work with a keyboard alone.
    readonly_fields = ["preview", "current_image", "proposed_by", "review_note", "published_at"]
    actions = ["publish_selected", "unpublish_selected", "approve_selected", "decline_selected"]
    change_form_template = "admin/partners/change_form.html"
    fieldsets = [
        (None, {"fields": ["preview", "kind", "title", "slug", "standfirst", "body"]}),
        ("Lead image", {"fields": ["current_image", "image", "image_alt"]}),
        ("Tags", {"fields": ["institutes", "organisations", "routes", "events"]}),
        ("Publishing", {"fields": ["status", "publish_at", "published_at", "demo"]}),
        ("Proposed by a partner", {"fields": ["proposed_by", "review_note"]}),
    ]

    @admin.display(description="Preview")
    def preview(self, obj):
        if obj is None or obj.pk is None:
            return "Save the story to preview it."
        return format_html(
            '<a href="{}">Preview the page as visitors will see it</a>',
            reverse("admin:stories_story_preview", args=[obj.pk]),
        )

    @admin.display(description="Current image")
    def current_image(self, obj):
        if obj is None or not obj.image_path:
            return "None"
        return format_html('<img src="{}" alt="{}" width="240">', obj.image_url(480), obj.image_alt)

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="stories_story_preview",
            ),
        ] + super().get_urls()

    def preview_view(self, request, pk):
        story = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, story):
            raise PermissionDenied
        context = story_context(request, story) | {"preview": True}
        return render(request, "stories/story_detail.html", context)

    def save_model(self, request, obj, form, change):
        try:
            services.save_story(
                story=obj, image=form.cleaned_data.get("image"), acting_user=request.user
            )
        except services.StoryError as exc:  # the form checks the same; a race is still told
            self.message_user(request, str(exc), messages.ERROR)

    # The review of partners' case studies (DecisionAdminMixin's pages and actions).
    def decide(self, obj, *, approve, reason, user):
        services.decide_case_study(story=obj, approve=approve, note=reason, decided_by=user)

    def _decide_many(self, request, objects, *, approve, reason):
        done = 0
        for obj in objects:
            try:
                self.decide(obj, approve=approve, reason=reason, user=request.user)
            except services.StoryError as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                done += 1
        return done

    @admin.action(description="Publish selected now")
    def publish_selected(self, request, queryset):
        count = services.publish_many(
            stories=queryset.exclude(status=Story.Status.PENDING), acting_user=request.user
        )
        self.message_user(request, f"{count} published.")

    @admin.action(description="Unpublish selected (back to draft)")
    def unpublish_selected(self, request, queryset):
        count = 0
        for story in queryset.filter(status__in=[Story.Status.PUBLISHED, Story.Status.SCHEDULED]):
            services.unpublish(story=story, acting_user=request.user)
            count += 1
        self.message_user(request, f"{count} back to draft.")
