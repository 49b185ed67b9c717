"""The course search's result cards, written in one Python loop.

Twenty cards through the template engine were a third of a search page's time: two
``reverse()`` calls and a couple of dozen variable lookups per card. This writes the same
markup, byte for byte, with every value from the database escaped as autoescape does; the
personal parts (the shortlist button, the page to come back to) are read per request."""

from django import template
from django.template.base import render_value_in_context
from django.template.defaultfilters import floatformat, urlencode
from django.utils.safestring import mark_safe

from iot_network.web.html import choice_labels, escape, formatted_date, slug_url

from ..models import Course

register = template.Library()


def _place_query(context, form, place_label) -> str:
    """What each card's link adds so the course page shows distances from the same place."""
    if not place_label:
        return ""
    data = form.cleaned_data
    if data.get("postcode") and place_label != "your location":
        return "?postcode=" + escape(urlencode(data["postcode"]))
    lat = render_value_in_context(data.get("lat"), context)
    lng = render_value_in_context(data.get("lng"), context)
    return f"?lat={lat}&amp;lng={lng}"


@register.simple_tag(takes_context=True)
def course_results(context, courses, *, form, place_label, shortlist) -> str:
    """``{% course_results page.object_list form=filter.form place_label=... shortlist=... %}``:
    the ``<li>`` cards of templates/courses/_search.html's result list."""
    detail_url = slug_url("courses:detail")
    toggle_url = slug_url("courses:shortlist_toggle")
    place_query = _place_query(context, form, place_label)
    back_to = escape(context["request"].get_full_path())
    qualifications = choice_labels(Course, "qualification_type")
    levels = choice_labels(Course, "level")
    html = []
    for course in courses:
        title = escape(course.title)
        provider = escape(course.provider_name)
        institute = escape(course.institute.name)
        kind, level = course.qualification_type, course.level
        facts = f"{escape(qualifications.get(kind, kind))}, {escape(levels.get(level, level))}"
        distance = getattr(course, "distance", None)
        away = f" ({floatformat(distance, '1')} miles away)" if distance is not None else ""
        next_start = getattr(course, "next_start", None)
        starts = formatted_date(next_start, "j F Y") if next_start else "No start date announced"
        action = "Remove from shortlist" if course.pk in shortlist else "Add to shortlist"
        html.append(
            "\n        <li>\n"
            f'          <h3><a href="{escape(detail_url(course.slug))}{place_query}">'
            f"{title}</a></h3>\n"
            f'          <p class="result-provider">{provider} · {institute}</p>\n'
            f"          <p>{escape(course.summary)}</p>\n"
            '          <dl class="result-facts">\n'
            f"            <div><dt>Qualification</dt><dd>{facts}</dd></div>\n"
            f"            <div><dt>Where</dt><dd>{provider}, {escape(course.institute.town)}{away}"
            "</dd></div>\n"
            f"            <div><dt>Next start</dt><dd>{starts}</dd></div>\n"
            "          </dl>\n"
            f'          <form method="post" action="{escape(toggle_url(course.slug))}"'
            ' class="inline-form">\n'
            f'            <input type="hidden" name="next" value="{back_to}">\n'
            '            <button type="submit" class="button button--secondary button--small">'
            f'{action}<span class="visually-hidden">: {title}</span></button>\n'
            "          </form>\n"
            "        </li>\n        "
        )
    return mark_safe("".join(html))


@register.simple_tag
def vacancy_item(vacancy) -> str:
    """``<li>{% vacancy_item vacancy %}</li>``: a partner employer's vacancy in the
    apprenticeship search's panel (fetched with courses.views.VACANCY_FIELDS)."""
    wage = vacancy.wage_display
    wage = f" · {escape(wage)}" if wage else ""
    closes = formatted_date(vacancy.closing_date, "j F Y")
    return mark_safe(
        f'<h3><a href="{escape(vacancy.get_absolute_url())}">{escape(vacancy.title)}</a></h3>\n'
        f'      <p class="muted">{escape(vacancy.organisation.name)} · {escape(vacancy.location)}'
        f"{wage} · closes {closes}</p>"
    )
