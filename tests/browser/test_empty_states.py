"""axe at WCAG 2.2 AA on every listing's empty state (the cases in tests/web/test_empty_states.py,
one visit a page), at desktop width and at 320 CSS px with no sideways scrolling."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.browser.test_sweep import sideways_overflow
from tests.web.test_empty_states import CASES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# One visit for each page and set-up; the words of each state are checked without a browser.
PAGES = list({(case.path, case.setup): case for case in CASES}.values())


@pytest.fixture
def reference_data():
    """The browser fixture loads the 21 real institutes, with which no region is empty: these
    pages make their own data."""


@pytest.fixture
def empty_listing(request, transactional_db):
    case = request.param
    person = case.setup()
    cookies = []
    if person is not None:
        client = Client()
        client.force_login(person)
        cookies.append(
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": "localhost",
                "path": "/",
            }
        )
    return case, cookies


@pytest.mark.parametrize("empty_listing", PAGES, ids=str, indirect=True)
def test_empty_state_has_no_violations(empty_listing, page, assert_accessible):
    case, cookies = empty_listing
    page.context.add_cookies(cookies)
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(case.path)
        assert response.status == case.status
        assert page.locator(".empty-state__title", has_text=case.message).is_visible()
        assert not sideways_overflow(page), (case.path, width, sideways_overflow(page))
        assert_accessible(page)
