"""Nothing private ever leaves through the API. The walk starts from the OpenAPI schema, opens every
list (every page of it) and every detail address found in the answers, and checks every field
of every answer against private data seeded beside public data."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from courses.models import Course, Enquiry
from events.models import Event, Registration, Speaker
from institutes.models import Institute
from partners.models import Opportunity
from tests.factories import (
    CourseFactory,
    CourseRunFactory,
    EventFactory,
    MemberFactory,
    OpportunityFactory,
    OrganisationFactory,
    SessionFactory,
    UserFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
SECRET = "zz-secret"  # in every private value seeded below
PRIVATE_EMAIL = re.compile(r"@private\.example", re.IGNORECASE)


@pytest.fixture
def seeded(reference_data):
    """Public rows to be listed, and private ones beside and inside them."""
    today = timezone.localdate()
    Institute.objects.update(contact_email="iot-team@private.example")
    listed = OrganisationFactory(name="Listed Engineering Ltd", contact_name=f"{SECRET} Ann")
    listed.contact_phone = "07700 900123"
    listed.decision_reason = f"{SECRET} approval notes"
    listed.save()
    unlisted = OrganisationFactory(
        name=f"{SECRET} Unlisted Ltd", slug=f"{SECRET}-unlisted", listed_in_directory=False
    )
    pending = OrganisationFactory(
        name=f"{SECRET} Pending Ltd", slug=f"{SECRET}-pending", status="pending"
    )
    MemberFactory(organisation=listed, user=UserFactory(email="member@private.example"))
    staff_user(email="staff@private.example", full_name=f"{SECRET} Staff Person")

    course = CourseFactory(title="Public mechatronics HNC")
    course.partner_employers.add(listed, unlisted, pending)
    CourseRunFactory(course=course)
    CourseRunFactory(course=course, start_date=today - timedelta(days=30), venue_name=SECRET)
    draft = CourseFactory(title=f"{SECRET} draft course", slug=f"{SECRET}-draft", status="draft")
    CourseRunFactory(course=draft, venue_name=f"{SECRET} venue")
    Enquiry.objects.create(
        course=course, name=f"{SECRET} Learner", email="learner@private.example",
        message=f"{SECRET} question", consent_to_contact=True,
    )  # fmt: skip

    event = EventFactory(
        title="Public open day", joining_details=f"{SECRET} https://meet.example/secret"
    )
    session = SessionFactory(event=event, title="Public breakout")
    session.speakers.add(Speaker.objects.create(name=f"{SECRET} Speaker", bio=f"{SECRET} bio"))
    Registration.objects.create(
        event=event, name=f"{SECRET} Registrant", email="registrant@private.example",
        organisation=f"{SECRET} Org", accessibility_needs=f"{SECRET} needs", status="confirmed",
    )  # fmt: skip
    cancelled = EventFactory(title="Cancelled taster", status="cancelled")
    cancelled.cancellation_reason = "The lab is closed for repairs."
    cancelled.save()
    draft_event = EventFactory(
        title=f"{SECRET} draft event", slug=f"{SECRET}-event", status="draft"
    )
    cancelled_draft_reason = EventFactory(title="Published talk", cancellation_reason=SECRET)

    live = OpportunityFactory(organisation=listed, title="Public apprentice", course=draft)
    from_unlisted = OpportunityFactory(organisation=unlisted, title="Vacancy of a quiet employer")
    hidden = [
        OpportunityFactory(organisation=listed, title=f"{SECRET} {status}", status=status)
        for status in ("pending", "declined", "closed")
    ]
    hidden.append(
        OpportunityFactory(
            organisation=listed,
            title=f"{SECRET} closed date",
            closing_date=today - timedelta(days=1),
        )  # fmt: skip
    )
    hidden.append(OpportunityFactory(organisation=pending, title=f"{SECRET} pending employer"))
    for opportunity in Opportunity.objects.all():
        Opportunity.objects.filter(pk=opportunity.pk).update(
            decision_reason=f"{SECRET} reason", created_by=None
        )
    return {
        "public": {
            "course": course,
            "event": event,
            "cancelled": cancelled,
            "talk": cancelled_draft_reason,
            "live": live,
            "from_unlisted": from_unlisted,
        },
        "private": {
            "courses": [draft.pk],
            "events": [draft_event.pk],
            "opportunities": [item.pk for item in hidden],
        },
    }


def walk(value, path: str = ""):
    """Every (path, scalar) in a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from walk(item, f"{path}[{i}]")
    else:
        yield path, value


def relative(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_walking_every_endpoint_and_field_finds_nothing_private(client, seeded, settings):
    settings.RATE_LIMITS_ENABLED = False  # the walk makes a few hundred requests
    schema = client.get(f"{API}/openapi.json").json()
    lists = [path for path in schema["paths"] if "{" not in path]
    to_visit = [relative(path) for path in lists]
    visited: set[str] = set()
    answers: dict[str, dict] = {}
    while to_visit:
        url = to_visit.pop()
        if url in visited:
            continue
        visited.add(url)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        body = response.json()
        answers[url] = body
        for path, value in walk(body):
            text = str(value)
            assert SECRET not in text.lower(), (url, path, text)
            assert not PRIVATE_EMAIL.search(text), (url, path, text)
            if isinstance(value, str) and value.startswith("http") and f"{API}/" in value:
                to_visit.append(relative(value))

    # Every operation in the schema was answered: each list, and each kind of detail.
    templates = {re.sub(r"\{[^}]+\}", r"[0-9]+", path) for path in schema["paths"]}
    for template in templates:
        assert any(re.fullmatch(template, url.split("?")[0]) for url in visited), template

    # The public rows are there; the private ones are not, and their addresses are 404.
    public = seeded["public"]
    seen_ids = {
        kind: {
            item["id"]
            for url, body in answers.items()
            if url.split("?")[0] == f"{API}/{kind}"
            for item in body["results"]
        }
        for kind in ("courses", "events", "opportunities")
    }
    assert public["course"].pk in seen_ids["courses"]
    assert {public["event"].pk, public["cancelled"].pk} <= seen_ids["events"]
    assert {public["live"].pk, public["from_unlisted"].pk} <= seen_ids["opportunities"]
    for kind, ids in seeded["private"].items():
        assert not set(ids) & seen_ids[kind], kind
        for pk in ids:
            assert client.get(f"{API}/{kind}/{pk}").status_code == 404, (kind, pk)


def test_employers_appear_only_when_they_opted_in_to_the_directory(client, seeded):
    public = seeded["public"]
    course = client.get(f"{API}/courses/{public['course'].pk}").json()
    assert [partner["name"] for partner in course["partner_employers"]] == [
        "Listed Engineering Ltd"
    ]
    vacancy = client.get(f"{API}/opportunities/{public['from_unlisted'].pk}").json()
    assert vacancy["employer"] is None
    listed = client.get(f"{API}/opportunities/{public['live'].pk}").json()
    assert listed["employer"]["name"] == "Listed Engineering Ltd"
    assert listed["course"] is None  # its course is a draft


def test_only_past_runs_and_cancellation_reasons_of_live_events_are_left_out(client, seeded):
    public = seeded["public"]
    course = client.get(f"{API}/courses/{public['course'].pk}").json()
    assert len(course["runs"]) == 1  # the past run is not an upcoming start
    cancelled = client.get(f"{API}/events/{public['cancelled'].pk}").json()
    assert cancelled["status"] == Event.Status.CANCELLED
    assert cancelled["cancellation_reason"] == "The lab is closed for repairs."
    talk = client.get(f"{API}/events/{public['talk'].pk}").json()
    assert talk["cancellation_reason"] == ""


def test_the_answers_hold_only_the_fields_the_schema_declares(client, seeded):
    schema = client.get(f"{API}/openapi.json").json()
    components = schema["components"]["schemas"]
    declared = {field for model in components.values() for field in model.get("properties", {})}
    for url in (
        f"{API}/courses",
        f"{API}/events",
        f"{API}/opportunities",
        f"{API}/institutes",
        f"{API}/routes",
    ):
        body = client.get(url).json()
        names = {path.rsplit(".", 1)[-1].split("[")[0] for path, _ in walk(body)}
        assert names - {""} <= declared, (url, names - declared)
    assert not {"email", "contact_email", "contact_name", "joining_details", "name_of_user"} & (
        declared
    )


def test_a_course_taken_back_to_draft_is_404_and_out_of_the_list(client, seeded):
    course = seeded["public"]["course"]
    assert client.get(f"{API}/courses/{course.pk}").status_code == 200
    Course.objects.filter(pk=course.pk).update(status=Course.Status.DRAFT)
    assert client.get(f"{API}/courses/{course.pk}").status_code == 404
    assert course.pk not in [c["id"] for c in client.get(f"{API}/courses").json()["results"]]
