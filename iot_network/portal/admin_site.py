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


# The chart's geometry, in SVG units: room on the left for the scale, below for the weeks.
PLOT_LEFT, PLOT_TOP, PLOT_HEIGHT, BAR_WIDTH, BAR_GAP = 40, 10, 120, 28, 8


def nice_scale(top: int, ticks: int = 4) -> list[int]:
    """Round steps (1, 2, 5, 10, 20, 50...) from 0 to at least ``top``, about ``ticks`` of them."""
    step = 1
    while step * ticks < top:
        for factor in (2, 5 / 2, 2):  # 1 → 2 → 5 → 10
            step = round(step * factor)
            if step * ticks >= top:
                break
    return [step * i for i in range(ticks + 1)]


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
    return [{"week": start + timedelta(weeks=i), "count": counts.get(start + timedelta(weeks=i), 0)}
            for i in range(WEEKS)]  # fmt: skip


def chart(weeks: list[dict]) -> dict:
    """A bar chart with its axes and a scale, laid out here so the SVG needs no script."""
    scale = nice_scale(max([1, *(w["count"] for w in weeks)]))
    top, bottom = scale[-1], PLOT_TOP + PLOT_HEIGHT

    def y(value: int) -> int:
        return bottom - round(PLOT_HEIGHT * value / top)

    bars = [
        {
            **week,
            "x": PLOT_LEFT + BAR_GAP // 2 + i * (BAR_WIDTH + BAR_GAP),
            "y": y(week["count"]),
            "height": bottom - y(week["count"]),
            "width": BAR_WIDTH,
            "label_x": PLOT_LEFT + BAR_GAP // 2 + i * (BAR_WIDTH + BAR_GAP) + BAR_WIDTH // 2,
        }
        for i, week in enumerate(weeks)
    ]
    right = PLOT_LEFT + len(weeks) * (BAR_WIDTH + BAR_GAP)
    return {
        "bars": bars,
        "ticks": [{"value": v, "y": y(v)} for v in scale],
        "top": top,
        "left": PLOT_LEFT,
        "right": right,
        "bottom": bottom,
        "width": right + 10,
        "height": bottom + 34,
        "axis_label_y": bottom + 30,
        "middle_x": (PLOT_LEFT + right) // 2,
    }


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
    weeks = weekly_registrations(user, today)
    return {
        "dashboard": {
            "events": events,
            "weeks": weeks,
            "chart": chart(weeks),
            "registrations_total": sum(week["count"] for week in weeks),
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
