import json

import nh3
from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.forms import BoundField, CheckboxInput, CheckboxSelectMultiple, RadioSelect
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe

from iot_network.web.listing import EmptyState, Suggestion

register = template.Library()


@register.inclusion_tag("partials/breadcrumbs.html")
def breadcrumbs(*trail):
    """``{% breadcrumbs "Institutes" list_url institute.name %}``: label/url pairs, then the
    current page's label. Home comes first on its own."""
    *pairs, current = trail
    links = [(pairs[i], pairs[i + 1]) for i in range(0, len(pairs) - 1, 2)]
    return {"links": links, "current": current}


@register.filter
def accessible_widget(field: BoundField):
    """Render a field's widget so screen readers announce its hint and error message."""
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    if field.errors:
        described_by.append(f"{field.auto_id}_error")
    attrs = {}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    widget = field.field.widget
    if isinstance(widget, CheckboxInput):
        attrs["class"] = "checkbox__input"
    elif not isinstance(widget, (RadioSelect, CheckboxSelectMultiple)):
        attrs["class"] = "input input--error" if field.errors else "input"
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return isinstance(field.field.widget, CheckboxInput)


@register.filter
def is_choice_group(field: BoundField) -> bool:
    return isinstance(field.field.widget, (RadioSelect, CheckboxSelectMultiple))


@register.filter
def ld_json(data) -> str:
    """Render a dict as the body of a <script type="application/ld+json"> element, escaped so
    that no value can close the element."""
    return mark_safe(json.dumps(data, cls=DjangoJSONEncoder).translate(_json_script_escapes))


RICH_TEXT_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "blockquote"}


@register.filter
def rich_text(value: str) -> str:
    """Staff-written HTML, cleaned of anything but simple formatting and safe links."""
    return mark_safe(
        nh3.clean(
            value or "",
            tags=RICH_TEXT_TAGS,
            attributes={"a": {"href"}},
            url_schemes={"https", "http", "mailto"},
            link_rel="noopener noreferrer",
        )
    )


@register.inclusion_tag("partials/empty_state.html")
def empty_state(message, *, explanation="", start_url="", start_text="", count="", level=2):
    """An empty list whose words the template knows: ``{% empty_state "You have no saved
    searches" explanation="..." start_url=list_url start_text="Search for courses" %}``. Lists
    whose suggestions depend on the filters build an ``EmptyState`` in Python instead and
    ``{% include "partials/empty_state.html" with empty=... %}``."""
    start = Suggestion(start_text, start_url) if start_url else None
    return {
        "empty": EmptyState(
            message=message, explanation=explanation, count=count, level=level, start=start
        )
    }
