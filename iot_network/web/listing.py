"""Shared plumbing for public list pages: filter, paginate, answer bad input with a 400, show the
active filters as removable chips, and say what to try next when nothing matches."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

import django_filters
from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.http import HttpRequest
from django.utils.formats import date_format


class _ListedChoices(forms.models.ModelChoiceIterator):
    """A model choice field's options from one plain query. Django streams them through
    ``QuerySet.iterator()``, which on PostgreSQL is a server-side cursor (DECLARE, FETCH and
    CLOSE: three round trips) each time the select is drawn, for a list of 15 or 21 rows."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class _ShortModelChoiceField(django_filters.fields.ModelChoiceField):
    iterator = _ListedChoices


class ShortModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A ModelChoiceFilter for a short list (the IoTs, the routes). It offers no null choice."""

    field_class = _ShortModelChoiceField


@dataclass(frozen=True)
class Chip:
    """One active filter, and the address of the same list without it."""

    label: str
    url: str


@dataclass(frozen=True)
class Suggestion:
    """Something to try next; a link when ``url`` is set, plain advice otherwise."""

    text: str
    url: str = ""


@dataclass(frozen=True)
class EmptyState:
    """What an empty list says (templates/partials/empty_state.html): what matched nothing, why
    the page exists when nothing is there yet, and what to try next."""

    message: str
    explanation: str = ""
    suggestions: Sequence[Suggestion] = ()
    count: str = ""  # "0 saved searches", where the page shows no count of its own
    level: int = 2  # the message's heading level; 0 for a paragraph under a section's heading
    start: Suggestion | None = None  # where to begin, for a list that is empty by nature


def url_without(request: HttpRequest, name: str, value: str | None = None, *also: str) -> str:
    """This page's address without one filter (or one value of it), ``also`` others, and the
    page number (the page of a longer list may not exist in the shorter one)."""
    query = request.GET.copy()
    for key in ("page", *also):
        query.pop(key, None)
    if value is None:
        query.pop(name, None)
    else:
        query.setlist(name, [v for v in query.getlist(name) if v != value])
    encoded = query.urlencode()
    return request.path + (f"?{encoded}" if encoded else "")


def _shown(bound_field, value) -> str:
    if isinstance(value, bool):
        return ""  # a ticked box: its label says it all
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    if isinstance(bound_field.field, forms.ChoiceField) and not hasattr(value, "pk"):
        return str(dict(bound_field.field.choices).get(value, value))
    return str(value)


def filter_chips(request: HttpRequest, form: forms.Form) -> list[Chip]:
    """Each filter the visitor chose, labelled the way the filter form labels it."""
    if not form.is_valid():
        return []
    chips = []
    for name, value in form.cleaned_data.items():
        if value in (None, "", [], False):
            continue
        bound_field = form[name]
        shown = _shown(bound_field, value)
        label = f"{bound_field.label}: {shown}" if shown else str(bound_field.label)
        chips.append(Chip(label=label, url=url_without(request, name)))
    return chips


@dataclass
class Listing:
    filter: django_filters.FilterSet
    page: Page
    status: int
    chips: list[Chip] = field(default_factory=list)
    empty: EmptyState | None = None

    @property
    def active_filters(self) -> bool:
        return any(value not in (None, "", []) for value in self.filter.form.cleaned_data.values())

    @property
    def title_prefix(self) -> str:
        """What the page's title starts with: "Error: " for a mangled filter, the empty state's
        message when nothing is listed, else nothing."""
        if self.status == 400:
            return "Error: "
        return f"{self.empty.message} – " if self.empty else ""


def filtered_listing(
    request: HttpRequest,
    filterset_class: type[django_filters.FilterSet],
    queryset: QuerySet,
    *,
    per_page: int = 20,
    noun: str = "results",
    when_none: EmptyState | None = None,
) -> Listing:
    """Apply ``filterset_class`` to ``queryset`` from the query string and paginate the result.

    An invalid filter value (a hand-edited URL, say) gives an empty page with status 400 and the
    form's error messages, never a server error. An empty page says so in words built from
    ``noun`` ("upcoming events"): ``when_none`` when there is nothing to list at all, otherwise
    which filters to remove.
    """
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    if filterset.is_valid():
        results, status = filterset.qs, 200
    else:
        results, status = queryset.none(), 400
    page = _counted_page(results, per_page, request.GET.get("page"))
    listing = Listing(filter=filterset, page=page, status=status)
    listing.chips = filter_chips(request, filterset.form)
    if not page.object_list:
        listing.empty = _empty_state(request, listing, queryset, noun=noun, when_none=when_none)
    return listing


class CountedPaginator(Paginator):
    """A Paginator told its total rather than asking the database for it."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


# Page numbers read with a window count; a larger one (a hand-edited URL) is checked against
# the total first, as Paginator does, so its OFFSET never overflows the database's integer.
_WINDOWED_PAGES = 100_000


def _counted_page(results: QuerySet, per_page: int, requested) -> Page:
    """``Paginator(results, per_page).get_page(requested)``, the same page, with the total
    counted by a window function in the query that reads the page's rows: one round trip, and
    one compiled query, instead of two. A page past the end (or a number below one) asks for
    the total on its own and shows the last page, as ``get_page`` does; a DISTINCT or
    compound query, whose window would count the rows before DISTINCT, is paginated as usual."""
    query = results.query
    if query.distinct or query.combinator or query.is_sliced:
        return Paginator(results, per_page).get_page(requested)
    try:
        if isinstance(requested, float) and not requested.is_integer():
            raise ValueError
        number = int(requested)
    except (TypeError, ValueError):
        number = 1
    if 1 <= number <= _WINDOWED_PAGES:
        start = (number - 1) * per_page
        counted = results.annotate(_listing_total=Window(Count("*")))
        rows = list(counted[start : start + per_page])
        if rows:
            paginator = CountedPaginator(rows, per_page, count=rows[0]._listing_total)
            return Page(rows, number, paginator)
    paginator = CountedPaginator(results, per_page, count=results.count())
    if number == 1 and not paginator.count:
        return Page([], 1, paginator)  # nothing at all: no need to ask again
    return paginator.get_page(requested)


def _empty_state(request, listing, queryset, *, noun, when_none) -> EmptyState:
    show_all = Suggestion(f"show all {noun}", request.path)
    if listing.status != 200:
        return EmptyState(
            message=f"Correct the filters to see {noun}",
            explanation="We cannot use one of the filters; the message above says which.",
            suggestions=[show_all],
        )
    nothing_at_all = when_none or EmptyState(message=f"There are no {noun} to show yet")
    if not listing.chips:
        return nothing_at_all
    total = queryset.count()
    if not total:
        return nothing_at_all
    suggestions = [Suggestion(f"show all {noun} ({total})", request.path)]
    if len(listing.chips) > 1:
        suggestions.insert(0, Suggestion("remove one filter at a time, using the list above"))
    return EmptyState(message=f"No {noun} match your filters", suggestions=suggestions)
