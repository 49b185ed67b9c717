from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.models import Group

from iot_network.accounts import services as account_services

from .mixins import ScopedAdminMixin, export_as_csv
from .models import AuditEntry, StaffMembership


@admin.register(StaffMembership)
class StaffMembershipAdmin(ScopedAdminMixin, admin.ModelAdmin):
    national_only = True  # only national admins grant access
    list_display = ["user", "role", "institute", "created_at"]
    list_filter = ["role", "institute"]
    list_select_related = ["user", "institute"]
    search_fields = ["user__email", "user__full_name"]
    autocomplete_fields = ["user", "institute"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    read_only = True
    list_display = ["created_at", "actor", "action", "target_repr", "iots"]
    list_filter = ["action", "institutes"]
    list_select_related = ["actor"]
    search_fields = ["target_repr", "actor__email", "detail"]
    date_hierarchy = "created_at"
    fields = ["created_at", "actor", "action", "target_type", "target_id", "target_repr",
              "iots", "detail"]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("institutes")

    @admin.display(description="IoTs")
    def iots(self, entry) -> str:
        return ", ".join(sorted(i.name for i in entry.institutes.all())) or "Network"


class VerifiesThroughService:
    """allauth's "mark verified" action, through a service, so it is audited."""

    @admin.action(description="Mark selected email addresses as verified")
    def make_verified(self, request, queryset):
        count = account_services.verify_email_addresses(
            addresses=queryset, acting_user=request.user
        )
        self.message_user(request, f"{count} email address(es) marked as verified.")


# Third-party admins: national admins only, like every other account record.
for model, extra in ((Group, ()), (EmailAddress, (VerifiesThroughService,)), (Authenticator, ())):
    if admin.site.is_registered(model):
        base = type(admin.site._registry[model])
        admin.site.unregister(model)
        admin.site.register(
            model,
            type(
                f"National{base.__name__}",
                (*extra, ScopedAdminMixin, base),
                {"national_only": True, "__module__": __name__},
            ),
        )

admin.site.add_action(export_as_csv, "export_as_csv")
