from django.shortcuts import render
from django.views.decorators.http import require_safe

from iot_network.web.listing import filtered_listing

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
