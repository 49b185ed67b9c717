from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from iot_network.web import shared_parts
from iot_network.web.listing import filtered_listing

from .filters import InstituteFilter
from .forms import NearestForm
from .models import Institute, Region
from .network_map import network_map


@require_safe
def institute_list(request):
    # The same for everyone who asks its URL (iot_network/web/shared_parts.py).
    parts = shared_parts.page_parts(request, "institute-list", lambda: _list_parts(request))
    return render(
        request, "institutes/institute_list.html", {"parts": parts}, status=parts["status"]
    )


def _list_parts(request) -> dict:
    listing = filtered_listing(
        request, InstituteFilter, Institute.objects.all(), per_page=30, noun="institutes"
    )
    region = getattr(listing.filter.form, "cleaned_data", {}).get("region")
    title = listing.title_prefix + "Institutes of Technology"
    title += f" in {Region(region).label}" if region else ""
    context = {"listing": listing, "network_map": network_map(listing.page.object_list)}
    return {
        "html": render_to_string("institutes/_institute_list.html", context, request),
        "title": title,
        "status": listing.status,
    }


@require_safe
def nearest(request):
    """The institutes in order of distance from a postcode or the browser's location."""
    asked = any(name in request.GET for name in NearestForm.base_fields)
    form = NearestForm(request.GET if asked else None)
    institutes = None
    if asked and form.is_valid():
        institutes = list(Institute.objects.by_distance(form.point))
    return render(
        request,
        "institutes/nearest.html",
        {"form": form, "institutes": institutes},
        status=400 if form.errors else 200,
    )
