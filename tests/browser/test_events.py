from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.keyboard import tab_to
from tests.factories import EventFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def conference(transactional_db, reference_data, monkeypatch):
    monkeypatch.setattr(
        "iot_network.notifications.services.dispatch", lambda ids, countdown=None: None
    )
    start = timezone.now() + timedelta(days=40)
    event = EventFactory(
        title="National conference", slug="national-conference", institute=None, capacity=130,
        event_type="conference", starts_at=start, ends_at=start + timedelta(hours=7),
        description="<p>The whole network, <strong>together</strong>.</p>",
        accessibility_info="Step-free access and live captions.",
    )  # fmt: skip
    SessionFactory(event=event, title="Diversity in the STEM workforce", capacity=70)
    panel = SessionFactory(event=event, title="Plenary panel", kind="panel")
    panel.speakers.create(name="Priya Nair", role="Head of Engineering", organisation="Example Ltd")
    return event


@pytest.fixture
def registration(conference):
    from events import services

    return services.register(
        event_id=conference.pk,
        details=services.RegistrationDetails(name="Sam Jones", email="sam@example.com"),
    )


@pytest.mark.parametrize(
    "path",
    ["/events/", "/events/?event_type=conference&places_left=on", "/events/?date_from=bad",
     "/events/national-conference/", "/events/national-conference/register/"],
)  # fmt: skip
def test_event_pages_have_no_wcag_22_aa_violations(conference, page, assert_accessible, path):
    page.goto(path)
    assert_accessible(page)


def test_registration_error_and_manage_pages_have_no_violations(
    registration, page, assert_accessible
):
    page.goto("/events/national-conference/register/")
    page.get_by_role("button", name="Register").click()
    page.wait_for_selector(".error-summary")
    assert_accessible(page)
    page.goto(registration.get_manage_url())
    assert_accessible(page)
    page.goto(registration.get_manage_url() + "cancel/")
    assert_accessible(page)


def test_keyboard_only_register_change_and_cancel(conference, page):
    from events.models import Registration

    page.goto("/events/national-conference/")
    tab_to(page, "el.textContent.trim() === 'Register for this event'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/register/")
    tab_to(page, "el.id === 'id_name'")
    page.keyboard.type("Alex Smith")
    page.keyboard.press("Tab")
    page.keyboard.type("alex@example.com")
    tab_to(page, "el.name === 'sessions'")
    page.keyboard.press("Space")
    tab_to(page, "el.id === 'id_consent'")
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.wait_for_url("**/confirmed/")
    assert page.locator("h1").inner_text() == "Registration complete"
    tab_to(page, "el.textContent.trim() === 'View or change your registration'")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Change your details")
    tab_to(page, "el.id === 'id_dietary_needs'")
    page.keyboard.type("Vegetarian")
    tab_to(page, "el.textContent.trim() === 'Save changes'")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Your registration has been updated.")
    tab_to(page, "el.textContent.trim() === 'Cancel your registration'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/cancel/")
    tab_to(page, "el.textContent.trim() === 'Yes, cancel my registration'")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Your registration has been cancelled.")

    # Playwright's event loop runs in this thread, so read the database from another one
    # (and close that thread's connection, which would otherwise be left to the garbage collector).
    def read():
        from django.db import connection

        try:
            found = Registration.objects.get(email="alex@example.com")
            return found, [s.title for s in found.sessions.all()]
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        registration, sessions = pool.submit(read).result()
    assert registration.status == "cancelled"
    assert registration.dietary_needs == "Vegetarian"
    assert sessions == []  # a cancelled registration gives its session place back
