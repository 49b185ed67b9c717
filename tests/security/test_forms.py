"""Oversized and malformed input on every form the site itself serves: never a 500.

Every route that handles a POST is listed in ``form_urls`` with a real URL and the person who
uses it; ``test_every_route_that_takes_a_post_is_covered`` fails when a new one appears. Each form
is fetched, and every field it shows is sent 100,000 characters, then a NUL byte, then markup.
The admin's forms are covered by tests/staff/; allauth's key-carrying URLs by allauth.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from courses.models import SavedSearch
from events.models import Registration
from iot_network.impact.services import compute_snapshots
from iot_network.notifications.delivery import unsubscribe_token
from newsletter.models import Issue, Subscriber
from partners.models import Invitation
from stories.models import Story
from tests.factories import (
    CourseFactory,
    CourseRunFactory,
    EventFactory,
    MemberFactory,
    OpportunityFactory,
    UserFactory,
)
from tests.security.test_security import ROUTES, concrete
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db

HUGE = "x" * 100_000
BAD_VALUES = {"oversized": HUGE, "NUL byte": "a\x00b", "markup": "<script>alert(1)</script>"}
# Fields to send when the page shows no form (POST-only actions).
FALLBACK_FIELDS = ["name", "email", "message", "code", "reason"]


@pytest.fixture
def world(reference_data):
    learner = UserFactory(email="learner@forms.example")
    owner = MemberFactory(role="owner", user=UserFactory(email="owner@forms.example"))
    organisation = owner.organisation
    colleague = MemberFactory(organisation=organisation, role="member")
    opportunity = OpportunityFactory(organisation=organisation)
    course = CourseFactory(slug="forms-course")
    CourseRunFactory(course=course)
    event = EventFactory(slug="forms-event", capacity=100)
    booked = Registration.objects.create(
        event=event, name="Ann", email="ann@forms.example", status="confirmed"
    )
    offered = Registration.objects.create(
        event=event,
        name="Bo",
        email="bo@forms.example",
        status="offered",
        offer_expires_at=timezone.now() + timedelta(hours=5),
    )
    start = timezone.now() - timedelta(days=2)
    past = EventFactory(slug="forms-past", starts_at=start, ends_at=start + timedelta(hours=2))
    attended = Registration.objects.create(
        event=past, name="Cy", email="cy@forms.example", status="attended"
    )
    token, token_hash = Invitation.new_token()
    Invitation.objects.create(
        organisation=organisation, email=learner.email, token_hash=token_hash, invited_by=owner.user
    )
    search = SavedSearch.objects.create(user=learner, name="Cyber", query="q=cyber")
    area = f"/partner-area/{organisation.slug}"
    story = StoryFactory(institutes=[course.institute])
    case_study = Story.objects.create(
        kind=Story.Kind.CASE_STUDY,
        title="Our apprentices",
        slug="our-apprentices",
        standfirst="In short.",
        body="At length.",
        status=Story.Status.PENDING,
        proposed_by=organisation,
    )
    subscriber = Subscriber.objects.create(email="new@forms.example")
    issue = Issue.objects.create(subject="News", introduction="Hello", status=Issue.Status.SENT)
    compute_snapshots()
    return {
        "users": {"learner": learner, "owner": owner.user},
        # Pages with an id, slug or token in the URL that only show something: a POST is a 405.
        "read_only": {
            "institutes:detail": (course.institute.get_absolute_url(), None),
            "courses:detail": (course.get_absolute_url(), None),
            "courses:enquiry_sent": (f"/courses/{course.slug}/enquire/sent/", None),
            "events:detail": (event.get_absolute_url(), None),
            "events:ics": (f"/events/{event.slug}/event.ics", None),
            "events:registered": (booked.get_manage_url() + "confirmed/", None),
            "events:institute_calendar": (
                f"/events/calendar/institute/{course.institute.slug}.ics",
                None,
            ),
            "events:route_calendar": (f"/events/calendar/subject/{course.route.slug}.ics", None),
            "partners:detail": (organisation.get_absolute_url(), None),
            "partners:opportunity": (opportunity.get_absolute_url(), None),
            "partners:area": (f"{area}/", "owner"),
            "sitemap-section": ("/sitemap-courses.xml", None),
            "api:course": (f"/api/v1/courses/{course.pk}", None),
            "api:event": (f"/api/v1/events/{event.pk}", None),
            "api:institute": (f"/api/v1/institutes/{course.institute.pk}", None),
            "api:route": (f"/api/v1/routes/{course.route.pk}", None),
            "api:opportunity": (f"/api/v1/opportunities/{opportunity.pk}", None),
            "stories:detail": (story.get_absolute_url(), None),
            "stories:institute-feed": (f"/stories/feed/{course.institute.slug}/", None),
            "stories:case-studies": (f"{area}/case-studies/", "owner"),
            "newsletter:issue": (f"/newsletter/{issue.pk}/", None),
            "impact:download": ("/impact/network/headline.csv", None),
        },
        "urls": {
            "courses:enquire": (f"/courses/{course.slug}/enquire/", None),
            "courses:shortlist_toggle": (f"/courses/{course.slug}/shortlist/", None),
            "courses:save_search": ("/courses/saved-searches/save/", "learner"),
            "courses:delete_saved_search": (
                f"/courses/saved-searches/{search.pk}/delete/",
                "learner",
            ),
            "events:register": (f"/events/{event.slug}/register/", None),
            "events:manage": (booked.get_manage_url(), None),
            "events:cancel": (booked.get_manage_url() + "cancel/", None),
            "events:accept_offer": (offered.get_manage_url() + "accept/", None),
            "events:feedback": (attended.get_manage_url() + "feedback/", None),
            "notifications:unsubscribe": (
                f"/email/unsubscribe/{unsubscribe_token('ann@forms.example', 'events')}/",
                None,
            ),
            "notifications:preferences": ("/email/preferences/", "learner"),
            "partners:apply": ("/partners/apply/", "learner"),
            "partners:accept-invitation": (f"/partner-area/invitations/{token}/", "learner"),
            "partners:profile": (f"{area}/profile/", "owner"),
            "partners:members": (f"{area}/colleagues/", "owner"),
            "partners:remove-member": (f"{area}/colleagues/{colleague.pk}/remove/", "owner"),
            "partners:opportunity-create": (f"{area}/opportunities/new/", "owner"),
            "partners:opportunity-edit": (f"{area}/opportunities/{opportunity.pk}/", "owner"),
            "partners:opportunity-close": (
                f"{area}/opportunities/{opportunity.pk}/close/",
                "owner",
            ),
            "partners:skills-need-create": (f"{area}/skills-needs/new/", "owner"),
            "account_login": ("/account/login/", None),
            "account_signup": ("/account/signup/", None),
            "account_reset_password": ("/account/password/reset/", None),
            "account_email": ("/account/email/", "learner"),
            "account_change_password": ("/account/password/change/", "learner"),
            "account_reauthenticate": ("/account/reauthenticate/", "learner"),
            "account_confirm_login_code": ("/account/login/code/confirm/", None),
            "account_logout": ("/account/logout/", "learner"),
            "mfa_activate_totp": ("/account/2fa/totp/activate/", "learner"),
            "events:withdraw_equality": (booked.get_manage_url() + "equality/withdraw/", None),
            "stories:propose-case-study": (f"{area}/case-studies/new/", "owner"),
            "stories:case-study": (f"{area}/case-studies/{case_study.pk}/", "owner"),
            "newsletter:subscribe": ("/newsletter/subscribe/", None),
            "newsletter:confirm": (f"/newsletter/confirm/{subscriber.token}/", None),
            "newsletter:new-link": ("/newsletter/new-link/", None),
        },
    }


def client_for(world, who) -> Client:
    client = Client()
    if who:
        client.force_login(world["users"][who])
    return client


# Library views that answer any method the same way and never read a request body.
IGNORE_THE_BODY = {
    "events:feed", "stories:feed", "stories:institute-feed", "sitemap", "sitemap-section"
}  # fmt: skip


def takes_post(name: str, route: str, world) -> bool:
    """True when the route does something with a POST, signed out or in: anything but 405, or
    404 for its made-up parameter (signed out, a sign-in redirect hides what the route takes)."""
    if name in world["urls"]:
        return True
    return all(
        client_for(world, who).post(concrete(route)).status_code not in (404, 405)
        for who in (None, "learner")
    )


def test_every_route_with_a_parameter_is_a_form_here_or_read_only(world):
    parameterised = {
        name
        for name, route in ROUTES
        if "<" in route and not route.startswith(("admin/", "account/"))
    }
    assert parameterised == (set(world["urls"]) | set(world["read_only"])) & parameterised
    for name, (url, who) in world["read_only"].items():
        assert client_for(world, who).get(url).status_code == 200, name
        if name not in IGNORE_THE_BODY:
            assert client_for(world, who).post(url).status_code == 405, name


def test_every_route_that_takes_a_post_is_covered(world):
    # allauth's own flows behind keys, codes and settings we do not use are allauth's to test.
    not_ours = {
        name
        for name, route in ROUTES
        if route.startswith("account/") and ("<" in route or "2fa/" in route or "set/" in route)
    }
    taking_post = {
        name
        for name, route in ROUTES
        if not route.startswith("admin/")
        and name not in not_ours | IGNORE_THE_BODY
        and takes_post(name, route, world)
    }
    missing = taking_post - set(world["urls"])
    assert not missing, f"add these forms to tests/security/test_forms.py: {sorted(missing)}"


def field_names(html: str) -> list[str]:
    names = set(re.findall(r'<(?:input|textarea|select)[^>]*\sname="([^"]+)"', html))
    return sorted(names - {"csrfmiddlewaretoken"})


@pytest.mark.parametrize("value", list(BAD_VALUES), ids=list(BAD_VALUES))
def test_bad_input_on_every_form_gives_a_page_not_an_error(world, value):
    for name, (url, who) in world["urls"].items():
        client = client_for(world, who)
        page = client.get(url)
        assert page.status_code < 500, (name, page.status_code)
        fields = field_names(page.content.decode()) if page.status_code == 200 else []
        data = dict.fromkeys(fields or FALLBACK_FIELDS, BAD_VALUES[value])
        response = client.post(url, data)
        assert response.status_code < 500, (name, value, response.status_code)
        if value == "markup" and response.status_code in (200, 400):
            assert b"<script>alert(1)</script>" not in response.content, name
