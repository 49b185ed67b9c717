"""Shaping search results and courses for templates: facet options with counts, removable
filter chips, and schema.org JSON-LD."""

from __future__ import annotations

from django.conf import settings
from django.utils.formats import date_format

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


def _without(request, name: str, value: str | None = None, *also: str) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    for key in also:
        query.pop(key, None)
    if value is None:
        query.pop(name, None)
    else:
        query.setlist(name, [v for v in query.getlist(name) if v != value])
    encoded = query.urlencode()
    return request.path + (f"?{encoded}" if encoded else "")


def active_filter_chips(request, form) -> list[dict]:
    chips = []
    data = form.cleaned_data
    if data.get("q"):
        chips.append({"label": f"“{data['q']}”", "url": _without(request, "q")})
    if form.point is not None:
        radius = data.get("radius") or "25"
        chips.append(
            {
                "label": f"Within {radius} miles of {form.place_label}",
                "url": _without(request, "postcode", None, "lat", "lng", "radius"),
            }
        )
    for name, _ in FACETS:
        labels = {str(v): label for v, label in form.fields[name].choices}
        for value in data.get(name) or []:
            chips.append(
                {"label": labels.get(str(value), value), "url": _without(request, name, str(value))}
            )
    for name, prefix in (("start_from", "Starting from"), ("start_to", "Starting by")):
        if data.get(name):
            chips.append(
                {
                    "label": f"{prefix} {date_format(data[name], 'j F Y')}",
                    "url": _without(request, name),
                }
            )
    return chips


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
