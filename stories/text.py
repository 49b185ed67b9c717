"""Story bodies are Markdown, rendered without raw HTML and then cleaned with nh3, so whatever
is typed (or pasted) can only ever produce simple, safe formatting."""

from __future__ import annotations

import html

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote"}

# "commonmark" with raw HTML switched off: <script> typed in the body is shown as text.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")


def _shift_headings(html: str) -> str:
    # The page's title is the only h1; "# Heading" in a body becomes an h2.
    return html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")


def render(markdown: str) -> SafeString:
    return mark_safe(
        nh3.clean(
            _shift_headings(_markdown.render(markdown or "")),
            tags=TAGS,
            attributes={"a": {"href"}},
            url_schemes={"https", "http", "mailto"},
            link_rel="noopener noreferrer",
        )
    )


def plain(markdown: str) -> str:
    """The words alone (for feeds' summaries and plain-text mail)."""
    return html.unescape(nh3.clean(render(markdown), tags=set())).strip()
