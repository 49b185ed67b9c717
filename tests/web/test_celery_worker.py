"""The Celery wiring end to end: a real worker process, the real Redis broker, PostgreSQL."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from iot_network.celery import app
from iot_network.web.tasks import clear_expired_sessions

BASE_DIR = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker_queue(transactional_db, tmp_path):
    """Start a worker on a queue of its own, against the test database; stop it afterwards."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "DATABASE_URL": _database_url()}
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "iot_network",
            "worker",
            "--pool=solo",
            "--queues",
            queue,
            "--hostname",
            f"{queue}@%h",
            "--loglevel=WARNING",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Celery worker did not start: {(tmp_path / 'worker.log').read_text()}")
        yield queue
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.mark.postgresql
@pytest.mark.redis
def test_worker_runs_the_nightly_session_clean_up(worker_queue):
    now = timezone.now()
    Session.objects.create(
        session_key="expired", session_data="e30=", expire_date=now - timedelta(days=1)
    )
    Session.objects.create(
        session_key="current", session_data="e30=", expire_date=now + timedelta(days=1)
    )

    clear_expired_sessions.apply_async(queue=worker_queue)

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
    assert conf.broker_transport_options["visibility_timeout"] >= conf.task_time_limit
    assert conf.result_backend_transport_options["visibility_timeout"] >= conf.task_time_limit
