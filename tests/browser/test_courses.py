import pytest

from tests.browser.keyboard import tab_to
from tests.factories import CourseFactory, CourseRunFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def courses(transactional_db, reference_data):
    from institutes.models import Institute

    durham = Institute.objects.get(slug="north-east-institute-of-technology")
    cyber = CourseFactory(
        title="Cyber Security HTQ", slug="cyber-security-htq", institute=durham, level=4,
        summary="Protect networks and data.", careers="Security analyst\nSOC engineer",
    )  # fmt: skip
    CourseRunFactory(
        course=cyber, latitude="54.77600", longitude="-1.57000", study_mode="part-time"
    )
    CourseRunFactory(
        course=CourseFactory(title="Welding HNC", level=5), latitude="50.7", longitude="-3.5"
    )
    return cyber


@pytest.mark.parametrize(
    "path",
    [
        "/courses/",
        "/courses/?level=4&study_mode=part-time&q=cyber",
        "/courses/?q=underwater+basket+weaving",
        "/courses/?level=99",
        "/apprenticeships/",
        "/courses/cyber-security-htq/",
        "/courses/cyber-security-htq/enquire/",
        "/courses/shortlist/",
    ],
)
def test_course_pages_have_no_wcag_22_aa_violations(
    courses, postcodes_api, page, assert_accessible, path
):
    page.goto(path)
    assert_accessible(page)


def test_enquiry_error_state_has_no_violations(courses, page, assert_accessible):
    page.goto("/courses/cyber-security-htq/enquire/")
    page.get_by_role("button", name="Send your question").click()
    page.wait_for_selector(".error-summary")
    assert_accessible(page)


def test_keyboard_only_learner_finds_a_course_near_a_postcode_and_asks_about_it(
    courses, postcodes_api, page
):
    page.goto("/")
    tab_to(page, "el.textContent.trim() === 'Find a course'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/courses/")
    tab_to(page, "el.id === 'id_postcode'")
    page.keyboard.type("DH1 3LH")
    page.keyboard.press("Enter")  # submits the search form
    page.wait_for_url("**postcode=DH1*")
    assert (
        page.locator("#results-count")
        .inner_text()
        .startswith("1 course within 25 miles of DH1 3LH")
    )
    tab_to(page, "el.textContent.trim() === 'Cyber Security HTQ'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/courses/cyber-security-htq/**")
    assert "miles from DH1 3LH" in page.content()
    tab_to(page, "el.textContent.trim() === 'Ask about this course'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/enquire/")
    tab_to(page, "el.id === 'id_name'")
    page.keyboard.type("Alex Smith")
    page.keyboard.press("Tab")
    page.keyboard.type("alex@example.com")
    tab_to(page, "el.id === 'id_message'")
    page.keyboard.type("Can I study this part time while working?")
    tab_to(page, "el.id === 'id_consent'")
    page.keyboard.press("Space")
    tab_to(page, "el.textContent.trim() === 'Send your question'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/enquire/sent/")
    assert page.locator("h1").inner_text() == "Your question has been sent"


@pytest.mark.parametrize("width", [320, 390])
def test_a_course_page_fits_a_phone_with_its_start_dates_labelled(
    courses, page, assert_accessible, width
):
    """The start dates table stacks each run into labelled lines instead of scrolling sideways,
    and stays a table with column headers for screen readers."""
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/courses/cyber-security-htq/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    cells = page.locator("table.table--stack tbody tr").first.locator("td")
    for cell in range(cells.count()):
        box = cells.nth(cell).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, cell
    fee = page.locator("td[data-label='Fee']").first
    label = fee.evaluate("el => getComputedStyle(el, '::before').content")
    assert "Fee" in label
    assert page.get_by_role("columnheader", name="Apply by").count() == 1
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    assert fee.evaluate("el => getComputedStyle(el, '::before').content") == "none"
    assert page.get_by_role("columnheader", name="Fee").is_visible()
