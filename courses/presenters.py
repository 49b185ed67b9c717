"""Shaping search results and courses for templates: facet options with counts, removable
filter chips, and schema.org JSON-LD."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode

from iot_network.web.listing import EmptyState, Suggestion, url_without

from .filters import DEFAULT_RADIUS, RADIUS_CHOICES
from .models import CourseRun

# form field → key in search.facet_counts()
FACETS = [
    ("level", "levels"),
    ("qualification", "qualification_types"),
    ("route", "routes"),
    ("sector", "sectors"),
    ("study_mode", "study_modes"),
    ("attendance", "attendances"),
    ("funding", "funding"),
    ("region", "regions"),
    ("institute", "institutes"),
]
OPEN_BY_DEFAULT = {"level", "qualification", "route", "study_mode", "funding"}


def _selected(form, name: str) -> list[str]:
    return form.data.getlist(name) if form.is_bound else []


def facet_groups(form, counts: dict) -> list[dict]:
    groups = []
    for name, key in FACETS:
        field = form.fields[name]
        selected = set(_selected(form, name))
        facet_counts = {str(value): n for value, n in (counts.get(key) or {}).items()}
        options = [
            {
                "value": str(value),
                "label": label,
                "count": facet_counts.get(str(value), 0) if counts else None,
                "checked": str(value) in selected,
                "id": f"id_{name}_{index}",
            }
            for index, (value, label) in enumerate(field.choices)
        ]
        groups.append(
            {
                "name": name,
                "legend": field.label,
                "options": options,
                "open": name in OPEN_BY_DEFAULT or bool(selected),
                "errors": form.errors.get(name, []),
            }
        )
    return groups


def active_filter_chips(request, form) -> list[dict]:
    chips = []
    data = form.cleaned_data
    if data.get("q"):
        chips.append({"label": f"“{data['q']}”", "url": url_without(request, "q")})
    if form.point is not None:
        radius = data.get("radius") or "25"
        chips.append(
            {
                "label": f"Within {radius} miles of {form.place_label}",
                "url": url_without(request, "postcode", None, "lat", "lng", "radius"),
            }
        )
    for name, _ in FACETS:
        values = data.get(name) or []
        if not values:  # most filters: no need to read their options' labels
            continue
        labels = {str(v): label for v, label in form.fields[name].choices}
        for value in values:
            chips.append(
                {
                    "label": labels.get(str(value), value),
                    "url": url_without(request, name, str(value)),
                }
            )
    for name, prefix in (("start_from", "Starting from"), ("start_to", "Starting by")):
        if data.get(name):
            chips.append(
                {
                    "label": f"{prefix} {date_format(data[name], 'j F Y')}",
                    "url": url_without(request, name),
                }
            )
    return chips


def search_empty_state(request, form, chips: list[dict], *, apprenticeships: bool) -> EmptyState:
    """What a course search that matched nothing says: each suggestion undoes part of the
    search (the words, the distance, the filters) or leads somewhere that can help."""
    noun = "apprenticeships" if apprenticeships else "courses"
    data = form.cleaned_data
    q = (data.get("q") or "").strip()
    ask = Suggestion(
        "ask an Institute of Technology near you what is coming up", reverse("institutes:list")
    )
    if not chips:
        return EmptyState(
            message=f"There are no {noun} to show at the moment",
            explanation="Institutes of Technology add courses through the year.",
            suggestions=[ask],
            level=3,
        )
    suggestions = []
    if q:
        suggestions.append(Suggestion("check the spelling, or use fewer or more general words"))
        if len(chips) > 1:
            suggestions.append(
                Suggestion(
                    f"search for “{q}” with no other filters",
                    f"{request.path}?{urlencode({'q': q})}",
                )
            )
    if form.point is not None:
        radius = int(data.get("radius") or DEFAULT_RADIUS)
        wider = [miles for miles, _ in RADIUS_CHOICES if int(miles) > radius]
        if wider:
            query = request.GET.copy()
            query.pop("page", None)
            query["radius"] = wider[0]
            suggestions.append(
                Suggestion(
                    f"search within {wider[0]} miles of {form.place_label}",
                    f"{request.path}?{query.urlencode()}",
                )
            )
        else:
            suggestions.append(
                Suggestion(
                    "search anywhere in England",
                    url_without(request, "postcode", None, "lat", "lng", "radius"),
                )
            )
        if not apprenticeships:  # an apprenticeship is a job: it is where the employer is
            online = {"q": q} if q else {}
            online |= {"study_mode": "flexible", "attendance": "online"}
            suggestions.append(
                Suggestion(
                    "look for online and flexible courses you can take from anywhere",
                    f"{request.path}?{urlencode(online)}",
                )
            )
    if len(chips) - bool(q) - (form.point is not None) > 1:
        suggestions.append(Suggestion("remove one filter at a time, using the list above"))
    suggestions += [Suggestion(f"browse all {noun}", request.path), ask]
    return EmptyState(message=f"No {noun} match your search", suggestions=suggestions, level=3)


COURSE_MODE = {
    CourseRun.Attendance.CAMPUS: "Onsite",
    CourseRun.Attendance.ONLINE: "Online",
    CourseRun.Attendance.BLENDED: "Blended",
    CourseRun.Attendance.WORKPLACE: "Onsite",
}


def course_json_ld(request, course, runs) -> dict:
    """schema.org Course with one CourseInstance a run, for search engines."""
    url = settings.SITE_URL + course.get_absolute_url()
    data = {
        "@context": "https://schema.org",
        "@type": "Course",
        "@id": url,
        "url": url,
        "name": course.title,
        "description": course.summary,
        "educationalLevel": course.get_level_display(),
        "educationalCredentialAwarded": course.get_qualification_type_display(),
        "provider": {"@type": "CollegeOrUniversity", "name": course.provider_name},
        "hasCourseInstance": [],
    }
    if course.standard_reference:
        data["courseCode"] = course.standard_reference
    for run in runs:
        instance = {
            "@type": "CourseInstance",
            "courseMode": COURSE_MODE[run.attendance],
            "courseWorkload": run.get_study_mode_display(),
            "startDate": run.start_date.isoformat(),
        }
        if run.venue_name:
            instance["location"] = {
                "@type": "Place",
                "name": run.venue_name,
                "address": {
                    "@type": "PostalAddress",
                    "postalCode": run.venue_postcode,
                    "addressCountry": "GB",
                },
            }
        if run.fee is not None:
            instance["offers"] = {
                "@type": "Offer",
                "price": str(run.fee),
                "priceCurrency": "GBP",
                "category": "Paid" if run.fee else "Free",
            }
        data["hasCourseInstance"].append(instance)
    return data
