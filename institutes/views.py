from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from courses.models import Course
from events.models import Event
from iot_network.web.listing import filtered_listing
from partners.models import Opportunity

from .filters import InstituteFilter
from .models import Institute, Region


@require_safe
def institute_list(request):
    listing = filtered_listing(
        request, InstituteFilter, Institute.objects.all(), per_page=30, noun="institutes"
    )
    region = getattr(listing.filter.form, "cleaned_data", {}).get("region")
    return render(
        request,
        "institutes/institute_list.html",
        {"listing": listing, "region": Region(region).label if region else ""},
        status=listing.status,
    )


@require_safe
def institute_detail(request, slug: str):
    institute = get_object_or_404(Institute, slug=slug)
    courses = Course.objects.published().filter(institute=institute).for_listing()[:12]
    events = Event.objects.published().upcoming().filter(institute=institute)[:5]
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
