"""Pages that pull several apps together."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from courses.models import Course
from events.models import Event
from institutes.forms import NearestForm
from institutes.models import Institute
from institutes.network_map import network_map
from partners.models import Opportunity


@require_safe
def home(request):
    # All but the partner card is the same for every visitor, and the template keeps it in
    # shared fragments: these querysets and callables run only when a fragment is rebuilt.
    institutes = Institute.objects.all()
    return render(
        request,
        "web/home.html",
        {
            "institutes": institutes,
            "network_map": lambda: network_map(institutes),
            "nearest_form": NearestForm(),
            "course_count": Course.objects.published().count,
            # "Coming up" promotes events to go to; a cancelled one is on the events list.
            "upcoming_events": (
                Event.objects.going_ahead().upcoming().select_related("institute")[:3]
            ),
        },
    )


@require_safe
def institute_detail(request, slug: str):
    institute = get_object_or_404(Institute, slug=slug)
    courses = Course.objects.published().filter(institute=institute).for_listing()[:12]
    events = Event.objects.visible().upcoming().filter(institute=institute)[:5]
    opportunities = (
        Opportunity.objects.live().filter(institute=institute).select_related("organisation")[:10]
    )
    return render(
        request,
        "institutes/institute_detail.html",
        {
            "institute": institute,
            "courses": courses,
            "events": events,
            "opportunities": opportunities,
        },
    )
