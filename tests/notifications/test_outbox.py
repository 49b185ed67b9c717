from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from iot_network.notifications import delivery
from iot_network.notifications.models import Category, ConsentChange, Message
from iot_network.notifications.services import (
    Attachment,
    Notification,
    notify,
    notify_many,
    set_consent,
)

pytestmark = pytest.mark.django_db

GENERIC = {
    "subject": "Your place is confirmed",
    "heading": "See you there",
    "paragraphs": ["Bring ID."],
}


@pytest.fixture(autouse=True)
def dispatched(monkeypatch):
    """Ids handed to the broker, recorded instead of sent: no worker listens in these tests."""
    ids: list[int] = []
    monkeypatch.setattr(
        "iot_network.notifications.services.dispatch",
        lambda batch, countdown=None: ids.extend(batch),
    )
    return ids


def queue(key="k1", to="ann@example.com", **kwargs):
    return notify(to=to, kind="generic", dedupe_key=key, context=GENERIC, **kwargs)


def test_nothing_is_queued_or_sent_when_the_transaction_rolls_back(
    deliver_on_commit, django_capture_on_commit_callbacks
):
    class Rollback(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Rollback),
        transaction.atomic(),
    ):
        queue()
        raise Rollback
    assert callbacks == []
    assert not Message.objects.exists()
    assert mail.outbox == []


def test_mail_is_sent_after_commit_not_before(
    deliver_on_commit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = queue()
        assert mail.outbox == []
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Your place is confirmed"
    assert mail.outbox[0].extra_headers["Message-ID"] == message.message_id


def test_the_same_dedupe_key_twice_is_a_no_op():
    first = queue("event-reminder:1:2:24h")
    second = queue("event-reminder:1:2:24h")
    assert first is not None and second is None
    assert Message.objects.count() == 1


def test_bulk_send_queues_once_per_key_and_records_its_batch():
    created = notify_many(
        [Notification(to=f"p{i}@example.com", kind="generic", dedupe_key=f"b:{i % 5}",
                      batch="news-1") for i in range(10)]
    )  # fmt: skip
    assert len(created) == 5
    assert set(Message.objects.values_list("batch", flat=True)) == {"news-1"}


def test_optional_mail_without_consent_is_withheld_not_dropped(smtp_settings):
    message = queue(category=Category.EVENT_NEWS)
    assert message.status == Message.Status.WITHHELD
    assert delivery.deliver([message.pk]) == {"sent": 0, "retry": 0, "failed": 0}
    assert smtp_settings.recorder.messages == []


def test_optional_mail_to_someone_who_opted_in_carries_one_click_unsubscribe(smtp_settings):
    set_consent(email="Ann@Example.com", category=Category.NEWSLETTER, granted=True, source="form")
    message = queue(category=Category.NEWSLETTER)
    assert message.status == Message.Status.QUEUED
    delivery.deliver([message.pk])
    [received] = smtp_settings.recorder.messages
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = received["List-Unsubscribe"].strip().strip("<>")
    assert url.startswith("http") and "/email/unsubscribe/" in url
    assert url in received.get_body(("plain",)).get_content()


def test_transactional_mail_has_no_unsubscribe_header(smtp_settings):
    delivery.deliver([queue().pk])
    [received] = smtp_settings.recorder.messages
    assert received["List-Unsubscribe"] is None


def test_mail_has_plain_text_and_accessible_html(smtp_settings):
    delivery.deliver([queue().pk])
    [received] = smtp_settings.recorder.messages
    html = received.get_body(("html",)).get_content()
    assert '<html lang="en-GB">' in html
    assert "<h1>See you there</h1>" in html
    assert "<img" not in html
    assert "Bring ID." in received.get_body(("plain",)).get_content()


def test_calendar_invitation_travels_with_the_mail(smtp_settings):
    ics = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//test//EN",
            "METHOD:REQUEST",
            "END:VCALENDAR",
            "",
        ]
    )
    message = queue(attachments=[Attachment.calendar(ics, filename="open-day.ics")])
    delivery.deliver([message.pk])
    [received] = smtp_settings.recorder.messages
    [part] = [p for p in received.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == "open-day.ics"
    assert part.get_param("method") == "REQUEST"
    assert "BEGIN:VCALENDAR" in part.get_content()


def test_a_permanent_rejection_fails_at_once_and_keeps_the_error(smtp_settings):
    smtp_settings.recorder.refusals = [(550, "5.1.1 Mailbox does not exist")]
    message = queue()
    assert delivery.deliver([message.pk])["failed"] == 1
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.attempts == 1
    assert "Mailbox does not exist" in message.last_error


def test_a_transient_error_is_queued_again_with_backoff_and_the_same_message_id(smtp_settings):
    smtp_settings.recorder.refusals = [(451, "4.3.0 Try again later")]
    message = queue()
    before = timezone.now()
    assert delivery.deliver([message.pk])["retry"] == 1
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert message.next_attempt_at > before
    assert "Try again later" in message.last_error
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert delivery.deliver([message.pk])["sent"] == 1
    [received] = smtp_settings.recorder.messages
    assert received["Message-ID"] == message.message_id


def test_after_the_last_attempt_a_transient_error_fails_the_message(smtp_settings, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    smtp_settings.recorder.refusals = [(451, "busy")] * 2
    message = queue()
    delivery.deliver([message.pk])
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    delivery.deliver([message.pk])
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.FAILED, 2)


def test_an_unreachable_mail_server_is_a_transient_error(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    message = queue()
    assert delivery.deliver([message.pk])["retry"] == 1


def test_delivering_the_same_ids_twice_sends_once(smtp_settings):
    message = queue()
    delivery.deliver([message.pk])
    delivery.deliver([message.pk])
    assert len(smtp_settings.recorder.messages) == 1


def test_backoff_grows_exponentially_with_jitter_and_is_capped(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 10
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 100
    assert 5 <= delivery.retry_delay(1) <= 10
    assert 20 <= delivery.retry_delay(3) <= 40
    assert 50 <= delivery.retry_delay(9) <= 100
    assert len({delivery.retry_delay(3) for _ in range(20)}) > 1


def test_sweeper_requeues_rows_a_dead_worker_left_sending(dispatched):
    stuck, fresh = queue("a"), queue("b")
    long_ago = timezone.now() - timedelta(hours=1)
    Message.objects.filter(pk=stuck.pk).update(status="sending", claimed_at=long_ago)
    Message.objects.filter(pk=fresh.pk).update(status="sending", claimed_at=timezone.now())
    dispatched.clear()
    result = delivery.sweep()
    assert result == {"requeued": 1, "dispatched": 1}
    assert dispatched == [stuck.pk]
    assert Message.objects.get(pk=fresh.pk).status == "sending"


def test_sweeper_redispatches_queued_rows_whose_task_was_lost(dispatched):
    lost, recent = queue("lost"), queue("recent")
    Message.objects.filter(pk=lost.pk).update(next_attempt_at=timezone.now() - timedelta(hours=1))
    dispatched.clear()
    delivery.sweep()
    assert dispatched == [lost.pk]
    assert recent.pk not in dispatched


def test_account_mail_goes_through_the_outbox_and_its_links_are_scrubbed_once_sent(
    client, deliver_on_commit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/password/reset/", {"email": "nobody@example.com"})
    message = Message.objects.get(kind="account")
    assert message.status == Message.Status.SENT
    assert message.context == {}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nobody@example.com"]


def test_finished_messages_are_deleted_after_the_retention_period(settings):
    settings.NOTIFICATIONS_RETENTION_DAYS = 30
    old_sent, old_queued, recent_sent = queue("old-sent"), queue("old-queued"), queue("recent")
    long_ago = timezone.now() - timedelta(days=31)
    Message.objects.filter(pk=old_sent.pk).update(status="sent", created_at=long_ago)
    Message.objects.filter(pk=old_queued.pk).update(created_at=long_ago)
    Message.objects.filter(pk=recent_sent.pk).update(status="sent")
    assert delivery.purge_old() == 1
    assert set(Message.objects.values_list("dedupe_key", flat=True)) == {"old-queued", "recent"}


def test_consent_changes_are_recorded_with_time_and_source():
    assert set_consent(email="a@example.com", category="newsletter", granted=True, source="form")
    assert not set_consent(
        email="A@example.com", category="newsletter", granted=True, source="form"
    )
    assert set_consent(
        email="a@example.com", category="newsletter", granted=False, source="preferences"
    )
    history = list(ConsentChange.objects.order_by("created_at").values_list("granted", "source"))
    assert history == [(True, "form"), (False, "preferences")]


def test_transactional_category_cannot_be_opted_out_of():
    with pytest.raises(ValueError):
        set_consent(email="a@example.com", category="transactional", granted=False, source="form")
