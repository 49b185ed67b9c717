"""Subscribing with double opt-in, consent records, and issues sent through the outbox's bulk
path to consenting subscribers of their audience only."""

import re
from datetime import timedelta

import pytest
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


def subscriber(email, *, institutes=(), consent=True, confirmed=True):
    row = Subscriber.objects.create(email=email, confirmed_at=timezone.now() if confirmed else None)
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
