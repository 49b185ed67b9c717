from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from iot_network.web.listing import filtered_listing

from .filters import EventFilter
from .models import Event


@require_safe
def event_list(request):
    events = Event.objects.published().select_related("institute")
    listing = filtered_listing(request, EventFilter, events.upcoming())
    past_events = events.past()[:6]
    return render(
        request,
        "events/event_list.html",
        {"listing": listing, "past_events": past_events},
        status=listing.status,
    )


@require_safe
def event_detail(request, slug: str):
    event = get_object_or_404(Event.objects.published().select_related("institute"), slug=slug)
    return render(request, "events/event_detail.html", {"event": event})
