"""Staff-written Markdown in the newsletter's mail, rendered as stories render it."""

from django import template

from stories import text

register = template.Library()


@register.filter
def markdown(value: str):
    return text.render(value)


@register.filter
def markdown_text(value: str) -> str:
    return text.plain(value)
