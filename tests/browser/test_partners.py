"""An employer joins, staff approve, the employer posts a vacancy, staff approve it, and a learner
finds it: the whole partner journey in a browser, with axe on every public and partner page."""

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.accounts.pages import current_code as code_for
from tests.browser.keyboard import follow, tab_to, tick, type_into
from tests.factories import InstituteFactory, UserFactory, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # tests.factories.with_totp's default


def in_thread(function):
    """Django refuses database calls inside Playwright's event loop: run them next to it."""

    def run():
        from django.db import connection

        try:
            return function()
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def last_mail_path(email: str, pattern: str) -> str:
    def find():
        from iot_network.notifications.models import Message

        message = Message.objects.filter(recipient=email).order_by("-pk").first()
        text = message.context.get("text") or " ".join(message.context.get("paragraphs", []))
        return re.search(pattern, text + " " + message.context.get("action_url", "")).group(0)

    return in_thread(find)


@pytest.fixture
def network(transactional_db, reference_data, monkeypatch):
    monkeypatch.setattr(
        "iot_network.notifications.services.dispatch", lambda ids, countdown=None: None
    )
    institute = InstituteFactory(name="Pennine Institute of Technology", slug="pennine-iot")
    from allauth.account.models import EmailAddress

    staff = staff_user("iot-staff", [institute], email="staff@network.example")
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    return institute


def current_code(secret: str = TOTP_SECRET) -> str:
    return code_for(secret)


def sign_in_as_staff(page, email, assert_accessible):
    """Password, then the code from the authenticator app: staff have two factors."""
    page.goto("/admin/")
    page.wait_for_url("**/account/login/**")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/2fa/authenticate/**")
    assert_accessible(page)
    page.get_by_label("Code").fill(current_code())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")


def approve_in_admin(browser_page, changelist: str, name: str):
    browser_page.goto(f"/admin/partners/{changelist}/?status__exact=pending")
    browser_page.get_by_role("link", name=name).click()
    browser_page.get_by_role("button", name="Approve").click()
    browser_page.wait_for_selector(".messagelist")
    assert "approved" in browser_page.locator(".messagelist").inner_text()


def test_employer_joins_posts_a_vacancy_and_a_learner_finds_it(network, page, assert_accessible):
    # An employer finds out about partnering and starts an application.
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Partners").click()
    assert_accessible(page)
    page.get_by_role("link", name="Become a partner").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Apply to become a partner").click()
    page.wait_for_url("**/account/login/**")
    assert_accessible(page)

    # They need an account with a verified email address.
    page.get_by_role("main").get_by_role("link", name="Create an account").click()
    page.wait_for_url("**/account/signup/**")
    page.get_by_label("Email address").fill("jo@pennine-robotics.example")
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/confirm-email/**")
    assert_accessible(page)
    page.goto(last_mail_path("jo@pennine-robotics.example", r"/account/confirm-email/[^\s]+/"))
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()

    page.goto("/partners/apply/")
    page.get_by_role("button", name="Send application").click()
    page.wait_for_selector(".error-summary")
    assert_accessible(page)  # the error state
    page.get_by_label("Organisation name").fill("Pennine Robotics Ltd")
    page.get_by_label("Employer").check()
    page.get_by_label("Companies House number (optional)").fill("sc 654321")
    page.get_by_label("Main sector").select_option(label="Engineering and manufacturing")
    page.get_by_label("10 to 49 employees").check()
    page.get_by_label("Postcode", exact=True).fill("s1 2hh")
    page.get_by_label("Your full name").fill("Jo Bloggs")
    page.get_by_label("Pennine Institute of Technology").check()
    page.get_by_label("Apprenticeships and work placements").check()
    page.get_by_label("List us in the public partner directory once approved").check()
    page.get_by_label("I agree that").check()
    page.get_by_role("button", name="Send application").click()
    page.wait_for_url("**/partner-area/pennine-robotics-ltd/")
    assert "waiting for review" in page.content()
    assert_accessible(page)

    # Staff approve the application from the review queue.
    staff = page.context.browser.new_context(base_url=page.url.split("/partner-area")[0])
    staff_page = staff.new_page()
    sign_in_as_staff(staff_page, "staff@network.example", assert_accessible)
    approve_in_admin(staff_page, "organisation", "Pennine Robotics Ltd")

    # The employer posts an apprenticeship vacancy.
    page.reload()
    assert_accessible(page)
    page.get_by_role("link", name="Post an opportunity").click()
    page.get_by_role("button", name="Send for approval").click()
    page.wait_for_selector(".error-summary")
    assert_accessible(page)
    page.get_by_label("Apprenticeship vacancy").check()
    page.get_by_label("Title").fill("Robotics technician apprentice")
    page.get_by_label("Description").fill("Build and maintain our robot cells.")
    page.get_by_label("Location").fill("Sheffield")
    page.get_by_label("Wage in pounds").fill("21000")
    page.get_by_label("Per year").check()
    page.get_by_label("Hours a week").fill("37.5")
    closing = (timezone.localdate() + timedelta(days=30)).isoformat()
    page.get_by_label("Closing date").fill(closing)
    page.get_by_label("How to apply").fill("Send your CV through our website.")
    page.get_by_role("button", name="Send for approval").click()
    page.wait_for_url("**/partner-area/pennine-robotics-ltd/")
    assert "Waiting for approval" in page.content()

    for path in ("profile/", "colleagues/", "skills-needs/new/"):
        page.goto(f"/partner-area/pennine-robotics-ltd/{path}")
        assert_accessible(page)

    # Staff approve the vacancy.
    approve_in_admin(staff_page, "opportunity", "Robotics technician apprentice")
    staff.close()

    # A learner, signed out, finds it on /apprenticeships/.
    learner = page.context.browser.new_context(base_url=page.url.split("/partner-area")[0])
    learner_page = learner.new_page()
    learner_page.goto("/")
    learner_page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Apprenticeships"
    ).click()
    assert_accessible(learner_page)
    learner_page.get_by_role("link", name="Robotics technician apprentice").click()
    assert "£21,000 a year" in learner_page.content()
    assert "Pennine Robotics Ltd" in learner_page.content()
    assert_accessible(learner_page)
    learner_page.goto("/partners/pennine-robotics-ltd/")
    assert_accessible(learner_page)
    learner.close()

    # The employer fills the vacancy and closes it, saying how many places were filled.
    page.goto("/partner-area/pennine-robotics-ltd/")
    page.get_by_role("link", name="Close Robotics technician apprentice").click()
    assert_accessible(page)
    page.get_by_label("How many places were filled, out of 1?").fill("2")
    page.get_by_role("button", name="Close the opportunity").click()
    page.wait_for_selector(".error-summary")
    assert "It offered 1 place, so no more than 1 can have been filled." in page.content()
    assert_accessible(page)
    page.get_by_label("How many places were filled, out of 1?").fill("1")
    page.get_by_role("button", name="Close the opportunity").click()
    page.wait_for_url("**/partner-area/pennine-robotics-ltd/")
    assert "1 of 1 place filled" in page.content()

    # On a phone the list of opportunities stacks into labelled lines: nothing off screen.
    page.set_viewport_size({"width": 390, "height": 800})
    page.reload()
    for cell in page.locator("table.table--stack tbody tr").first.locator("td").all():
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    status = page.locator("td[data-label='Status']").first
    assert "Status" in status.evaluate("el => getComputedStyle(el, '::before').content")
    assert page.get_by_role("columnheader", name="Closing date").count() == 1
    assert_accessible(page)


def choose_option(page, name: str, label: str) -> None:
    """Tab into a radio group, move with the arrow keys to the option labelled ``label`` and
    select it."""
    tab_to(page, f"el.name === '{name}'")
    for _ in range(12):
        if page.evaluate("document.activeElement.labels[0].textContent.trim()") == label:
            page.keyboard.press("Space")
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {label!r} in {name}")


def test_keyboard_only_employer_applies_to_become_a_partner(network, page):
    from allauth.account.models import EmailAddress

    def employer():
        user = UserFactory(email="sam@keyboard-engineering.example")
        user.set_password(PASSWORD)
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    in_thread(employer)
    page.goto("/")
    follow(page, "Partners", "**/partners/")
    follow(page, "Become a partner", "**/partners/become-a-partner/")
    follow(page, "Apply to become a partner", "**/account/login/**")
    type_into(page, "id_login", "sam@keyboard-engineering.example")
    type_into(page, "id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"^[^?]*/partners/apply/$"))  # not the login page's ?next=

    type_into(page, "id_name", "Keyboard Engineering Ltd")
    choose_option(page, "org_type", "Employer")
    type_into(page, "id_sector", "Engineering")  # a closed select jumps to the option typed
    choose_option(page, "size", "10 to 49 employees")
    type_into(page, "id_postcode", "S1 2HH")
    type_into(page, "id_contact_name", "Sam Patel")
    tick(page, "Pennine Institute")
    tick(page, "Guest lectures")
    tick(page, "I agree")
    follow(page, "Send application", "**/partner-area/keyboard-engineering-ltd/")
    assert "waiting for review" in page.content()

    def recorded():
        from partners.models import Organisation

        organisation = Organisation.objects.get(slug="keyboard-engineering-ltd")
        return (
            organisation.org_type,
            organisation.size,
            organisation.sector.slug,
            [i.name for i in organisation.institutes.all()],
        )

    org_type, size, sector, institutes = in_thread(recorded)
    assert (org_type, size, sector, institutes) == (
        "employer", "small", "engineering-manufacturing", ["Pennine Institute of Technology"],
    )  # fmt: skip
