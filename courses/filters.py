"""The course search form. django-filter declares and validates the filters; courses/search.py
turns the cleaned values into one query, because run filters must match the same run."""

from __future__ import annotations

import time
from functools import lru_cache

import django_filters
from django import forms
from django.conf import settings
from django.db import connection
from django.db.models import Value

from institutes.models import Institute, Region, Route
from iot_network.web import shared_parts
from iot_network.web.filtersets import LeanFilterSet
from iot_network.web.forms import NamedErrorsMixin, check_date_order
from iot_network.web.geo import Point
from iot_network.web.geocoding import GeocodingError, lookup_postcode

from .models import Course, CourseRun, Level, QualificationType, SectorTag
from .search import CourseSearch, Funding, Sort, search_courses

RADIUS_CHOICES = [(str(miles), f"Within {miles} miles") for miles in (5, 10, 15, 25, 50, 100)]
DEFAULT_RADIUS = 25


def _checkboxes(choices, label: str, **kwargs):
    return django_filters.MultipleChoiceFilter(
        choices=choices, label=label, widget=forms.CheckboxSelectMultiple, method="no_op", **kwargs
    )


class CourseSearchForm(NamedErrorsMixin, forms.Form):
    FORM_ID = "course-search"
    error_nouns = {
        "start_from": "the earliest start date",
        "start_to": "the latest start date",
        "radius": "a distance",
        "sort": "how to sort",
        "institute": "an Institute of Technology",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # The controls are spread over the page; see templates/courses/_search.html.
            field.widget.attrs["form"] = self.FORM_ID
        self.point: Point | None = None
        self.place_label = ""
        self.warning = ""

    def clean(self):
        data = super().clean()
        check_date_order(self, "start_from", "start_to")
        lat, lng = data.get("lat"), data.get("lng")
        if self.has_error("lat") or self.has_error("lng"):
            pass  # a mangled coordinate: its field says so, and there is no place
        elif (lat is None) != (lng is None):
            self.add_error(None, "Your location was incomplete. Try 'Use my location' again.")
        elif lat is not None:
            if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                self.add_error(None, "Your location was not a real place. Try again.")
            else:
                self.point = Point(float(lat), float(lng))
                self.place_label = "your location"
        postcode = (data.get("postcode") or "").strip()
        if postcode and self.point is None:
            try:
                self.point = lookup_postcode(postcode)
                self.place_label = postcode.upper()
            except GeocodingError as exc:
                if "right now" in str(exc):
                    # The lookup service is down: search without distance, and say so.
                    self.warning = str(exc)
                else:
                    self.add_error("postcode", str(exc))
        return data


_REFERENCE_LISTS = {"route": Route, "sector": SectorTag, "institute": Institute}


@lru_cache(maxsize=1)
def _reference_sql() -> tuple[str, tuple]:
    """The three lists as one query, compiled once per process: compiling three querysets
    took longer than the database took to answer them."""
    parts = [
        model.objects.order_by().annotate(list=Value(name)).values_list("list", "slug", "name")
        for name, model in _REFERENCE_LISTS.items()
    ]
    return parts[0].union(*parts[1:], all=True).order_by("list", "name").query.sql_with_params()


# Each process keeps the lists for FRAGMENT_CACHE_SECONDS, as it keeps page parts: a new
# institute or sector shows among the filters within that time.
_KEPT = "course-filter-reference-lists"
_kept = shared_parts.LocalStore(max_bytes=1024 * 1024)


def forget_reference_choices() -> None:
    _kept.pop(_KEPT)


def reference_choices(*, fresh: bool = False) -> dict[str, tuple[tuple[str, str], ...]]:
    """The routes, sector tags and institutes to choose from, as (slug, name) pairs in name
    order, as each model orders them."""
    seconds = settings.FRAGMENT_CACHE_SECONDS
    kept = _kept.get(_KEPT) if seconds and not fresh else None
    if kept is not None and kept[0] > time.time():
        return kept[1]
    choices = _read_reference_choices()
    if seconds:
        _kept.put(_KEPT, (time.time() + seconds, choices))
    return choices


def _read_reference_choices() -> dict[str, tuple[tuple[str, str], ...]]:
    choices: dict[str, list] = {name: [] for name in _REFERENCE_LISTS}
    sql, params = _reference_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for name, slug, label in cursor.fetchall():
            choices[name].append((slug, label))
    return {name: tuple(pairs) for name, pairs in choices.items()}


class CourseFilter(LeanFilterSet):
    q = django_filters.CharFilter(
        label="Keywords", max_length=200, method="no_op",
        help_text="A subject, job or qualification, like cyber security or HNC engineering",
    )  # fmt: skip
    postcode = django_filters.CharFilter(
        label="Postcode", max_length=16, method="no_op", help_text="For example, DH1 3LH"
    )
    radius = django_filters.ChoiceFilter(
        choices=RADIUS_CHOICES, label="Distance", empty_label=None, method="no_op"
    )
    # Filled in by "Use my location"; labelled for the error summary if the values are mangled.
    lat = django_filters.NumberFilter(label="Your location's latitude", method="no_op",
                                      widget=forms.HiddenInput)  # fmt: skip
    lng = django_filters.NumberFilter(label="Your location's longitude", method="no_op",
                                      widget=forms.HiddenInput)  # fmt: skip
    level = _checkboxes(Level.choices, "Level")
    qualification = _checkboxes(QualificationType.choices, "Qualification")
    route = _checkboxes([], "Subject area")
    sector = _checkboxes([], "Sector")
    study_mode = _checkboxes(CourseRun.StudyMode.choices, "Study mode")
    attendance = _checkboxes(CourseRun.Attendance.choices, "Where you learn")
    funding = _checkboxes(Funding.choices, "Funding")
    region = _checkboxes(Region.choices, "Region")
    institute = _checkboxes([], "Institute of Technology")
    start_from = django_filters.DateFilter(
        label="Starting from", method="no_op", widget=forms.DateInput(attrs={"type": "date"})
    )
    start_to = django_filters.DateFilter(
        label="Starting by", method="no_op", widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = django_filters.ChoiceFilter(
        choices=Sort.choices, label="Sort by", empty_label="Recommended", method="no_op"
    )

    class Meta:
        model = Course
        form = CourseSearchForm
        fields: list[str] = []

    def __init__(
        self, data=None, *args, apprenticeships_only: bool = False, fresh_lists=False, **kwargs
    ):
        """``fresh_lists``: read the routes, sectors and institutes now, not the lists this
        process keeps (for staff, who may just have added one)."""
        self.apprenticeships_only = apprenticeships_only
        super().__init__(data, *args, **kwargs)
        self.reference_choices = reference_choices(fresh=fresh_lists)
        for name, choices in self.reference_choices.items():
            self.filters[name].extra["choices"] = list(choices)

    def form_class_key(self) -> tuple:
        return tuple(self.reference_choices.items())

    def no_op(self, queryset, name, value):
        return queryset  # the whole search is built in filter_queryset

    @property
    def search(self) -> CourseSearch:
        data = self.form.cleaned_data
        radius = int(data.get("radius") or DEFAULT_RADIUS)
        return CourseSearch(
            q=(data.get("q") or "").strip(),
            levels=tuple(int(v) for v in data.get("level") or ()),
            qualification_types=tuple(data.get("qualification") or ()),
            routes=tuple(data.get("route") or ()),
            sectors=tuple(data.get("sector") or ()),
            study_modes=tuple(data.get("study_mode") or ()),
            attendances=tuple(data.get("attendance") or ()),
            regions=tuple(data.get("region") or ()),
            institutes=tuple(data.get("institute") or ()),
            funding=tuple(data.get("funding") or ()),
            start_from=data.get("start_from"),
            start_to=data.get("start_to"),
            point=self.form.point,
            radius_miles=radius if self.form.point else None,
            sort=data.get("sort") or "",
            apprenticeships_only=self.apprenticeships_only,
        )

    def filter_queryset(self, queryset):
        return search_courses(self.search)
