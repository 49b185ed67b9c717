"""An issue sent as staff send it, through the real pipeline: the send page, PostgreSQL, the
Redis broker, a real Celery worker process (which queues the issue and delivers it) and an SMTP
server on loopback. Nothing is replaced."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from iot_network.notifications.delivery import read_unsubscribe_token
from iot_network.notifications.models import Consent, Message
from iot_network.notifications.services import set_consent
from newsletter import services
from newsletter.models import Issue, Subscriber
from tests.conftest import wait_for
from tests.factories import EventFactory, InstituteFactory, staff_user

pytestmark = [pytest.mark.postgresql, pytest.mark.redis]


def subscribe(email, *, institutes=(), event_types=(), consent=True):
    row = Subscriber.objects.create(
        email=email, confirmed_at=timezone.now(), event_types=list(event_types)
    )
    row.institutes.set(institutes)
    set_consent(email=email, category="newsletter", granted=True, source="double-opt-in")
    if not consent:
        set_consent(email=email, category="newsletter", granted=False, source="one-click")


def body(received, subtype: str) -> str:
    return received.get_body(preferencelist=(subtype,)).get_content()


def test_an_issue_reaches_its_subscribers_through_the_worker_each_with_their_own_unsubscribe(
    celery_worker, worker_env, smtp_sink, client
):
    durham, leeds = InstituteFactory(name="Durham IoT"), InstituteFactory(name="Leeds IoT")
    subscribe("ann@example.com", institutes=[durham], event_types=["webinar"])
    subscribe("bob@example.com")
    subscribe("cat@example.com", institutes=[leeds])  # another IoT's: not in the audience
    subscribe("dan@example.com", institutes=[durham], consent=False)  # left: withheld
    issue = Issue.objects.create(subject="Durham in spring", introduction="Hello **all**.")
    issue.audience_institutes.set([durham])
    soon = timezone.now() + timedelta(days=7)
    issue.events.set(
        [
            EventFactory(title="Robotics open day", event_type="open-day", starts_at=soon),
            EventFactory(
                title="Net Zero webinar", event_type="webinar", starts_at=soon + timedelta(days=1)
            ),
        ]
    )
    celery_worker(env=worker_env)
    client.force_login(staff_user("iot-staff", [durham], email="editor@durham.example"))
    send_page = f"/admin/newsletter/issue/{issue.pk}/send/"

    client.post(send_page, {"send": "1"})  # commits; the worker queues the issue, then sends it

    wait_for(
        lambda: services.status_counts(issue)["sent"] == 2,
        seconds=60,
        what="the issue to be sent",
    )
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT and issue.recipients == 3
    counts = client.get(send_page).content.decode()
    assert re.search(r"<td>0</td><td>0</td><td>2</td><td>0</td><td>1</td>", counts)
    assert Message.objects.get(batch=issue.batch, recipient="dan@example.com").status == "withheld"

    received = {m["To"]: m for m in smtp_sink.recorder.messages}
    assert set(received) == {"ann@example.com", "bob@example.com"}
    for address, mail in received.items():
        url = str(mail["List-Unsubscribe"]).strip().removeprefix("<").removesuffix(">")
        assert url.startswith(f"{settings.SITE_URL}/email/unsubscribe/")
        assert read_unsubscribe_token(url.rstrip("/").rsplit("/", 1)[1]) == (address, "newsletter")
        assert mail["Subject"] == "Durham in spring"
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert f"Unsubscribe: {url}" in body(mail, "plain")
        assert f'href="{url}"' in body(mail, "html")
        assert "<strong>all</strong>" in body(mail, "html")
    ann, bob = (
        body(received["ann@example.com"], "plain"),
        body(received["bob@example.com"], "plain"),
    )
    assert ann.index("THE KINDS OF EVENT YOU CHOSE") < ann.index("- Net Zero webinar")
    assert ann.index("ALSO COMING UP") < ann.index("- Robotics open day")
    assert "KINDS OF EVENT YOU CHOSE" not in bob
    assert bob.index("- Robotics open day") < bob.index("- Net Zero webinar")

    # One click in Ann's mail program, on the link her mail carries, and she has left.
    header = str(received["ann@example.com"]["List-Unsubscribe"]).strip()
    path = header.removeprefix(f"<{settings.SITE_URL}").removesuffix(">")
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not Consent.objects.get(email="ann@example.com", category="newsletter").granted
    assert smtp_sink.recorder.count == 2  # and nothing was sent twice
