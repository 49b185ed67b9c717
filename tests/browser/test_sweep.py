"""The accessibility sweep: every public, partner and account page (error states and filtered
lists included) at desktop width, at 200% zoom and at 320 CSS px (WCAG 1.4.10 reflow), with axe
at WCAG 2.2 AA and no sideways scrolling. The table is checked against the URL configuration, so
a new page without an entry fails ``test_the_sweep_covers_every_page``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.browser.keyboard import focus_problems
from tests.factories import (
    CourseFactory,
    CourseRunFactory,
    EventFactory,
    MemberFactory,
    OpportunityFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"

# (url name, path, who is signed in)
PAGES = [
    ("portal:home", "/", None),
    ("web:about", "/about/", None),
    ("web:accessibility", "/accessibility/", None),
    ("web:privacy", "/privacy/", None),
    ("web:contact", "/contact/", None),
    ("institutes:list", "/institutes/?region=north-east", None),
    ("institutes:detail", "/institutes/sweep-iot/", None),
    ("institutes:nearest", "/institutes/nearest/?lat=54.77&lng=-1.58", None),
    ("courses:list", "/courses/?q=robotics&level=4&study_mode=part-time", None),
    ("courses:list", "/courses/?q=zzzzzz", None),  # no results
    ("courses:list", "/courses/?start_from=not-a-date", None),  # 400 with errors
    ("courses:detail", "/courses/sweep-robotics/", None),
    ("courses:enquire", "/courses/sweep-robotics/enquire/", None),
    ("courses:enquiry_sent", "/courses/sweep-robotics/enquire/sent/", None),
    ("courses:shortlist", "/courses/shortlist/", None),
    ("courses:saved_searches", "/courses/saved-searches/", "learner"),
    ("apprenticeships", "/apprenticeships/?route=engineering-manufacturing", None),
    ("events:list", "/events/?event_type=open-day", None),
    ("events:detail", "/events/sweep-open-day/", None),
    ("events:register", "/events/sweep-open-day/register/", None),
    ("partners:list", "/partners/?interest=mentoring", None),
    ("partners:become", "/partners/become-a-partner/", None),
    ("partners:detail", "/partners/sweep-robotics-ltd/", None),
    ("partners:opportunity", "OPPORTUNITY", None),
    ("partners:apply", "/partners/apply/", "learner"),
    ("partners:area-home", "/partner-area/", "learner"),
    ("partners:area", "/partner-area/sweep-robotics-ltd/", "owner"),
    ("partners:profile", "/partner-area/sweep-robotics-ltd/profile/", "owner"),
    ("partners:members", "/partner-area/sweep-robotics-ltd/colleagues/", "owner"),
    ("partners:opportunity-create", "/partner-area/sweep-robotics-ltd/opportunities/new/", "owner"),
    ("partners:skills-need-create", "/partner-area/sweep-robotics-ltd/skills-needs/new/", "owner"),
    ("account_login", "/account/login/", None),
    ("account_signup", "/account/signup/", None),
    ("account_reset_password", "/account/password/reset/", None),
    ("account_email", "/account/email/", "learner"),
    ("account_change_password", "/account/password/change/", "learner"),
    ("mfa_index", "/account/2fa/", "learner"),
    ("mfa_activate_totp", "/account/2fa/totp/activate/", "learner"),
    ("notifications:preferences", "/email/preferences/", "learner"),
    ("api-docs", "/api/v1/", None),
    ("stories:list", "/stories/?kind=news", None),
    ("stories:list", "/stories/?kind=event-report", None),  # no results
    ("stories:detail", "/stories/sweep-story/", None),
    ("stories:case-studies", "/partner-area/sweep-robotics-ltd/case-studies/", "owner"),
    ("stories:propose-case-study", "/partner-area/sweep-robotics-ltd/case-studies/new/", "owner"),
    ("stories:case-study", "CASE_STUDY", "owner"),
    ("newsletter:archive", "/newsletter/", None),
    ("impact:network", "/impact/", None),
    ("newsletter:subscribe", "/newsletter/subscribe/", None),
    ("newsletter:new-link", "/newsletter/new-link/", None),
    ("newsletter:issue", "ISSUE", None),
    (None, "/no-such-page/", None),  # 404
]

# Not HTML pages for people, or pages reached only through a private link or a POST; each has
# its own accessibility test next to its feature (events, notifications, partners) or is a file.
NOT_SWEPT = {
    "web:healthz", "events:calendar", "events:institute_calendar", "events:route_calendar",
    "events:feed", "events:ics", "sitemap", "sitemap-section", "robots", "security-txt",
    "courses:save_search", "courses:delete_saved_search", "courses:shortlist_toggle",
    "events:manage", "events:registered", "events:cancel", "events:accept_offer",
    "events:feedback", "notifications:unsubscribe", "partners:accept-invitation",
    "partners:remove-member", "partners:opportunity-edit", "partners:opportunity-close",
    "account_logout", "account_inactive", "account_reauthenticate",
    "account_email_verification_sent", "account_set_password", "account_confirm_login_code",
    "account_confirm_email", "account_reset_password_from_key_done",
    "account_reset_password_from_key", "account_reset_password_done", "mfa_authenticate",
    "mfa_reauthenticate", "mfa_deactivate_totp", "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes", "mfa_download_recovery_codes",
    # The open data API answers in JSON; its HTML documentation is "api-docs" (which also
    # answers the API's root address, so "api:api-root" is never reached).
    "api:api-root", "api:openapi-json", "api:courses", "api:course", "api:events", "api:event",
    "api:institutes", "api:institute", "api:routes", "api:route", "api:opportunities",
    "api:opportunity",
    "stories:feed", "stories:institute-feed", "newsletter:confirm",
    # A POST-only button on the registration's manage page; CSV downloads.
    "events:withdraw_equality", "impact:download",
}  # fmt: skip


def public_url_names(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin"):
                continue  # the staff workspace is Django's admin
            ns = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from public_url_names(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield ":".join(filter(None, [namespace, pattern.name]))


def test_the_sweep_covers_every_page():
    swept = {name for name, _, _ in PAGES if name}
    missing = set(public_url_names()) - swept - NOT_SWEPT
    assert not missing, f"add these pages to the accessibility sweep: {sorted(missing)}"


@pytest.fixture
def site(transactional_db, reference_data):
    from allauth.account.models import EmailAddress

    from institutes.models import Institute, Route

    institute = Institute.objects.order_by("pk").first()
    Institute.objects.filter(pk=institute.pk).update(slug="sweep-iot")
    institute.refresh_from_db()
    route = Route.objects.get(slug="engineering-manufacturing")
    course = CourseFactory(
        slug="sweep-robotics", title="Robotics HNC", institute=institute, route=route
    )
    CourseRunFactory(course=course)
    EventFactory(slug="sweep-open-day", institute=institute, event_type="open-day")
    organisation = OrganisationFactory(
        name="Sweep Robotics Ltd", slug="sweep-robotics-ltd", institutes=[institute], sector=route
    )
    people = {}
    for key, email in (("learner", "learner@sweep.example"), ("owner", "owner@sweep.example")):
        user = UserFactory(email=email)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        people[key] = user
    MemberFactory(organisation=organisation, user=people["owner"])
    opportunity = OpportunityFactory(
        organisation=organisation,
        institute=institute,
        closing_date=timezone.localdate() + timedelta(days=20),
    )
    from newsletter.models import Issue
    from stories.models import Story

    story = Story.objects.create(
        title="Sweep story", slug="sweep-story", standfirst="In short.", body="At *length*.",
        status="published", published_at=timezone.now(),
    )  # fmt: skip
    story.institutes.set([institute])
    story.organisations.set([organisation])
    proposal = Story.objects.create(
        title="Sweep case study", slug="sweep-case-study", standfirst="In short.",
        body="At length.", kind="case-study", status="returned", proposed_by=organisation,
        review_note="Add a photo.",
    )  # fmt: skip
    proposal.institutes.set([institute])
    issue = Issue.objects.create(
        subject="Sweep news", introduction="Hello.", status="sent", sent_at=timezone.now()
    )
    issue.stories.set([story])
    return {
        "OPPORTUNITY": opportunity.get_absolute_url(),
        "CASE_STUDY": f"/partner-area/sweep-robotics-ltd/case-studies/{proposal.pk}/",
        "ISSUE": issue.get_absolute_url(),
    }


def sign_in(page, email):
    page.goto("/account/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def sideways_overflow(page) -> list[str]:
    """Elements that stick out past the right edge, when the page scrolls sideways."""
    return page.evaluate(
        """() => {
          const root = document.documentElement;
          if (root.scrollWidth <= root.clientWidth + 1) return [];
          return [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > root.clientWidth + 1)
            .map(el => `${el.tagName.toLowerCase()}.${el.className}`).slice(0, 5);
        }"""
    )


@pytest.mark.parametrize("who", [None, "learner", "owner"])
def test_every_page_at_every_width_has_no_violations(site, page, assert_accessible, who):
    emails = {"learner": "learner@sweep.example", "owner": "owner@sweep.example"}
    if who:
        sign_in(page, emails[who])
    for _, path, needs in PAGES:
        if needs != who:
            continue
        path = site.get(path, path)  # pages whose address has an id in it
        # 1280 CSS px; 640 is a 1280 px window at 200% zoom; 320 is WCAG 1.4.10's reflow width.
        for width in (1280, 640, 320):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(path)
            assert not sideways_overflow(page), (path, width, sideways_overflow(page))
            if width != 640:
                assert_accessible(page)
            if width == 1280:
                problems = focus_problems(page)
                assert not problems, (path, problems)
