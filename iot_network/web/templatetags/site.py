import json

import nh3
from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.serializers.json import DjangoJSONEncoder
from django.forms import BoundField, CheckboxInput, CheckboxSelectMultiple, RadioSelect
from django.template.base import render_value_in_context
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe

from iot_network.web import shared_parts
from iot_network.web.html import escape
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
    return _widget_html(field, attrs)


@register.filter
def widget_html(field: BoundField):
    """``{{ field }}`` (for a field without show_hidden_initial), through the renderer that
    writes the plain widgets in Python: for the course search's hidden inputs."""
    if field.field.show_hidden_initial:
        return str(field)
    return _widget_html(field, {})


def _widget_html(field: BoundField, attrs: dict) -> str:
    """BoundField.as_widget, but with a renderer that writes the plain widgets in Python."""
    widget = field.field.widget
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    return widget.render(
        name=field.html_name,
        value=field.value(),
        attrs=attrs,
        renderer=PlainWidgetRenderer(field.form.renderer),
    )


_WIDGETS = "django/forms/widgets/"
_INPUT_TEMPLATES = {
    f"{_WIDGETS}{name}.html"
    for name in (
        "input", "text", "number", "email", "url", "password", "hidden", "date", "datetime",
        "time", "search", "tel", "color", "checkbox",
    )
}  # fmt: skip


def _attrs(attrs: dict) -> str:
    # django/forms/widgets/attrs.html
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{escape(str(value))}"'
    kind, name = escape(widget["type"]), escape(widget["name"])
    return f'<input type="{kind}" name="{name}"{shown}{_attrs(widget["attrs"])}>'


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{escape(group_name)}">')
        for option in options:
            if option["template_name"] != f"{_WIDGETS}select_option.html":
                return None
            parts.append(
                f'\n  <option value="{escape(str(option["value"]))}"'
                f"{_attrs(option['attrs'])}>{escape(option['label'])}</option>\n"
            )  # select_option.html ends in a newline; the renderer strips only the whole
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class PlainWidgetRenderer:
    """Writes text, date, number, hidden and checkbox inputs and single selects exactly as
    Django's widget templates do, and hands any other widget to the form's renderer.

    Django's select template includes a template for each option and another for each set of
    attributes: on a page with a few filters that was a third of the rendering time."""

    def __init__(self, fallback):
        self.fallback = fallback

    def render(self, template_name, context, request=None):
        widget = context["widget"]
        if template_name in _INPUT_TEMPLATES:
            return _input(widget)
        if template_name == f"{_WIDGETS}select.html" and (html := _select(widget)) is not None:
            return html
        return self.fallback.render(template_name, context, request=request)


@register.simple_tag
def checkbox_options(name: str, options: list[dict], form: str = "") -> str:
    """A group's checkboxes from plain dicts (value, label, id, checked, count or None), written
    here in one loop: a template loop over a long list of filter options cost a dozen
    milliseconds a page. The whitespace is the template loop's, so the page is unchanged."""
    name = escape(name)
    form_attr = f' form="{escape(form)}"' if form else ""
    html = []
    for option in options:
        option_id = escape(option["id"])
        count = option["count"]
        if count is not None:
            shown = intcomma(count) if count >= 1000 else str(count)
            count = f' <span class="facet__count">({shown})</span>'
        html.append(
            f'\n          <div class="checkbox">\n            <input class="checkbox__input"'
            f' type="checkbox"{form_attr} name="{name}"'
            f' value="{escape(option["value"])}" id="{option_id}"'
            f"{' checked' if option['checked'] else ''}>\n"
            f'            <label class="checkbox__label" for="{option_id}">'
            f"{escape(option['label'])}{count or ''}</label>\n"
            "          </div>\n          "
        )
    return mark_safe("".join(html))


@register.filter
def choice_inputs(field: BoundField) -> str:
    """A radio or checkbox group's options, as the template loop over ``field`` with each
    ``choice.tag`` wrote them (Django's input_option and attrs templates for every option), in
    one Python loop: the equality questions alone have 35 options."""
    return mark_safe(
        "".join(
            f'<div class="checkbox">{_input(choice.data)}<label class="checkbox__label"'
            f' for="{escape(choice.id_for_label)}">'
            f"{escape(choice.choice_label)}</label></div>"
            for choice in field
        )
    )


def _field_notes(field: BoundField, context, indent: str) -> str:
    """The hint and error lines under a label, as partials/form_field.html wrote them."""
    auto_id = escape(field.auto_id)
    hint = ""
    if field.help_text:
        hint = f'<div class="hint" id="{auto_id}_helptext">{field.help_text}</div>'
    errors = "".join(
        f'<p class="error-message" id="{auto_id}_error"><span class="visually-hidden">Error:'
        f"</span> {render_value_in_context(error, context)}</p>"
        for error in field.errors
    )
    return f"{hint}\n{indent}{errors}"


@register.simple_tag(takes_context=True)
def form_field(context, field: BoundField) -> str:
    """``{% form_field field %}``: a field with its label, hint, errors and widget, the markup
    partials/form_field.html includes (that template is now this tag). Written in Python
    because a filter form's nine includes cost a fifth of the events list's time."""
    if field.is_hidden:
        return mark_safe(f"\n{render_value_in_context(field, context)}\n")
    esc = escape
    auto_id, label = esc(field.auto_id), esc(field.label)
    widget = field.field.widget
    if isinstance(widget, CheckboxInput):
        body = (
            '\n    <div class="checkbox">\n'
            f"      {accessible_widget(field)}\n"
            f'      <label class="checkbox__label" for="{auto_id}">{label}</label>\n'
            f"    </div>\n    {_field_notes(field, context, '    ')}\n  "
        )
    elif isinstance(widget, (RadioSelect, CheckboxSelectMultiple)):
        described_by = ""
        if field.help_text or field.errors:
            ids = (f"{auto_id}_helptext" if field.help_text else "") + (
                f" {auto_id}_error" if field.errors else ""
            )
            described_by = f' aria-describedby="{ids}"'
        body = (
            f'\n    <fieldset class="fieldset"{described_by}>\n'
            f'      <legend class="label">{label}</legend>\n'
            f"      {_field_notes(field, context, '      ')}\n"
            f'      <div class="choices">{choice_inputs(field)}</div>\n'
            "    </fieldset>\n  "
        )
    else:
        optional = ""
        if not field.field.required and context.get("form_shows_optional"):
            optional = " (optional)"
        body = (
            f'\n    <label class="label" for="{auto_id}">{label}{optional}</label>\n'
            f"    {_field_notes(field, context, '    ')}\n"
            f"    {accessible_widget(field)}\n  "
        )
    error_class = " field--error" if field.errors else ""
    return mark_safe(f'\n\n<div class="field{error_class}">\n  {body}\n</div>\n\n')


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


class SharedFragmentNode(template.Node):
    def __init__(self, nodelist, name: str, vary_on: list):
        self.nodelist, self.name, self.vary_on = nodelist, name, vary_on

    def render(self, context):
        seconds = settings.FRAGMENT_CACHE_SECONDS
        if not seconds:
            return self.nodelist.render(context)
        varies = json.dumps([str(v.resolve(context)) for v in self.vary_on])
        key = f"fragment:{self.name}:{shared_parts.digest(self.name, varies)}"
        html = shared_parts.get(key, local=shared_parts.FRAGMENTS)
        if html is None:
            html = self.nodelist.render(context)
            shared_parts.keep(key, html, seconds=seconds, local=shared_parts.FRAGMENTS)
        return html


@register.tag
def shared_fragment(parser, token):
    """``{% shared_fragment "name" [value ...] %}...{% end_shared_fragment %}``: a part of a page
    that is the same for every visitor (given the values), kept in the shared cache for
    FRAGMENT_CACHE_SECONDS, so signed-in visitors and pages the page cache skips reuse it too.
    Only for markup that depends on nothing personal: no CSRF token, no user, no messages.
    Like the page cache, an edit shows within that many seconds; 0 turns it off."""
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a quoted name first.")
    nodelist = parser.parse(("end_shared_fragment",))
    parser.delete_first_token()
    return SharedFragmentNode(nodelist, bits[1][1:-1], [parser.compile_filter(b) for b in bits[2:]])
