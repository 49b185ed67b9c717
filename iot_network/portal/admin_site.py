"""The staff workspace's admin site (it gathers every app's admin, so it sits in the composition
layer): sign-in through the site's (rate-limited, MFA-aware) login,
and a dashboard for the user's scope on the index page."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, F
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_page

from courses.models import Enquiry
from events.models import Event, Registration
from iot_network.notifications.models import Message
from iot_network.staff.scoping import scope_of
from partners.models import Opportunity, Organisation

WEEKS = 12


class StaffAdminSite(admin.AdminSite):
    site_header = "Institutes of Technology Network staff workspace"
    site_title = "Staff workspace"
    index_title = "Your dashboard"
    index_template = "admin/staff_index.html"

    def has_permission(self, request):
        return super().has_permission(request) and scope_of(request.user).is_staff_member

    def login(self, request, extra_context=None):
        if request.user.is_authenticated and not self.has_permission(request):
            return super().login(request, extra_context)  # "not authorised" page
        return redirect_to_login(
            request.GET.get("next") or reverse("admin:index"), reverse("account_login")
        )

    # The admin's JavaScript translations are the same for everyone in a language and change only
    # with a release: built once a day per language, not on every page (a few hundred ms each).
    @method_decorator(cache_page(60 * 60 * 24))
    def i18n_javascript(self, request, extra_context=None):
        return super().i18n_javascript(request, extra_context)

    def index(self, request, extra_context=None):
        return super().index(request, {**dashboard(request.user), **(extra_context or {})})


def weekly_registrations(user, today) -> list[dict]:
    start = today - timedelta(weeks=WEEKS - 1, days=today.weekday())
    rows = (
        Registration.objects.for_staff(user)
        .filter(created_at__date__gte=start)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {row["week"].date(): row["n"] for row in rows}
    weeks = [start + timedelta(weeks=i) for i in range(WEEKS)]
    top = max([1, *counts.values()])
    bar_width, gap, height = 28, 8, 120
    return [
        {
            "week": week,
            "count": counts.get(week, 0),
            "x": i * (bar_width + gap),
            "height": round(height * counts.get(week, 0) / top),
            "y": height - round(height * counts.get(week, 0) / top),
            "width": bar_width,
        }
        for i, week in enumerate(weeks)
    ]


def dashboard(user) -> dict:
    """What needs attention in the user's IoTs: a fixed number of queries, whatever the data."""
    today = timezone.localdate()
    events = list(
        Event.objects.going_ahead()
        .upcoming()
        .for_staff(user)
        .with_places_taken()
        .filter(capacity__isnull=False)
        .annotate(left=F("capacity") - F("places_taken"))
        .select_related("institute")
        .order_by("starts_at")[:8]
    )
    bars = weekly_registrations(user, today)
    return {
        "dashboard": {
            "events": events,
            "weeks": bars,
            "registrations_total": sum(bar["count"] for bar in bars),
            "chart_width": len(bars) * 36,
            "pending_applications": Organisation.objects.pending().for_staff(user).count(),
            "pending_opportunities": Opportunity.objects.pending().for_staff(user).count(),
            "open_enquiries": Enquiry.objects.filter(replied_at__isnull=True)
            .for_staff(user)
            .count(),
            "failed_messages": Message.objects.filter(status=Message.Status.FAILED)
            .for_staff(user)
            .count(),
        }
    }
