"""Subscribing with double opt-in, consent records, and issues sent through the outbox's bulk
path to consenting subscribers of their audience only."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from iot_network.notifications.delivery import build_email
from iot_network.notifications.models import Consent, ConsentChange, Message
from iot_network.notifications.services import set_consent
from newsletter import services
from newsletter.content import issue_context
from newsletter.models import Issue, Subscriber
from newsletter.tasks import queue_issue
from stories.models import Story
from tests.factories import CourseFactory, EventFactory, InstituteFactory, staff_user
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db


def confirm_link(message: Message) -> str:
    return re.search(r"/newsletter/confirm/[^/\s]+/", message.context["action_url"]).group(0)


def test_subscribing_sends_a_confirmation_and_only_confirming_gives_consent(
    client, django_capture_on_commit_callbacks
):
    durham = InstituteFactory()
    response = client.post(
        "/newsletter/subscribe/", {"email": "Ann@Example.com ", "institutes": [durham.pk]}
    )
    assert response.status_code == 200 and b"Check your email" in response.content
    [mail] = Message.objects.filter(kind="newsletter-confirm")
    assert mail.recipient == "ann@example.com" and mail.category == "transactional"
    assert not Consent.objects.filter(email="ann@example.com", granted=True).exists()
    link = confirm_link(mail)
    assert b"Confirm my subscription" in client.get(link).content  # a GET confirms nothing
    assert not Consent.objects.filter(email="ann@example.com", granted=True).exists()
    assert b"You are subscribed" in client.post(link).content
    assert Consent.objects.get(email="ann@example.com", category="newsletter").granted
    change = ConsentChange.objects.get(email="ann@example.com")
    assert change.source == ConsentChange.Source.DOUBLE_OPT_IN and change.granted
    subscriber = Subscriber.objects.get(email="ann@example.com")
    assert subscriber.confirmed_at and list(subscriber.institutes.all()) == [durham]


def test_the_subscribe_page_says_the_same_whoever_is_already_subscribed(client):
    first = client.post("/newsletter/subscribe/", {"email": "ann@example.com"})
    again = client.post("/newsletter/subscribe/", {"email": "ann@example.com"})
    assert first.content == again.content
    assert client.post("/newsletter/subscribe/", {"email": "not an address"}).status_code == 400
    assert client.get("/newsletter/confirm/forged-token/").status_code == 404


def subscriber(email, *, institutes=(), event_types=(), consent=True, confirmed=True):
    row = Subscriber.objects.create(
        email=email,
        confirmed_at=timezone.now() if confirmed else None,
        event_types=list(event_types),
    )
    row.institutes.set(institutes)
    if consent:
        set_consent(email=email, category="newsletter", granted=True, source="double-opt-in")
    return row


@pytest.fixture
def audience():
    durham, leeds = InstituteFactory(name="Durham IoT"), InstituteFactory(name="Leeds IoT")
    subscriber("durham@example.com", institutes=[durham])
    subscriber("everything@example.com")
    subscriber("leeds@example.com", institutes=[leeds])
    subscriber("unconfirmed@example.com", consent=False, confirmed=False)
    subscriber("gone@example.com", institutes=[durham])
    set_consent(email="gone@example.com", category="newsletter", granted=False, source="one-click")
    set_consent(email="member@example.com", category="newsletter", granted=True, source="form")
    return durham, leeds


def make_issue(*, institutes=(), **fields):
    fields = {"subject": "Spring news", "introduction": "Hello **everyone**."} | fields
    issue = Issue.objects.create(**fields)
    issue.audience_institutes.set(institutes)
    return issue


def test_an_iot_issue_goes_to_its_consenting_subscribers_and_withholds_the_rest(
    audience, django_capture_on_commit_callbacks
):
    durham, _ = audience
    issue = make_issue(institutes=[durham])
    issue.stories.set([StoryFactory(title="A Durham story", institutes=[durham])])
    issue.events.set([EventFactory(institute=durham, title="Durham open day")])
    issue.courses.set([CourseFactory(institute=durham, title="Cyber HTQ")])
    with django_capture_on_commit_callbacks(execute=False):
        assert services.queue(issue_id=issue.pk) == 4
        assert services.queue(issue_id=issue.pk) == 4  # twice: nothing doubles
    rows = Message.objects.filter(batch=issue.batch)
    by_address = {m.recipient: m.status for m in rows}
    assert by_address == {
        "durham@example.com": "queued",
        "everything@example.com": "queued",
        "member@example.com": "queued",
        "gone@example.com": "withheld",
    }
    assert {m.dedupe_key for m in rows} == {f"newsletter:{issue.pk}:{a}" for a in by_address}
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT and issue.recipients == 4
    assert services.status_counts(issue) | {} == {
        "queued": 3, "sending": 0, "sent": 0, "failed": 0, "withheld": 1,
    }  # fmt: skip
    email = build_email(rows.get(recipient="durham@example.com"))
    assert email.subject == "Spring news"
    assert "A Durham story" in email.body and "Durham open day" in email.body
    assert "Cyber HTQ" in email.body and "Hello everyone." in email.body
    html = email.alternatives[0][0]
    assert "<strong>everyone</strong>" in html
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_one_click_unsubscribe_from_an_issue_withdraws_consent(client, audience):
    issue = make_issue()
    services.queue(issue_id=issue.pk)
    email = build_email(Message.objects.get(batch=issue.batch, recipient="everything@example.com"))
    url = email.extra_headers["List-Unsubscribe"].strip("<>").replace("http://127.0.0.1:8000", "")
    client.post(url, {"List-Unsubscribe": "One-Click"})
    assert not Consent.objects.get(email="everything@example.com", category="newsletter").granted
    assert ConsentChange.objects.filter(email="everything@example.com", source="one-click")


def test_a_network_wide_issue_reaches_every_confirmed_subscriber(audience):
    issue = make_issue()
    services.queue(issue_id=issue.pk)
    assert set(Message.objects.filter(batch=issue.batch).values_list("recipient", flat=True)) == {
        "durham@example.com", "everything@example.com", "leeds@example.com",
        "member@example.com", "gone@example.com",
    }  # fmt: skip


def test_scheduled_issues_are_sent_by_beat_when_due(audience, django_capture_on_commit_callbacks):
    staff = staff_user()
    issue = make_issue()
    with pytest.raises(services.NewsletterError):
        services.schedule(issue=issue, send_at=timezone.now(), acting_user=staff)
    services.schedule(issue=issue, send_at=timezone.now() + timedelta(hours=1), acting_user=staff)
    assert services.send_due() == 0
    Issue.objects.filter(pk=issue.pk).update(send_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks() as handed_to_worker:
        assert services.send_due() == 1
    assert len(handed_to_worker) == 1
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING
    queue_issue(issue.pk)  # what the worker runs
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert Message.objects.filter(batch=issue.batch).count() == 5


def test_staff_preview_test_and_send_an_issue_and_see_the_counts(
    client, audience, django_capture_on_commit_callbacks
):
    durham, leeds = audience
    staff = staff_user("iot-staff", [durham], email="editor@durham.example")
    client.force_login(staff)
    issue = make_issue(institutes=[durham])
    html = client.get(f"/admin/newsletter/issue/{issue.pk}/preview.html")
    assert b"<strong>everyone</strong>" in html.content and b"Unsubscribe" in html.content
    text = client.get(f"/admin/newsletter/issue/{issue.pk}/preview.txt").content.decode()
    assert text.startswith("Subject: Spring news") and "Hello everyone." in text
    send_page = f"/admin/newsletter/issue/{issue.pk}/send/"
    client.post(send_page, {"test": "1"})
    test = Message.objects.get(recipient="editor@durham.example", kind="newsletter-issue")
    assert build_email(test).subject == "[Test] Spring news"
    with django_capture_on_commit_callbacks() as handed_to_worker:
        client.post(send_page, {"send": "1"})
    assert len(handed_to_worker) == 1
    queue_issue(issue.pk)  # what the worker runs
    page = client.get(send_page).content.decode()
    assert "Withheld (no consent)" in page
    assert "Subscribers who chose kinds of event get the issue's events of those kinds" in page
    assert re.search(r"<td>3</td><td>0</td><td>0</td><td>0</td><td>1</td>", page)
    # Another IoT's issue and subscribers are out of reach.
    theirs = make_issue(institutes=[leeds])
    for url in (
        f"/admin/newsletter/issue/{theirs.pk}/change/",
        f"/admin/newsletter/issue/{theirs.pk}/send/",
        f"/admin/newsletter/issue/{theirs.pk}/preview.html",
        f"/admin/newsletter/subscriber/{Subscriber.objects.get(email='leeds@example.com').pk}/change/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"/admin/newsletter/issue/{theirs.pk}/send/", {"send": "1"}).status_code == 404
    )
    theirs.refresh_from_db()
    assert theirs.status == Issue.Status.DRAFT


def test_the_archive_lists_sent_issues_only(client, audience):
    sent = make_issue(status=Issue.Status.SENT, sent_at=timezone.now())
    make_issue(subject="Still a draft")
    archive = client.get("/newsletter/").content.decode()
    assert "Spring news" in archive and "Still a draft" not in archive
    assert client.get(sent.get_absolute_url()).status_code == 200
    draft = Issue.objects.get(subject="Still a draft")
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_an_empty_archive_shows_the_empty_state(client):
    assert b'class="empty-state"' in client.get("/newsletter/").content


def test_only_published_stories_appear_in_an_issue():
    issue = make_issue()
    issue.stories.set([StoryFactory(status=Story.Status.DRAFT, published_at=None)])
    assert issue_context(issue)["stories"] == []


# Kinds of event -------------------------------------------------------------------------------


@pytest.fixture
def events_issue(audience):
    """A Durham issue with an open day, a webinar and a workshop, in that order of date."""
    durham, leeds = audience
    soon = timezone.now() + timedelta(days=7)
    issue = make_issue(institutes=[durham])
    issue.events.set(
        [
            EventFactory(title="Robotics open day", event_type="open-day", starts_at=soon),
            EventFactory(
                title="Net Zero webinar",
                event_type="webinar",
                starts_at=soon + timedelta(days=1),
                venue_name="",
            ),
            EventFactory(
                title="Cyber workshop", event_type="workshop", starts_at=soon + timedelta(days=2)
            ),
        ]
    )
    subscriber("webinars@example.com", institutes=[durham], event_types=["webinar"])
    subscriber("leeds.webinars@example.com", institutes=[leeds], event_types=["webinar"])
    subscriber("tasters@example.com", event_types=["taster"])
    subscriber("two@example.com", event_types=["workshop", "open-day"])
    services.queue(issue_id=issue.pk)
    return issue


def mail_for(issue, address):
    return build_email(Message.objects.get(batch=issue.batch, recipient=address))


def order(text, *words):
    """True when each of ``words`` appears in ``text``, in this order."""
    places = [text.find(w) for w in words]
    return -1 not in places and places == sorted(places)


def test_kinds_of_event_do_not_change_who_gets_an_issue(events_issue):
    recipients = set(
        Message.objects.filter(batch=events_issue.batch).values_list("recipient", flat=True)
    )
    # Durham's subscribers and those who chose no IoT, whatever kinds they chose (or none);
    # Leeds's webinar fan does not get Durham's issue for its webinar.
    assert recipients == {
        "durham@example.com", "everything@example.com", "member@example.com", "gone@example.com",
        "webinars@example.com", "tasters@example.com", "two@example.com",
    }  # fmt: skip


def test_events_of_the_chosen_kinds_come_first_under_their_own_heading(events_issue):
    email = mail_for(events_issue, "webinars@example.com")
    assert order(
        email.body,
        "COMING UP: THE KINDS OF EVENT YOU CHOSE",
        "- Net Zero webinar",
        "Webinar · ",
        "· Online",
        "ALSO COMING UP",
        "- Robotics open day",
        "Open day · ",
        "- Cyber workshop",
    )
    assert order(
        email.alternatives[0][0],
        "<h2>Coming up: the kinds of event you chose</h2>",
        ">Net Zero webinar</a>",
        "<h2>Also coming up</h2>",
        ">Robotics open day</a>",
        ">Cyber workshop</a>",
    )
    two = mail_for(events_issue, "two@example.com").body
    assert order(
        two,
        "THE KINDS OF EVENT YOU CHOSE",
        "- Robotics open day",
        "- Cyber workshop",
        "ALSO COMING UP",
        "- Net Zero webinar",
    )


def test_without_a_matching_kind_every_event_is_listed_as_for_everyone(events_issue):
    for address in ("durham@example.com", "tasters@example.com", "member@example.com"):
        email = mail_for(events_issue, address)
        assert "KINDS OF EVENT YOU CHOSE" not in email.body
        assert "ALSO COMING UP" not in email.body
        assert order(
            email.body,
            "COMING UP",
            "- Robotics open day",
            "- Net Zero webinar",
            "- Cyber workshop",
        ), address
        assert "kinds of event you chose" not in email.alternatives[0][0]


def test_an_issue_without_events_has_no_events_heading_for_anyone(audience):
    subscriber("webinars@example.com", event_types=["webinar"])
    issue = make_issue()
    services.queue(issue_id=issue.pk)
    body = mail_for(issue, "webinars@example.com").body
    assert "COMING UP" not in body and "Hello everyone." in body


def test_the_archive_and_the_preview_list_every_event_in_date_order(client, events_issue):
    Issue.objects.filter(pk=events_issue.pk).update(status=Issue.Status.SENT)
    page = client.get(events_issue.get_absolute_url()).content.decode()
    assert "kinds of event you chose" not in page
    assert order(page, "Coming up", "Robotics open day", "Net Zero webinar", "Cyber workshop")


def test_the_subscribe_form_explains_what_kinds_of_event_do(client):
    page = client.get("/newsletter/subscribe/").content.decode()
    assert "Each issue lists events of these kinds first, under their own heading" in page
    assert "They do not change which issues you get" in page
    client.post("/newsletter/subscribe/", {"email": "ann@example.com", "event_types": ["webinar"]})
    assert Subscriber.objects.get(email="ann@example.com").event_types == ["webinar"]


def test_queueing_takes_the_same_queries_however_many_kinds_people_chose(audience):
    kinds = ["open-day", "webinar", "workshop", "taster"]
    events = [EventFactory(event_type=kind) for kind in kinds]

    def queries_to_queue() -> int:
        issue = make_issue()
        issue.events.set(events)
        with CaptureQueriesContext(connection) as queries:
            services.queue(issue_id=issue.pk)
        return len(queries)

    few = queries_to_queue()  # five recipients, none chose a kind
    for n in range(40):
        subscriber(f"reader{n}@example.com", event_types=kinds[: n % 5])
    assert queries_to_queue() == few
    assert Message.objects.filter(kind="newsletter-issue").count() == 5 + 45


def test_an_unconfirmed_request_does_not_stop_what_someone_chose_in_their_preferences():
    # Ticked the newsletter in their account's preferences, never subscribed here; then someone
    # typed their address into the subscribe form (an unconfirmed request).
    set_consent(email="member@example.com", category="newsletter", granted=True, source="form")
    subscriber("member@example.com", consent=False, confirmed=False)
    assert "member@example.com" in services.recipients(make_issue())
