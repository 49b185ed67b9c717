import pytest

from tests.browser.keyboard import tab_to
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


@pytest.fixture
def learner(transactional_db):
    from allauth.account.models import EmailAddress

    user = UserFactory(email="keyboard.user@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/institutes/",
        "/institutes/?region=london",
        "/institutes/?region=not-a-region",
        "/institutes/south-west-institute-of-technology/",
        "/account/login/",
        "/account/signup/",
        "/account/password/reset/",
        "/accessibility/",
        "/no-such-page/",
    ],
)
def test_page_has_no_wcag_22_aa_violations(page, assert_accessible, path):
    page.goto(path)
    assert_accessible(page)


def test_login_error_state_has_no_violations(page, assert_accessible):
    page.goto("/account/login/")
    page.fill("#id_login", "nobody@example.com")
    page.fill("#id_password", "wrong password")
    page.click("button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert_accessible(page)
    assert page.evaluate("document.activeElement.matches('[data-error-summary]')")


def test_skip_link_is_first_visible_on_focus_and_moves_to_main(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(el => ({text: el.textContent, bg: getComputedStyle(el).backgroundColor}))"
        "(document.activeElement)"
    )
    assert focused == {"text": "Skip to main content", "bg": "rgb(255, 221, 0)"}
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_keyboard_user_finds_an_institute_in_their_region(page):
    page.goto("/")
    tab_to(page, "el.textContent.trim() === 'Institutes'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/institutes/")
    tab_to(page, "el.id === 'id_region'")
    for _ in range(7):  # "All regions" → London is the 7th region in the list
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == "london"
    tab_to(page, "el.textContent.trim() === 'Apply filters'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/institutes/?region=london")
    assert page.get_by_text("3 institutes").is_visible()
    tab_to(page, "el.textContent.trim() === 'West London Institute of Technology'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/institutes/west-london-institute-of-technology/")
    assert page.locator("h1").inner_text() == "West London Institute of Technology"


def test_keyboard_user_signs_in(learner, page):
    page.goto("/account/login/")
    tab_to(page, "el.id === 'id_login'")
    page.keyboard.type(learner.email)
    tab_to(page, "el.id === 'id_password'")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/account/login" not in url)
    assert page.get_by_role("link", name="Sign out").is_visible()


def test_pages_fit_a_320_pixel_screen_without_sideways_scrolling(page):
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/", "/institutes/", "/account/login/"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path


@pytest.fixture
def unsubscribe_path(transactional_db):
    from django.urls import reverse

    from iot_network.notifications.delivery import unsubscribe_token

    return reverse(
        "notifications:unsubscribe", args=[unsubscribe_token("a@example.com", "newsletter")]
    )


def test_unsubscribe_pages_have_no_violations(unsubscribe_path, page, assert_accessible):
    page.goto(unsubscribe_path)
    assert_accessible(page)
    page.get_by_role("button", name="Unsubscribe").click()
    page.wait_for_selector("text=You have unsubscribed")
    assert_accessible(page)
    page.goto("/email/unsubscribe/not-a-valid-token/")
    assert_accessible(page)


def test_signed_in_account_pages_have_no_violations(learner, page, assert_accessible):
    page.goto("/account/login/")
    page.fill("#id_login", learner.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/account/login" not in url)
    for path in ("/email/preferences/", "/account/email/", "/account/password/change/"):
        page.goto(path)
        assert_accessible(page)
    page.goto("/email/preferences/")
    page.get_by_label("News about events").check()
    page.get_by_role("button", name="Save my choices").click()
    page.wait_for_selector("text=Your email choices have been saved.")
    assert_accessible(page)
