"""Every account page (tests/accounts/pages.py: sign-in, sign-up, password reset, email
confirmation, email addresses, two-factor pages...) under axe at WCAG 2.2 AA, at desktop width
and at 320 CSS px with no sideways scrolling; the browser raises no warning about our headers;
on a phone the course and event results come before the filters, which open from a toggle."""

from __future__ import annotations

import pytest

from tests.accounts.pages import GUARDED, LEARNER, PAGES, PASSWORD, current_code, make_people
from tests.browser.test_sweep import sideways_overflow
from tests.factories import CourseFactory, CourseRunFactory, EventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def accounts(transactional_db):
    return make_people()


def sign_in(page, email, secret=None):
    page.goto("/account/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if secret:
        page.fill("#id_code", current_code(secret))
        page.click("main button[type=submit]")
        page.wait_for_load_state()
    # Two-factor settings ask for the password again, even just after signing in.
    page.goto("/account/reauthenticate/")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def check(page, assert_accessible, path):
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert not sideways_overflow(page), (path, width, sideways_overflow(page))
        assert_accessible(page)


@pytest.mark.parametrize("who", [None, "learner", "guarded"])
def test_every_account_page_passes_axe_at_every_width(accounts, page, assert_accessible, who):
    if who == "learner":
        sign_in(page, LEARNER)
    elif who == "guarded":
        sign_in(page, GUARDED, accounts["secret"])
    for _, path, needs, _ in PAGES:
        if needs == who:
            check(page, assert_accessible, accounts.get(path, path))


def test_the_two_factor_code_page_passes_axe(accounts, page, assert_accessible):
    page.goto("/account/login/")
    page.fill("#id_login", GUARDED)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/account/2fa/authenticate/")
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert not sideways_overflow(page)
        assert_accessible(page)
    # Sent empty, the error names the field and says what to do.
    page.click("main button[type=submit]")
    assert "Enter the code from your authenticator app" in page.inner_text(".error-summary")
    assert_accessible(page)


def test_browsers_raise_no_warning_about_the_permissions_policy(page):
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto("/")
    page.goto("/courses/")
    assert not [m for m in messages if "Permissions-Policy" in m or "feature" in m], messages


@pytest.fixture
def listings(transactional_db, reference_data):
    for n in range(3):
        CourseRunFactory(course=CourseFactory(title=f"Robotics HNC {n}"))
        EventFactory(title=f"Open day {n}")


@pytest.mark.parametrize(
    ("path", "toggle"), [("/courses/", "Filter courses"), ("/events/", "Filter events")]
)
def test_on_a_phone_results_come_first_and_the_filters_open_from_a_toggle(
    listings, page, assert_accessible, path, toggle
):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(path)
    filters = page.locator(".filters-panel .filters")
    assert not filters.is_visible()
    first_result = page.locator("ul.results > li").first.bounding_box()
    assert first_result["y"] < 1600, first_result
    summary = page.get_by_text(toggle, exact=True).first
    summary.focus()
    page.keyboard.press("Enter")
    assert filters.is_visible()
    assert_accessible(page)
    # On a wide screen the filters simply show, with no toggle.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(path)
    assert page.locator(".filters-panel .filters").is_visible()
    assert not page.locator(".filters-panel__toggle").is_visible()
