"""The impact pages and the equality monitoring questions in a real browser, checked with axe
at desktop, tablet and phone widths."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Registration, RegistrationEquality
from institutes.models import Institute
from iot_network.impact import services
from tests.factories import CourseFactory, EventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def figures(reference_data):
    institute = Institute.objects.order_by("name").first()
    start = timezone.now() - timedelta(hours=3)
    held = EventFactory(
        institute=institute, slug="held", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    for n in range(12):
        registration = Registration.objects.create(
            event=held, name=f"P{n}", email=f"p{n}@example.com", status="attended"
        )
        RegistrationEquality.objects.create(
            registration=registration, sex="female" if n < 9 else "male", age_band="19-24"
        )
    EventFactory(institute=institute, slug="coming-up")
    CourseFactory(institute=institute, slug="a-course")
    services.compute_snapshots()
    return institute


@pytest.mark.parametrize("width", [1280, 640, 320])
def test_impact_page_has_no_wcag_22_aa_violations(figures, page, assert_accessible, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/impact/")
    assert page.locator("svg[role=img]").count() == 3  # the charts with something to show
    assert page.get_by_text("fewer than 5").count() >= 1
    assert_accessible(page)


def test_institute_page_with_its_impact_has_no_violations(figures, page, assert_accessible):
    page.goto(f"/institutes/{figures.slug}/")
    assert page.get_by_role("heading", name=f"Impact of {figures.name}").is_visible()
    assert_accessible(page)


@pytest.mark.parametrize("path", ["/events/coming-up/register/", "/courses/a-course/enquire/"])
def test_forms_with_the_equality_questions_have_no_violations(
    figures, page, assert_accessible, path
):
    page.goto(path)
    assert page.get_by_role("group", name="Equality monitoring (optional)").is_visible()
    assert_accessible(page)


def test_answering_without_consent_links_the_error_to_the_consent_box(
    figures, page, assert_accessible
):
    page.goto("/events/coming-up/register/")
    page.fill("#id_name", "Ann Example")
    page.fill("#id_email", "ann@example.com")
    page.check("#id_consent")
    page.check("#id_sex_0")
    page.click("button[type=submit]")
    page.wait_for_selector(".error-summary")
    page.click(".error-summary a[href='#id_equality_consent']")
    assert page.evaluate("document.activeElement.id") == "id_equality_consent"
    assert_accessible(page)
