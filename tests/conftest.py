"""Shared fixtures.

Strict mode (TEST_STRICT=1, what .ci/run sets) turns every "service not available" skip into a
failure, so CI can never go green by skipping the tests that need PostgreSQL, Redis or Chromium.
"""

from __future__ import annotations

import os
import shutil

import pytest
from django.conf import settings
from django.db import connection

STRICT = os.environ.get("TEST_STRICT", "") == "1"


def unavailable(reason: str) -> None:
    """Skip a test whose service is missing, or fail it in strict mode."""
    if STRICT:
        pytest.fail(f"strict mode: {reason}", pytrace=False)
    pytest.skip(reason)


def redis_problem() -> str | None:
    url = settings.CELERY_BROKER_URL
    if not url or not url.startswith(("redis://", "rediss://")):
        return "CELERY_BROKER_URL does not point at Redis"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis at CELERY_BROKER_URL does not answer: {exc}"
    return None


@pytest.hookimpl(optionalhook=True)  # a venv without pytest-xdist still runs the tests
def pytest_xdist_setupnodes(config, specs):
    """Under pytest-xdist (`make test`), give each worker its own Celery queue and cache key
    prefix before its settings load, so one worker's Celery workers never take another's tasks
    and one worker's cache.clear() never empties another's cache. Subprocesses (Celery workers,
    gunicorn) inherit them. pytest-django gives each worker its own test database."""
    queue = os.environ.get("CELERY_TASK_DEFAULT_QUEUE") or "tests"
    prefix = os.environ.get("CACHE_KEY_PREFIX") or "iot-tests"
    for spec in specs:
        spec.env["CELERY_TASK_DEFAULT_QUEUE"] = f"{queue}-{spec.id}"
        spec.env["CACHE_KEY_PREFIX"] = f"{prefix}-{spec.id}"


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgresql") and connection.vendor != "postgresql":
        unavailable("needs PostgreSQL (set DATABASE_URL=postgres://...)")
    if item.get_closest_marker("redis") and (problem := redis_problem()):
        unavailable(problem)


@pytest.fixture(scope="session", autouse=True)
def _strict_mode_uses_real_services():
    if STRICT:
        assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), (
            "strict mode runs on PostgreSQL: set DATABASE_URL"
        )
        problem = redis_problem()
        assert problem is None, f"strict mode needs Redis: {problem}"


@pytest.fixture
def reference_data(db):
    from institutes.services import load_reference_data
    from partners.reference import load_interests

    load_reference_data()
    load_interests()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not path:
        unavailable("Chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture
def smtp_sink():
    from tests.smtp_sink import SmtpSink

    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def smtp_settings(settings, smtp_sink):
    """Send through real SMTP to the sink (pytest-django would otherwise use the locmem backend)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return smtp_sink


@pytest.fixture
def deliver_on_commit(monkeypatch):
    """Deliver outbox rows in this process when their transaction commits, instead of through
    the broker. The broker and worker are tested in tests/notifications/test_worker.py."""
    from iot_network.notifications import delivery, services

    monkeypatch.setattr(services, "dispatch", lambda ids, countdown=None: delivery.deliver(ids))


def wait_for(condition, *, seconds: float, what: str, tick=None) -> None:
    """Poll ``condition`` until it holds; fail the test after ``seconds``."""
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {seconds} s waiting for {what}"
        if tick:
            tick()
        time.sleep(0.2)


@pytest.fixture
def worker_env(smtp_sink):
    """Environment for ``celery_worker``: mail to the SMTP sink, quick retries, and a test queue
    purged of what earlier runs may have left on it."""
    from iot_network.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)
    return {
        "EMAIL_URL": smtp_sink.url,
        "NOTIFICATIONS_RETRY_BASE_SECONDS": "0.2",
        "NOTIFICATIONS_RETRY_MAX_SECONDS": "1",
    }


class WorkerProcess:
    def __init__(self, process, log_path):
        self.process = process
        self.log_path = log_path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    """Start real Celery worker processes (solo pool) against the test database and the real
    Redis broker. Call it with a queue name and extra environment; all are stopped at teardown."""
    import subprocess
    import sys
    import time
    import uuid
    from pathlib import Path

    from iot_network.celery import app

    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    started: list[WorkerProcess] = []

    def start(*, queue: str | None = None, env: dict[str, str] | None = None) -> WorkerProcess:
        queue = queue or settings.CELERY_TASK_DEFAULT_QUEUE
        name = f"w{uuid.uuid4().hex[:8]}@{os.uname().nodename}"
        log_path = tmp_path / f"{name}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "iot_network", "worker", "--pool=solo",
                 "--queues", queue, "--hostname", name, "--loglevel=WARNING",
                 "--without-gossip", "--without-mingle"],
                cwd=Path(__file__).resolve().parent.parent,
                env={**os.environ, "DATABASE_URL": database_url, **(env or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        worker = WorkerProcess(process, log_path)
        started.append(worker)
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[name], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Celery worker did not start:\n{worker.log()}")
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.process.terminate()
            try:
                worker.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()


KNOWN_POSTCODES = {
    "DH13LH": (54.7753, -1.5849),  # Durham
    "EX44QJ": (50.7367, -3.5347),  # Exeter
    "M54WT": (53.4850, -2.2730),  # Salford
}


@pytest.fixture
def postcodes_api(settings):
    """A local HTTP server that answers like postcodes.io for a few postcodes, so lookups go
    over real HTTP without leaving the machine. ``.requests`` lists the paths asked for."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            code = self.path.rsplit("/", 1)[-1].replace("%20", "").upper()
            if code == "DH11ZZ":  # a real postcode with no coordinates
                status, body = 200, {"status": 200, "result": {"latitude": None, "longitude": None}}
            elif code in KNOWN_POSTCODES:
                lat, lng = KNOWN_POSTCODES[code]
                status, body = 200, {"status": 200, "result": {"latitude": lat, "longitude": lng}}
            else:
                status, body = 404, {"status": 404, "error": "Postcode not found"}
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.POSTCODES_API_URL = f"http://127.0.0.1:{server.server_address[1]}"
    from django.core.cache import cache

    cache.clear()
    server.requests = requests
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (facet counts, postcode lookups, rate limits), and
    no shared fragment or page part kept by this process."""
    from django.core.cache import cache

    from iot_network.web import shared_parts

    cache.clear()
    shared_parts.clear_local()
    yield
    cache.clear()
    shared_parts.clear_local()


@pytest.fixture
def admin_user(db, django_user_model):
    """pytest-django's admin user, with the authenticator app staff need for the admin."""
    from tests.factories import with_totp

    user = django_user_model.objects.create_superuser(
        email="admin@example.com", password="password"
    )
    return with_totp(user)
