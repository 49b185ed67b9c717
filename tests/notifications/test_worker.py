"""The mail pipeline end to end: PostgreSQL, the real Redis broker, real Celery worker processes
and a real SMTP server on loopback. No part of the pipeline is replaced."""

import os
import signal
import time

import pytest
from django.db import transaction

from iot_network.notifications import delivery
from iot_network.notifications.models import Message
from iot_network.notifications.services import Notification, notify, notify_many
from tests.conftest import wait_for

pytestmark = [pytest.mark.postgresql, pytest.mark.redis]

CONTEXT = {"subject": "Your place is confirmed", "heading": "See you there", "paragraphs": ["Hi"]}


def test_mail_is_delivered_after_commit_and_never_after_rollback(
    celery_worker, worker_env, smtp_sink
):
    celery_worker(env=worker_env)

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        notify(to="rolled.back@example.com", kind="generic", dedupe_key="rb", context=CONTEXT)
        raise Rollback
    with transaction.atomic():
        message = notify(to="ann@example.com", kind="generic", dedupe_key="ok", context=CONTEXT)
        time.sleep(1)  # a worker that could see uncommitted rows would have sent it by now
        assert smtp_sink.recorder.count == 0

    wait_for(lambda: smtp_sink.recorder.count == 1, seconds=30, what="delivery")
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    [received] = smtp_sink.recorder.messages
    assert received["To"] == "ann@example.com"
    assert received["Message-ID"] == message.message_id
    time.sleep(1)
    assert smtp_sink.recorder.count == 1
    assert not Message.objects.filter(recipient="rolled.back@example.com").exists()


def test_a_server_that_fails_twice_then_accepts_gets_the_message_once(
    celery_worker, worker_env, smtp_sink
):
    smtp_sink.recorder.refusals = [(451, "4.7.1 Greylisted"), (421, "4.3.2 Busy")]
    celery_worker(env=worker_env)
    with transaction.atomic():
        message = notify(to="ann@example.com", kind="generic", dedupe_key="retry", context=CONTEXT)

    wait_for(
        lambda: Message.objects.get(pk=message.pk).status == Message.Status.SENT,
        seconds=30,
        what="the third attempt",
    )
    message.refresh_from_db()
    assert message.attempts == 3
    assert "Busy" in message.last_error
    assert smtp_sink.recorder.count == 1
    assert smtp_sink.recorder.message_ids() == {message.message_id: 1}


def test_a_worker_killed_mid_run_loses_nothing_and_sends_nothing_twice(
    celery_worker, worker_env, smtp_sink, settings
):
    total = 2000
    # In this process, which runs the sweeper: long enough that a live worker's batch is never
    # taken for a dead one's, even on a loaded machine running the tests in parallel (at 3 s,
    # 100 mails could outlast it and be sent twice), short enough to recover the killed one.
    settings.NOTIFICATIONS_SENDING_TIMEOUT = 30
    settings.NOTIFICATIONS_QUEUED_GRACE = 1
    first = celery_worker(env=worker_env)
    killed = []

    def kill_mid_run(count: int) -> None:
        # SIGKILL while the server is reading the envelope of message 700: the worker dies
        # holding a claimed batch, and the tasks after it are still waiting in Redis.
        if count == 700 and not killed:
            os.kill(first.pid, signal.SIGKILL)
            killed.append(count)

    smtp_sink.recorder.on_rcpt = kill_mid_run
    with transaction.atomic():
        notify_many(
            [
                Notification(to=f"p{i}@example.com", kind="generic", dedupe_key=f"crash:{i}",
                             context=CONTEXT, batch="crash-test")
                for i in range(total)
            ]
        )  # fmt: skip

    wait_for(lambda: killed, seconds=60, what="the kill")
    first.process.wait(timeout=10)
    assert first.process.returncode == -signal.SIGKILL
    assert Message.objects.filter(status=Message.Status.SENDING).exists()

    celery_worker(env=worker_env)
    wait_for(
        lambda: not Message.objects.exclude(status=Message.Status.SENT).exists(),
        seconds=120,
        what="every message to be sent",
        tick=delivery.sweep,  # what beat runs every minute
    )
    received = smtp_sink.recorder.message_ids()
    expected = set(Message.objects.values_list("message_id", flat=True))
    assert len(expected) == total
    assert set(received) == expected
    assert max(received.values()) == 1, [mid for mid, n in received.items() if n > 1]
