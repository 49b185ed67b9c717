"""Every form the site serves, sent empty and then with values of the wrong kind: each error in
the summary names its field and says how to put it right ("Enter your email address"), never
Django's anonymous "This field is required." (issue 18).

The forms come from tests/security/test_forms.py, whose list is checked against the URL
configuration, so a new form is covered here as soon as it is listed there."""

from __future__ import annotations

import html
import re

import pytest
from django.forms import BaseForm

from tests.security.test_forms import client_for, field_names, world  # noqa: F401

pytestmark = pytest.mark.django_db

# Django's own wording, which names no field.
ANONYMOUS = re.compile(
    r"This field is required|Enter a valid|Select a valid choice|Ensure this value|"
    r"is not a valid value|Enter a whole number|Enter a number",
)
STOPWORDS = {
    "your", "the", "this", "that", "with", "from", "enter", "choose", "have", "what", "which",
    "would", "like", "there", "their", "them", "they", "must", "more", "less", "than", "into",
}  # fmt: skip
# Values of the wrong kind, by the input's type.
WRONG_KIND = {
    "email": "not-an-email",
    "date": "2026-02-31",
    "number": "lots",
    "url": "not a web address",
}
# The search and filter forms, sent with a value each field cannot take.
FILTER_PAGES = [
    "/courses/?start_from=31-31-2026&start_to=yesterday&radius=7&level=99&sort=best",
    "/apprenticeships/?start_from=soon",
    "/events/?date_from=someday&date_to=2026-13-01&event_type=party&audience=aliens",
    "/institutes/?region=atlantis",
    "/partners/?interest=nothing&sector=none",
]


def words(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z]{3,}", text.lower()) if w not in STOPWORDS}


def forms_on(response) -> list[BaseForm]:
    """The forms a page was rendered with (a FilterSet's form and a listing's included)."""
    found = []
    contexts = response.context or []
    for context in contexts if isinstance(contexts, list) else [contexts]:
        for layer in context.dicts:
            for value in layer.values():
                for candidate in (
                    value,
                    getattr(value, "form", None),
                    getattr(value, "filter", None),
                ):
                    candidate = getattr(candidate, "form", candidate)
                    if isinstance(candidate, BaseForm) and candidate not in found:
                        found.append(candidate)
    return found


def problems_with(response) -> list[str]:
    page = response.content.decode()
    summary = re.search(r'<div class="error-summary".*?</ul>', page, re.S)
    problems = []
    if summary and ANONYMOUS.search(html.unescape(summary[0])):
        problems.append(f"the summary says {ANONYMOUS.search(html.unescape(summary[0]))[0]!r}")
    for form in forms_on(response):
        for name, errors in form.errors.items():
            if name == "__all__":
                continue
            label = str(form.fields[name].label or name)
            for message in errors:
                if ANONYMOUS.search(message):
                    problems.append(f"{label!r}: {message!r} names no field")
                elif not words(message) & words(label):
                    problems.append(f"{message!r} does not name its field {label!r}")
                elif html.escape(message) not in page and message not in html.unescape(page):
                    problems.append(f"{message!r} is not on the page")
    return problems


def error_count(response) -> int:
    return sum(len(form.errors) for form in forms_on(response))


def test_every_form_sent_empty_names_each_field_in_its_errors(world):  # noqa: F811
    problems, summaries = {}, 0
    for name, (url, who) in world["urls"].items():
        client = client_for(world, who)
        response = client.post(url, {})
        summaries += bool(error_count(response))
        if found := problems_with(response):
            problems[name] = found
    assert not problems, "\n".join(f"{name}: {found}" for name, found in problems.items())
    # Not a test that passes by finding nothing: most forms answer an empty post with errors.
    assert summaries >= 12


def test_every_form_sent_values_of_the_wrong_kind_names_each_field(world):  # noqa: F811
    problems, tried = {}, 0
    for name, (url, who) in world["urls"].items():
        client = client_for(world, who)
        page = client.get(url)
        if page.status_code != 200:
            continue
        content = page.content.decode()
        data = {}
        for tag in re.findall(r"<input[^>]*>", content):
            kind = re.search(r'type="([^"]+)"', tag)
            field = re.search(r'name="([^"]+)"', tag)
            if kind and field and kind[1] in WRONG_KIND:
                data[field[1]] = WRONG_KIND[kind[1]]
        if not data:
            continue
        tried += 1
        if found := problems_with(client.post(url, data)):
            problems[name] = found
    assert not problems, "\n".join(f"{name}: {found}" for name, found in problems.items())
    assert tried >= 8


@pytest.mark.parametrize("url", FILTER_PAGES)
def test_search_and_filter_errors_name_their_field(client, reference_data, url):
    response = client.get(url)
    assert error_count(response) > 0
    assert problems_with(response) == []
