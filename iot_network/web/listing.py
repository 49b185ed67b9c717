"""Shared plumbing for public list pages: filter, paginate, and answer bad input with a 400."""

from __future__ import annotations

from dataclasses import dataclass

import django_filters
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


@dataclass
class Listing:
    filter: django_filters.FilterSet
    page: Page
    status: int

    @property
    def active_filters(self) -> bool:
        return any(value not in (None, "", []) for value in self.filter.form.cleaned_data.values())


def filtered_listing(
    request: HttpRequest,
    filterset_class: type[django_filters.FilterSet],
    queryset: QuerySet,
    *,
    per_page: int = 20,
) -> Listing:
    """Apply ``filterset_class`` to ``queryset`` from the query string and paginate the result.

    An invalid filter value (a hand-edited URL, say) gives an empty page with status 400 and the
    form's error messages, never a server error.
    """
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    if filterset.is_valid():
        results, status = filterset.qs, 200
    else:
        results, status = queryset.none(), 400
    page = Paginator(results, per_page).get_page(request.GET.get("page"))
    return Listing(filter=filterset, page=page, status=status)
