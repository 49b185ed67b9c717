"""Nobody reaches what is not theirs by changing an id, slug or token in a URL.

Every non-admin URL with a parameter in it is listed below with the test that covers it; a new
one fails ``test_every_url_with_an_id_slug_or_token_is_covered`` until it is given a check. The
admin's URLs are covered by tests/staff/test_permission_matrix.py, the partner area's by
tests/partners/test_area.py, and allauth's signed keys by allauth itself.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from courses.models import Course, SavedSearch
from events.models import Event, Registration
from partners.models import Invitation, Organisation
from tests.factories import (
    CourseFactory,
    EventFactory,
    MemberFactory,
    OpportunityFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.partners.test_area import ORGANISATION_URL_NAMES
from tests.security.test_security import ROUTES

pytestmark = pytest.mark.django_db

COVERED_HERE = {
    "institutes:detail",
    "courses:detail",
    "courses:enquire",
    "courses:enquiry_sent",
    "courses:shortlist_toggle",
    "courses:delete_saved_search",
    "events:detail",
    "events:register",
    "events:ics",
    "events:institute_calendar",
    "events:route_calendar",
    "events:manage",
    "events:registered",
    "events:cancel",
    "events:accept_offer",
    "events:feedback",
    "events:withdraw_equality",
    "partners:detail",
    "partners:opportunity",
    "partners:accept-invitation",
    "notifications:unsubscribe",
    "sitemap-section",
}
COVERED_ELSEWHERE = {f"partners:{name}" for name in ORGANISATION_URL_NAMES} | {
    # tests/api/test_privacy.py: drafts, hidden opportunities and made-up ids are 404
    "api:course", "api:event", "api:institute", "api:opportunity", "api:route",
    # tests/stories: drafts 404 (test_pages), another organisation's case studies 404 (test_admin),
    # an unknown IoT's feed 404
    "stories:detail", "stories:institute-feed", "stories:case-studies",
    "stories:propose-case-study", "stories:case-study",
    # tests/newsletter: a forged confirmation token and an unsent issue are 404
    "newsletter:confirm", "newsletter:issue",
    # tests/impact: unknown scopes and names are 404; the figures are public
    "impact:download",
}  # fmt: skip


def test_every_url_with_an_id_slug_or_token_is_covered():
    parameterised = {
        name
        for name, route in ROUTES
        if "<" in route and not route.startswith(("admin/", "account/"))
    }
    assert parameterised == COVERED_HERE | COVERED_ELSEWHERE


@pytest.mark.parametrize("status", [Course.Status.DRAFT])
def test_unpublished_courses_are_404_on_every_course_url(client, status):
    course = CourseFactory(status=status)
    for suffix in ("", "enquire/", "enquire/sent/"):
        assert client.get(f"/courses/{course.slug}/{suffix}").status_code == 404, suffix
    assert client.post(f"/courses/{course.slug}/shortlist/").status_code == 404
    assert course.slug not in client.get("/courses/shortlist/").content.decode()


def test_draft_events_are_404_on_every_event_url(client):
    event = EventFactory(status=Event.Status.DRAFT)
    for suffix in ("", "register/", "event.ics"):
        assert client.get(f"/events/{event.slug}/{suffix}").status_code == 404, suffix
    assert client.post(f"/events/{event.slug}/register/", {"name": "x"}).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/institutes/no-such-institute/",
        "/events/calendar/institute/no-such-institute.ics",
        "/events/calendar/subject/no-such-route.ics",
        "/sitemap-no-such-section.xml",
    ],
)
def test_made_up_slugs_are_404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "suffix", ["", "confirmed/", "cancel/", "accept/", "feedback/", "equality/withdraw/"]
)
def test_registration_links_work_only_with_their_own_token(client, suffix):
    start = timezone.now() - timedelta(days=1)  # over, so the feedback page is open too
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=2))
    mine = Registration.objects.create(event=event, name="A", email="a@example.com")
    theirs = Registration.objects.create(event=event, name="B", email="b@example.com")
    url = mine.get_manage_url()
    token = url.rstrip("/").rsplit("/", 1)[1]
    # My signed token with their id in place of mine, a changed signature, a bare id, nonsense.
    their_id = signing.b64_encode(str(theirs.pk).encode()).decode()
    forged = ":".join([their_id, *token.split(":")[1:]])
    assert forged != token
    for tampered in (forged, token[:-1] + ("A" if token[-1] != "A" else "B"), str(theirs.pk), "x"):
        url = f"/events/registration/{tampered}/{suffix}"
        got, posted = client.get(url), client.post(url, {"rating": "5"})
        assert b"b@example.com" not in got.content + posted.content
        # 405 where the page takes only the other method; the method it takes must refuse.
        statuses = {got.status_code, posted.status_code}
        assert statuses <= {400, 404, 405} and statuses & {400, 404}, (tampered, suffix)
    assert Registration.objects.get(pk=theirs.pk).status == theirs.status


def test_saved_searches_are_deleted_only_by_their_owner(client):
    search = SavedSearch.objects.create(user=UserFactory(), name="Cyber", query="q=cyber")
    client.force_login(UserFactory())
    assert client.post(f"/courses/saved-searches/{search.pk}/delete/").status_code == 404
    assert client.post("/courses/saved-searches/999999/delete/").status_code == 404
    assert SavedSearch.objects.filter(pk=search.pk).exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Organisation.Status.PENDING},
        {"status": Organisation.Status.DECLINED},
        {"listed_in_directory": False},
    ],
)
def test_unapproved_or_unlisted_partners_are_not_in_the_directory(client, fields):
    organisation = OrganisationFactory(**fields)
    assert client.get(f"/partners/{organisation.slug}/").status_code == 404


@pytest.mark.parametrize("status", ["pending", "declined", "closed"])
def test_opportunities_not_live_are_404(client, status):
    opportunity = OpportunityFactory(status=status)
    assert client.get(f"/partners/opportunities/{opportunity.pk}/").status_code == 404
    live = OpportunityFactory()
    assert client.get(f"/partners/opportunities/{live.pk}/").status_code == 200


def test_an_invitation_works_only_with_its_own_token(client):
    member = MemberFactory(role="owner")
    token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        organisation=member.organisation, email="new@example.com", token_hash=token_hash,
        invited_by=member.user,
    )  # fmt: skip
    client.force_login(UserFactory(email="new@example.com"))
    for tampered in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x", str(invitation.pk)):
        response = client.get(f"/partner-area/invitations/{tampered}/")
        assert response.status_code == 404
        assert member.organisation.name.encode() not in response.content
    assert not member.organisation.members.filter(user__email="new@example.com").exists()


def test_unsubscribe_links_cannot_be_forged(client):
    for token in ("x", "1", "a" * 300):
        assert client.get(f"/email/unsubscribe/{token}/").status_code in (400, 404)
        assert client.post(f"/email/unsubscribe/{token}/").status_code in (400, 404)
