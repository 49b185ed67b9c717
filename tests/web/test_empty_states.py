"""Every listing in its empty state: the count, what matched nothing, what to try next (each
suggestion's words and address) and the active filters as chips that each remove one filter.

``CASES`` lists the empty states by URL name and ``NOT_LISTINGS`` says why every other page has
none, so a new page fails ``test_every_listing_has_its_empty_state_checked`` until it is placed
in one or the other. tests/browser/test_empty_states.py runs axe on each of these states."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from tests.browser.test_sweep import public_url_names
from tests.factories import (
    CourseFactory,
    CourseRunFactory,
    EventFactory,
    InstituteFactory,
    MemberFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db

DURHAM = "lat=54.7753&lng=-1.5849"


@dataclass(frozen=True)
class Case:
    name: str  # the URL name
    path: str
    setup: Callable[[], object] = lambda: None  # returns the person to sign in as, if any
    count: str = ""  # "0 courses": the page says it, inside or outside the empty state
    message: str = ""
    explanation: str = ""
    suggestions: list[tuple[str, str | None]] = field(default_factory=list)  # (words, href)
    start: tuple[str, str] | None = None
    chips: dict[str, str] = field(default_factory=dict)  # label -> the address that removes it
    title: str = ""
    status: int = 200

    def __str__(self):
        return f"{self.name} {self.path} {self.message}"


def one_course():
    CourseRunFactory(course=CourseFactory(title="Robotics HNC"))


def learner():
    one_course()
    return UserFactory()


def one_event_in_the_north_east():
    EventFactory(institute=InstituteFactory(region="north-east"))


def one_employer():
    OrganisationFactory(org_type="employer")


def one_institute():
    InstituteFactory(slug="empty-iot", region="north-east")


def owner_of(status: str):
    def setup():
        organisation = OrganisationFactory(slug="empty-ltd", status=status)
        return MemberFactory(organisation=organisation).user

    return setup


approved_owner = owner_of("approved")


ASK = ("ask an Institute of Technology near you what is coming up", "/institutes/")
SPELLING = ("check the spelling, or use fewer or more general words", None)
ONE_AT_A_TIME = ("remove one filter at a time, using the list above", None)
NEAR = f"/courses/?q=nursing&level=7&study_mode=part-time&{DURHAM}&radius=25"

CASES = [
    # Course search: a valid search with no results is not an error.
    Case(
        "courses:list",
        "/courses/?q=nursing",
        one_course,
        count="0 courses",
        message="No courses match your search",
        suggestions=[SPELLING, ("browse all courses", "/courses/"), ASK],
        chips={"“nursing”": "/courses/"},
        title="No courses match your search – Find a course",
    ),
    Case(
        "courses:list",
        "/courses/?level=7",
        one_course,
        count="0 courses",
        message="No courses match your search",
        suggestions=[("browse all courses", "/courses/"), ASK],
        chips={"Level 7": "/courses/"},
        title="No courses match your search – Find a course",
    ),
    Case(
        "courses:list",
        NEAR,
        one_course,
        count="0 courses within 25 miles of your location",
        message="No courses match your search",
        suggestions=[
            SPELLING,
            ("search for “nursing” with no other filters", "/courses/?q=nursing"),
            (
                "search within 50 miles of your location",
                f"/courses/?q=nursing&level=7&study_mode=part-time&{DURHAM}&radius=50",
            ),
            (
                "look for online and flexible courses you can take from anywhere",
                "/courses/?q=nursing&study_mode=flexible&attendance=online",
            ),
            ONE_AT_A_TIME,
            ("browse all courses", "/courses/"),
            ASK,
        ],
        chips={
            "“nursing”": f"/courses/?level=7&study_mode=part-time&{DURHAM}&radius=25",
            "Within 25 miles of your location": "/courses/?q=nursing&level=7&study_mode=part-time",
            "Level 7": f"/courses/?q=nursing&study_mode=part-time&{DURHAM}&radius=25",
            "Part time": f"/courses/?q=nursing&level=7&{DURHAM}&radius=25",
        },
    ),
    Case(
        "courses:list",
        f"/courses/?q=nursing&{DURHAM}&radius=100&page=3",
        one_course,
        count="0 courses within 100 miles of your location",
        message="No courses match your search",
        suggestions=[
            SPELLING,
            ("search for “nursing” with no other filters", "/courses/?q=nursing"),
            ("search anywhere in England", "/courses/?q=nursing"),
            (
                "look for online and flexible courses you can take from anywhere",
                "/courses/?q=nursing&study_mode=flexible&attendance=online",
            ),
            ("browse all courses", "/courses/"),
            ASK,
        ],
        chips={
            "“nursing”": f"/courses/?{DURHAM}&radius=100",
            "Within 100 miles of your location": "/courses/?q=nursing",
        },
    ),
    Case(
        "courses:list",
        "/courses/",
        count="0 courses",
        message="There are no courses to show at the moment",
        explanation="Institutes of Technology add courses through the year.",
        suggestions=[ASK],
    ),
    Case(
        "apprenticeships",
        "/apprenticeships/?q=nursing",
        one_course,
        count="0 apprenticeships",
        message="No apprenticeships match your search",
        suggestions=[SPELLING, ("browse all apprenticeships", "/apprenticeships/"), ASK],
        chips={"“nursing”": "/apprenticeships/"},
        title="No apprenticeships match your search – Find an apprenticeship",
    ),
    Case(
        "apprenticeships",
        f"/apprenticeships/?{DURHAM}&radius=5",
        one_course,
        count="0 apprenticeships within 5 miles of your location",
        message="No apprenticeships match your search",
        suggestions=[  # an apprenticeship is a job: no online courses are suggested
            ("search within 10 miles of your location", f"/apprenticeships/?{DURHAM}&radius=10"),
            ("browse all apprenticeships", "/apprenticeships/"),
            ASK,
        ],
        chips={"Within 5 miles of your location": "/apprenticeships/"},
    ),
    Case(
        "courses:shortlist",
        "/courses/shortlist/",
        count="0 courses",
        message="Your shortlist is empty",
        start=("Find a course", "/courses/"),
    ),
    Case(
        "courses:saved_searches",
        "/courses/saved-searches/",
        learner,
        count="0 saved searches",
        message="You have no saved searches",
        start=("Search for courses", "/courses/"),
    ),
    # Lists filtered with the shared listing helper (iot_network/web/listing.py).
    Case(
        "events:list",
        "/events/?event_type=webinar&region=london",
        one_event_in_the_north_east,
        count="0 upcoming events",
        message="No upcoming events match your filters",
        suggestions=[ONE_AT_A_TIME, ("show all upcoming events (1)", "/events/")],
        chips={
            "Type of event: Webinar": "/events/?region=london",
            "Region: London": "/events/?event_type=webinar",
        },
        title="No upcoming events match your filters – Events",
    ),
    Case(
        "events:list",
        "/events/?places_left=on&date_from=2031-01-01",
        one_event_in_the_north_east,
        count="0 upcoming events",
        message="No upcoming events match your filters",
        suggestions=[ONE_AT_A_TIME, ("show all upcoming events (1)", "/events/")],
        chips={
            "Starting from: 1 January 2031": "/events/?places_left=on",
            "Only events with places left": "/events/?date_from=2031-01-01",
        },
    ),
    Case(
        "events:list",
        "/events/",
        count="0 upcoming events",
        message="There are no upcoming events at the moment",
        suggestions=[("follow events in your calendar or news reader", "#follow")],
    ),
    Case(
        "partners:list",
        "/partners/?org_type=university",
        one_employer,
        count="0 partners",
        message="No partners match your filters",
        suggestions=[("show all partners (1)", "/partners/")],
        chips={"Type of organisation: University": "/partners/"},
        title="No partners match your filters – Partners",
    ),
    Case(
        "partners:list",
        "/partners/",
        count="0 partners",
        message="No partners are listed yet",
        start=("Become a partner", "/partners/become-a-partner/"),
    ),
    Case(
        "institutes:list",
        "/institutes/?region=london",
        one_institute,
        count="0 institutes",
        message="No institutes match your filters",
        suggestions=[("show all institutes (1)", "/institutes/")],
        chips={"Region: London": "/institutes/"},
    ),
    Case(
        "institutes:list",
        "/institutes/?region=atlantis",
        one_institute,
        count="0 institutes",
        message="Correct the filters to see institutes",
        suggestions=[("show all institutes", "/institutes/")],
        title="Error: Institutes of Technology",
        status=400,
    ),
    Case(
        "institutes:detail",
        "/institutes/empty-iot/",
        one_institute,
        count="0 courses",
        message="This institute has not listed any courses yet",
        start=("Find a course across the network", "/courses/"),
    ),
    Case(
        "institutes:detail",
        "/institutes/empty-iot/",
        one_institute,
        count="0 events",
        message="No upcoming events",
        start=("See events across the network", "/events/"),
    ),
    # The partner area.
    Case(
        "partners:area-home",
        "/partner-area/",
        UserFactory,
        count="0 organisations",
        message="Your account is not linked to a partner organisation yet",
        start=("Apply to become a partner", "/partners/apply/"),
    ),
    Case(
        "partners:area",
        "/partner-area/empty-ltd/",
        approved_owner,
        count="0 opportunities",
        message="You have not posted any opportunities yet",
        start=("Post your first opportunity", "/partner-area/empty-ltd/opportunities/new/"),
    ),
    Case(
        "partners:area",
        "/partner-area/empty-ltd/",
        approved_owner,
        count="0 skills needs",
        message="You have not told us about any skills needs yet",
        start=("Tell us about a skills need", "/partner-area/empty-ltd/skills-needs/new/"),
    ),
    Case(
        "partners:area",
        "/partner-area/empty-ltd/",
        approved_owner,
        count="0 engagements",
        message="Nothing recorded yet",
    ),
    Case(
        "partners:area",
        "/partner-area/empty-ltd/",
        owner_of("pending"),  # cannot post yet, so no link to a form that would refuse it
        count="0 opportunities",
        message="You have not posted any opportunities yet",
    ),
    # Stories, case studies and the newsletter archive.
    Case(
        "stories:list",
        "/stories/",
        count="0 stories",
        message="No stories have been published yet",
        explanation="appear here as they are published",
    ),
    Case(
        "stories:list",
        "/stories/?kind=event-report",
        lambda: StoryFactory(kind="news") and None,
        count="0 stories",
        message="No stories match your filters",
        suggestions=[("show all stories (1)", "/stories/")],
        chips={"Kind of story: Event report": "/stories/"},
    ),
    Case(
        "stories:case-studies",
        "/partner-area/empty-ltd/case-studies/",
        approved_owner,
        count="0 case studies",
        message="You have not proposed any case studies yet",
        start=("Propose your first case study", "/partner-area/empty-ltd/case-studies/new/"),
    ),
    Case(
        "newsletter:archive",
        "/newsletter/",
        count="0 issues",
        message="No issues have been sent yet",
        start=("Subscribe to get the first one", "/newsletter/subscribe/"),
    ),
]

# Every other named URL, and why it has no empty state to check.
NOT_LISTINGS = {
    "a list that always has at least one row": {
        "partners:members",  # the person looking is a member
        "institutes:nearest",  # every IoT, nearest first (or the form and its errors)
        "account_email",  # an account has its address
    },
    "a page about one thing, whose optional lists are left out when empty": {
        "portal:home", "courses:detail", "events:detail", "partners:detail",
        "partners:opportunity", "events:manage", "events:registered", "stories:detail",
        "stories:case-study", "newsletter:issue", "impact:network",
    },
    "a file or feed, for which an empty list is a valid answer": {
        "events:calendar", "events:institute_calendar", "events:route_calendar", "events:feed",
        "events:ics", "sitemap", "sitemap-section", "robots", "security-txt", "web:healthz",
        "stories:feed", "stories:institute-feed", "impact:download",
    },
    "a form, a confirmation or a POST-only action": {
        "web:about", "web:accessibility", "web:privacy", "web:contact",
        "courses:enquire", "courses:enquiry_sent", "courses:save_search",
        "courses:delete_saved_search", "courses:shortlist_toggle",
        "events:register", "events:cancel", "events:accept_offer", "events:feedback",
        "partners:become", "partners:apply", "partners:accept-invitation", "partners:profile",
        "partners:remove-member", "partners:opportunity-create", "partners:opportunity-edit",
        "partners:opportunity-close", "partners:skills-need-create",
        "notifications:preferences", "notifications:unsubscribe",
        "events:withdraw_equality", "stories:propose-case-study", "newsletter:subscribe",
        "newsletter:confirm", "newsletter:new-link",
    },
    "the open data API: JSON, where an empty list is a valid answer, and its documentation": {
        "api-docs", "api:api-root", "api:openapi-json", "api:courses", "api:course",
        "api:events", "api:event", "api:institutes", "api:institute", "api:routes",
        "api:route", "api:opportunities", "api:opportunity",
    },
    "an account page from allauth": {
        "account_login", "account_signup", "account_logout", "account_inactive",
        "account_reauthenticate", "account_email_verification_sent", "account_set_password",
        "account_change_password", "account_confirm_login_code", "account_confirm_email",
        "account_reset_password", "account_reset_password_done",
        "account_reset_password_from_key", "account_reset_password_from_key_done",
        "mfa_index", "mfa_authenticate", "mfa_reauthenticate", "mfa_activate_totp",
        "mfa_deactivate_totp", "mfa_view_recovery_codes", "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
    },
}  # fmt: skip


def test_every_listing_has_its_empty_state_checked():
    checked = {case.name for case in CASES}
    explained = set().union(*NOT_LISTINGS.values())
    unplaced = set(public_url_names()) - checked - explained
    assert not unplaced, f"add an empty-state case to CASES or a reason to NOT_LISTINGS: {unplaced}"
    assert not checked & explained


# Reading a page ----------------------------------------------------------------------------------


def words(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def links(fragment: str) -> list[tuple[str, str]]:
    return [
        (words(text), html.unescape(href))
        for href, text in re.findall(r'<a[^>]*href="([^"]*)"[^>]*>(.*?)</a>', fragment, re.S)
    ]


def empty_states(content: str) -> dict[str, dict]:
    """Each empty state on the page (templates/partials/empty_state.html), by its message."""
    found = {}
    for block in re.findall(r'<div class="empty-state">(.*?)\n</div>', content, re.S):
        count = re.search(r'<p class="empty-state__count">(.*?)</p>', block, re.S)
        message = re.search(r'class="empty-state__title">(.*?)</(?:h2|h3|p)>', block, re.S)
        listed = re.search(r'<ul class="empty-state__suggestions">(.*?)</ul>', block, re.S)
        start = re.search(r'<a class="button" href="([^"]*)">(.*?)</a>', block, re.S)
        found[words(message.group(1))] = {
            "count": words(count.group(1)) if count else "",
            "text": words(block),
            "suggestions": [
                (words(item), (links(item) or [(None, None)])[0][1])
                for item in re.findall(r"<li>(.*?)</li>", listed.group(1), re.S)
            ]
            if listed
            else [],
            "start": (words(start.group(2)), html.unescape(start.group(1))) if start else None,
        }
    return found


def chips(content: str) -> dict[str, str]:
    return {
        words(label): html.unescape(href)
        for href, label in re.findall(
            r'<a class="chip" href="([^"]*)"><span class="visually-hidden">Remove filter: </span>'
            r'(.*?) <span aria-hidden="true">',
            content,
        )
    }


def get(client, case: Case):
    person = case.setup()
    if person is not None:
        client.force_login(person)
    return client.get(case.path)


# The empty states ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=str)
def test_each_listing_says_what_matched_nothing_and_what_to_try_next(client, case):
    response = get(client, case)
    content = response.content.decode()
    assert response.status_code == case.status
    states = empty_states(content)
    assert case.message in states, f"{case.message!r} not among {list(states)}"
    state = states[case.message]
    assert case.count in (state["count"] or words(content))
    if case.explanation:
        assert case.explanation in state["text"]
    assert state["suggestions"] == case.suggestions
    assert state["start"] == case.start
    assert chips(content) == case.chips
    if case.title:
        title = words(re.search(r"<title>(.*?)</title>", content, re.S).group(1))
        assert title.startswith(case.title)


def test_each_chip_leads_to_the_search_without_that_filter(client):
    """Following a chip gives a page whose chips are the others; following them all, the list."""
    one_course()
    path = NEAR
    remaining = chips(client.get(path).content.decode())
    while remaining:
        label, path = next(iter(remaining.items()))
        left = chips(client.get(path).content.decode())
        assert label not in left and set(left) == set(remaining) - {label}
        remaining = left
    assert "Robotics HNC" in client.get(path).content.decode()


def test_a_search_with_no_results_can_still_be_saved(client):
    client.force_login(learner())
    content = client.get("/courses/?q=nursing&level=7").content.decode()
    assert "No courses match your search" in content
    assert re.search(
        r'action="/courses/saved-searches/save/".*name="query" value="q=nursing&amp;level=7"',
        content,
        re.S,
    )


def test_a_search_with_no_results_offers_to_sign_in_to_save_it(client):
    one_course()
    content = client.get("/courses/?q=nursing").content.decode()
    assert "to save this search" in content
    assert 'href="/account/login/?next=/courses/%3Fq%3Dnursing"' in content


@pytest.mark.parametrize("path", ["/courses/?start_from=not-a-date", "/apprenticeships/?level=9"])
def test_a_search_the_form_cannot_read_is_an_error_not_an_empty_result(client, path):
    response = client.get(path)
    content = response.content.decode()
    assert response.status_code == 400
    assert re.search(r"<title>Error: check your search", content)
    assert "There is a problem" in content
    assert not empty_states(content)


def test_a_search_with_results_has_no_empty_state_and_a_plural_title(client):
    one_course()
    CourseRunFactory(course=CourseFactory(title="Robotics HND"))
    content = client.get("/courses/?q=robotics").content.decode()
    assert not empty_states(content)
    assert re.search(r"<title>2 courses – Find a course", content)
    assert chips(content) == {"“robotics”": "/courses/"}
