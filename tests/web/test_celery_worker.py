"""The Celery wiring end to end: a real worker process, the real Redis broker, PostgreSQL."""

import time
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from iot_network.celery import app
from iot_network.web.tasks import clear_expired_sessions


@pytest.mark.postgresql
@pytest.mark.redis
def test_worker_runs_the_nightly_session_clean_up(celery_worker):
    queue = f"test-{uuid.uuid4().hex[:12]}"
    celery_worker(queue=queue)
    now = timezone.now()
    Session.objects.create(
        session_key="expired", session_data="e30=", expire_date=now - timedelta(days=1)
    )
    Session.objects.create(
        session_key="current", session_data="e30=", expire_date=now + timedelta(days=1)
    )

    clear_expired_sessions.apply_async(queue=queue)

    deadline = time.monotonic() + 30
    while Session.objects.filter(session_key="expired").exists():
        assert time.monotonic() < deadline, "the worker did not run the task within 30 s"
        time.sleep(0.2)
    assert Session.objects.filter(session_key="current").exists()


def test_beat_schedule_names_only_registered_tasks():
    app.loader.import_default_modules()
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks


def test_production_celery_options():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_time_limit > conf.task_soft_time_limit > 0
    # Redis must not redeliver a task that is still running or waiting out a retry countdown.
    longest_wait = max(conf.task_time_limit, settings.NOTIFICATIONS_RETRY_MAX_SECONDS)
    assert conf.broker_transport_options["visibility_timeout"] > longest_wait
    assert conf.result_backend_transport_options["visibility_timeout"] > longest_wait
