from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from institutes.models import Institute
from iot_network.web.csv_export import csv_response

from . import presenters, services
from .figures import NETWORK
from .models import ImpactSnapshot


@require_safe
def impact(request):
    context = presenters.page_context(services.snapshot(NETWORK))
    return render(request, "impact/impact.html", {**context, "scope_slug": NETWORK})


@require_safe
def download(request, scope: str, name: str):
    """One chart's or table's figures as CSV: the network's (``scope`` "network") or an IoT's."""
    if scope == NETWORK:
        key, filename_scope = NETWORK, "network"
    else:
        institute = get_object_or_404(Institute, slug=scope)
        key, filename_scope = str(institute.pk), institute.slug
    found = ImpactSnapshot.objects.for_scope(key).first()
    layout = presenters.csv_rows(found.figures, name) if found else None
    if layout is None:
        raise Http404("No such figures")
    header, rows = layout
    response, _ = csv_response(
        filename=f"impact-{filename_scope}-{name}.csv", header=header, rows=rows
    )
    return response
