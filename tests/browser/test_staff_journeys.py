"""Staff at work with the keyboard alone: sign in with the code from the authenticator app, open
an event, publish it from its page, see it live, cancel it from its page with a reason; and
review a partner application from its page. axe checks every page the journeys visit."""

from __future__ import annotations

import pytest

from tests.browser.keyboard import tab_to, type_into
from tests.browser.test_partners import PASSWORD, current_code, in_thread
from tests.factories import (
    EventFactory,
    InstituteFactory,
    MemberFactory,
    OrganisationFactory,
    UserFactory,
    staff_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF_EMAIL = "sam.staff@network.example"


@pytest.fixture
def institute(transactional_db, reference_data, monkeypatch):
    from allauth.account.models import EmailAddress

    monkeypatch.setattr(
        "iot_network.notifications.services.dispatch", lambda ids, countdown=None: None
    )
    institute = InstituteFactory(name="Pennine Institute of Technology", slug="pennine-iot")
    staff = staff_user("iot-staff", [institute], email=STAFF_EMAIL)
    staff.set_password(PASSWORD)
    staff.save()
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    return institute


@pytest.fixture
def event(institute):
    return EventFactory(institute=institute, title="Robotics open day", status="draft")


@pytest.fixture
def application(institute):
    application = OrganisationFactory(
        name="Pennine Robotics Ltd",
        institutes=[institute],
        status="pending",
        companies_house_number="SC654321",
    )
    MemberFactory(organisation=application, user=UserFactory(email="jo@pennine-robotics.example"))
    return application


def press(page, predicate: str, url=None) -> None:
    """Tab to the element where ``predicate`` holds, press Enter (and wait for ``url``)."""
    tab_to(page, predicate, limit=250)
    page.keyboard.press("Enter")
    if url:
        page.wait_for_url(url)
    page.wait_for_load_state()


def named(text: str) -> str:
    return f"(el.textContent || el.value || '').trim() === {text!r}"


def sign_in_with_the_code(page, assert_accessible) -> None:
    page.goto("/admin/")
    page.wait_for_url("**/account/login/**")
    assert_accessible(page)
    type_into(page, "id_login", STAFF_EMAIL)
    type_into(page, "id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/2fa/authenticate/**")
    assert_accessible(page)
    type_into(page, "id_code", current_code())
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/")
    assert_accessible(page)


def messages(page) -> str:
    return page.locator(".messagelist").inner_text()


def test_staff_publish_an_event_see_it_live_and_cancel_it_with_the_keyboard(
    event, page, assert_accessible
):
    sign_in_with_the_code(page, assert_accessible)

    # Open the event from the list.
    # (The app is called Events too: the model's link is the one to its list.)
    press(page, "el.getAttribute('href') === '/admin/events/event/'", "**/admin/events/event/")
    assert_accessible(page)
    press(page, named("Robotics open day"), f"**/admin/events/event/{event.pk}/change/")
    assert_accessible(page)
    assert page.locator(".viewsitelink").count() == 0  # a draft has no public page

    # Publish it from its page.
    press(page, named("Publish"), f"**/admin/events/event/{event.pk}/change/")
    assert "“Robotics open day” published" in messages(page)
    assert_accessible(page)

    # See it live on the public site.
    press(page, named("View on site"), f"**{event.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == "Robotics open day"
    assert_accessible(page)
    page.go_back()
    page.wait_for_url(f"**/admin/events/event/{event.pk}/change/")

    # Cancel it from its page, with a reason.
    press(page, named("Cancel event…"), f"**/admin/events/event/{event.pk}/cancel/")
    assert_accessible(page)
    type_into(page, "id_reason", "The building is closed for repairs.")
    press(
        page,
        named("Cancel the event and tell everyone"),
        f"**/admin/events/event/{event.pk}/change/",
    )
    assert "Event cancelled" in messages(page)
    assert_accessible(page)

    def status():
        from events.models import Event

        return tuple(Event.objects.values_list("status", "cancellation_reason").get(pk=event.pk))

    assert in_thread(status) == ("cancelled", "The building is closed for repairs.")


def test_staff_review_a_partner_application_from_its_page_with_the_keyboard(
    application, page, assert_accessible
):
    sign_in_with_the_code(page, assert_accessible)

    # From the dashboard's "needs attention" to the application's page.
    press(page, named("1 partner application to review"), "**/admin/partners/organisation/**")
    assert_accessible(page)
    press(
        page,
        named("Pennine Robotics Ltd"),
        f"**/admin/partners/organisation/{application.pk}/change/**",
    )
    assert_accessible(page)

    # The review page shows the whole application beside the decision.
    press(
        page,
        named("Review and decline with a reason…"),
        f"**/admin/partners/organisation/{application.pk}/review/",
    )
    assert_accessible(page)
    details = page.locator(".review__details").inner_text()
    assert "jo@pennine-robotics.example" in details
    assert "Pennine Institute of Technology" in details
    companies_house = page.get_by_role("link", name="check SC654321 at Companies House")
    assert companies_house.get_attribute("href").endswith("/company/SC654321")

    # Decline with a reason, which the applicant will read.
    type_into(page, "id_reason", "We only work with firms in the North of England.")
    press(page, named("Decline with this reason"), "**/admin/partners/organisation/**")
    assert "Pennine Robotics Ltd declined" in messages(page)
    assert_accessible(page)

    def decision():
        from partners.models import Organisation

        return tuple(
            Organisation.objects.values_list("status", "decision_reason").get(pk=application.pk)
        )

    assert in_thread(decision) == ("declined", "We only work with firms in the North of England.")


@pytest.fixture
def course_with_runs(institute):
    from tests.factories import CourseFactory, CourseRunFactory

    course = CourseFactory(institute=institute, title="Mechatronics HNC")
    CourseRunFactory.create_batch(2, course=course, venue_name="Pennine Engineering Centre")
    return course


def test_staff_pages_fit_the_window(course_with_runs, page, assert_accessible):
    """The workspace's registrations chart scales down on a phone, and a course's runs (a
    thirteen-column table) scroll inside their box: neither makes the page wider than the
    window."""
    sign_in_with_the_code(page, assert_accessible)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/admin/")
    chart = page.locator(".dashboard__chart")
    if chart.count():
        assert chart.bounding_box()["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"/admin/courses/course/{course_with_runs.pk}/change/")
    assert page.get_by_role("columnheader", name="Venue postcode").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
