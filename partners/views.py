from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from institutes.models import Institute
from iot_network.web.listing import filtered_listing

from .filters import OrganisationFilter
from .models import Organisation


def _directory():
    return (
        Organisation.objects.in_directory()
        .select_related("sector")
        .prefetch_related(Prefetch("institutes", queryset=Institute.objects.only("name", "slug")))
    )


@require_safe
def partner_list(request):
    listing = filtered_listing(request, OrganisationFilter, _directory().distinct())
    return render(
        request, "partners/partner_list.html", {"listing": listing}, status=listing.status
    )


@require_safe
def partner_detail(request, slug: str):
    organisation = get_object_or_404(_directory(), slug=slug)
    return render(request, "partners/partner_detail.html", {"organisation": organisation})


@require_safe
def become_a_partner(request):
    return render(request, "partners/become.html")
