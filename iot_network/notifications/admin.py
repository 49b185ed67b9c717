from django.contrib import admin, messages
from django.db.models import Count, Min

from iot_network.staff.mixins import ScopedAdminMixin

from . import services
from .models import Consent, ConsentChange, Message


class RecentBatchFilter(admin.SimpleListFilter):
    """Bulk sends, newest first: pick one to see its progress."""

    title = "bulk send"
    parameter_name = "batch"

    def lookups(self, request, model_admin):
        batches = (  # only the user's IoTs' sends, like the rows
            model_admin.get_queryset(request)
            .exclude(batch="")
            .values("batch")
            .annotate(started=Min("created_at"))
            .order_by("-started")[:15]
        )
        return [(row["batch"], row["batch"]) for row in batches]

    def queryset(self, request, queryset):
        return queryset.filter(batch=self.value()) if self.value() else queryset


@admin.register(Message)
class MessageAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["recipient", "kind", "category", "status", "attempts", "created_at", "sent_at"]
    list_filter = [
        "status", "kind", "category", ("created_at", admin.DateFieldListFilter), RecentBatchFilter
    ]  # fmt: skip
    search_fields = ["recipient", "dedupe_key", "message_id", "batch"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "recipient", "kind", "category", "dedupe_key", "message_id", "batch", "status", "attempts",
        "last_error", "context", "attachments", "created_at", "next_attempt_at", "claimed_at",
        "sent_at", "about_type", "about_id",
    ]  # fmt: skip
    actions = ["retry_failed"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the outbox is a record; only the retry action changes it

    @admin.action(description="Retry the selected failed messages")
    def retry_failed(self, request, queryset):
        count = services.retry_failed(messages=queryset, acting_user=request.user)
        self.message_user(request, f"{count} message(s) queued again.", messages.SUCCESS)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            # Progress of what is on screen, e.g. one bulk send when filtered by batch.
            counts = dict(
                changelist.queryset.order_by()
                .values_list("status")
                .annotate(n=Count("pk"))
                .values_list("status", "n")
            )
            response.context_data["status_counts"] = [
                (label, counts.get(value, 0)) for value, label in Message.Status.choices
            ]
        return response


@admin.register(Consent)
class ConsentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["email", "category", "granted", "updated_at"]
    list_filter = ["category", "granted"]
    search_fields = ["email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # changes go through set_consent, so the history stays complete


@admin.register(ConsentChange)
class ConsentChangeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["email", "category", "granted", "source", "created_at"]
    list_filter = ["category", "granted", "source"]
    search_fields = ["email"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
