import pytest
from django.urls import reverse

from iot_network.notifications.models import Message
from iot_network.notifications.services import Notification, notify_many
from iot_network.staff.models import AuditEntry
from tests.factories import UserFactory, with_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(with_totp(UserFactory(is_staff=True, is_superuser=True)))
    return client


@pytest.fixture
def bulk_send(monkeypatch):
    monkeypatch.setattr(
        "iot_network.notifications.services.dispatch", lambda ids, countdown=None: None
    )
    notify_many(
        [Notification(to=f"p{i}@example.com", kind="generic", dedupe_key=f"news:{i}",
                      batch="news-march") for i in range(6)]
    )  # fmt: skip
    Message.objects.filter(dedupe_key__in=["news:0", "news:1", "news:2"]).update(status="sent")
    Message.objects.filter(dedupe_key="news:3").update(
        status="failed", last_error="550 No such user"
    )


def test_outbox_shows_the_progress_of_a_bulk_send(admin_client, bulk_send):
    url = reverse("admin:notifications_message_changelist") + "?batch=news-march"
    content = admin_client.get(url).content.decode()
    assert "news-march" in content
    counts = content.split('class="outbox-progress"')[1].split("</table>")[0]
    for label in ("Queued", "Sending", "Sent", "Failed", "Withheld (no consent)"):
        assert f'<th scope="col">{label}</th>' in counts
    assert "<td>2</td><td>0</td><td>3</td><td>1</td><td>0</td>" in counts.replace("\n", "")


def test_outbox_can_be_searched_by_recipient_and_filtered_by_status(admin_client, bulk_send):
    url = reverse("admin:notifications_message_changelist")
    assert "p4@example.com" in admin_client.get(url, {"q": "p4@"}).content.decode()
    failed = admin_client.get(url, {"status__exact": "failed"}).content.decode()
    assert "p3@example.com" in failed and "p4@example.com" not in failed


def test_staff_retry_failed_messages(
    admin_client, bulk_send, monkeypatch, django_capture_on_commit_callbacks
):
    dispatched = []
    monkeypatch.setattr(
        "iot_network.notifications.services.dispatch",
        lambda ids, countdown=None: dispatched.extend(ids),
    )
    ids = list(Message.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:notifications_message_changelist"),
            {"action": "retry_failed", "_selected_action": ids},
        )
    assert response.status_code == 302
    failed = Message.objects.get(dedupe_key="news:3")
    assert failed.status == "queued" and failed.attempts == 0
    assert dispatched == [failed.pk]
    assert Message.objects.filter(status="sent").count() == 3
    [entry] = AuditEntry.objects.filter(action="retried message")
    assert (entry.actor.is_superuser, entry.target_id) == (True, str(failed.pk))


def test_outbox_rows_cannot_be_edited_or_added_by_hand(admin_client, bulk_send):
    message = Message.objects.first()
    assert admin_client.get(reverse("admin:notifications_message_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:notifications_message_change", args=[message.pk]),
        {"recipient": "x@example.com"},
    )
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.recipient != "x@example.com"
