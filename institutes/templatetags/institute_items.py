"""An institute in the list of Institutes of Technology, written in Python: through the
template engine the 21 items (a ``reverse()`` and two ``get_FOO_display()`` each) were a third
of the page. Same markup, every value from the database escaped as autoescape does."""

from django import template
from django.utils.safestring import mark_safe

from iot_network.web.html import choice_labels, escape, slug_url

from ..models import Institute

register = template.Library()

_PER_PAGE = "institute_item"


@register.simple_tag(takes_context=True)
def institute_item(context, institute) -> str:
    """``<li>{% institute_item institute %}</li>``: its name, lead institution and region."""
    found = context.render_context.get(_PER_PAGE)
    if found is None:
        found = (
            slug_url("institutes:detail"),
            choice_labels(Institute, "region"),
            choice_labels(Institute, "wave"),
        )
        context.render_context[_PER_PAGE] = found
    detail_url, regions, waves = found
    region, wave = institute.region, institute.wave
    return mark_safe(
        f'\n        <h2><a href="{escape(detail_url(institute.slug))}">{escape(institute.name)}</a>'
        f"</h2>\n        <p>Led by {escape(institute.lead_institution)}, {escape(institute.town)}"
        f'</p>\n        <p class="muted">{escape(regions.get(region, region))} · '
        f"{escape(waves.get(wave, wave))}</p>\n      "
    )
