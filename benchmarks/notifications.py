"""Mail pipeline throughput: the real outbox, Redis, one Celery worker and an SMTP sink on
loopback, compared in the same run with a plain smtplib loop over one connection.

Usage:  python benchmarks/notifications.py [--messages 10000]

Needs PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL; the defaults are the local services).
Uses its own database (iot_network_bench) and queue. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import smtplib
import subprocess
import sys
import time
import uuid
from pathlib import Path

from _portal import ensure_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.smtp_sink import SmtpSink, free_port  # noqa: E402


def run_sink(port: int, counter, ready) -> None:
    """The SMTP sink in a process of its own, so it competes with neither side for the GIL."""
    import threading

    class CountingSink(SmtpSink):
        def __init__(self):
            super().__init__()
            self.port = port
            self.controller.port = port

    sink = CountingSink()
    sink.recorder.parse = False
    handle_data = sink.recorder.handle_DATA

    async def counting(server, session, envelope):
        reply = await handle_data(server, session, envelope)
        with counter.get_lock():
            counter.value += 1
        return reply

    sink.recorder.handle_DATA = counting
    with sink:
        ready.set()
        threading.Event().wait()


class SinkProcess:
    def __init__(self):
        import multiprocessing

        self.port = free_port()
        self.counter = multiprocessing.Value("q", 0)
        ready = multiprocessing.Event()
        self.process = multiprocessing.Process(
            target=run_sink, args=(self.port, self.counter, ready), daemon=True
        )
        self.process.start()
        if not ready.wait(30):
            raise SystemExit("the SMTP sink did not start")

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def count(self) -> int:
        return self.counter.value

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(10)


def configure(sink: SinkProcess, queue: str) -> dict[str, str]:
    env = {
        "DATABASE_URL": os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iot_network_bench"
        ),
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13"),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_URL": sink.url,
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "localhost",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iot_network.settings")
    return env


def start_worker(env: dict[str, str], queue: str, concurrency: int) -> subprocess.Popen:
    pool = (
        ["--pool=solo"] if concurrency == 1 else ["--pool=prefork", f"--concurrency={concurrency}"]
    )
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "iot_network", "worker", *pool,
         "--queues", queue, "--loglevel=WARNING", "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def wait_until(condition, timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=2,
        help="processes in the one worker (2, as `make worker` starts it; 1 = solo pool)",
    )
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    n = args.messages
    queue = f"bench-{uuid.uuid4().hex[:8]}"

    sink = SinkProcess()
    try:
        env = configure(sink, queue)
        ensure_database(env["DATABASE_URL"])
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import transaction
        from django.db.models import Count

        from iot_network.celery import app
        from iot_network.notifications.delivery import build_email
        from iot_network.notifications.models import Message
        from iot_network.notifications.services import Notification, notify_many

        call_command("migrate", verbosity=0)
        Message.objects.filter(batch__startswith="bench-").delete()
        context = {
            "subject": "Your place at the open day is confirmed",
            "heading": "See you on Saturday",
            "paragraphs": ["Bring photo ID.", "Parking is free after 9am."],
            "action_url": "https://example.org/events/open-day/",
            "action_label": "View your registration",
        }
        notifications = [
            Notification(to=f"bench{i}@example.com", kind="generic", dedupe_key=f"{queue}:{i}",
                         context=context, batch=queue)
            for i in range(n)
        ]  # fmt: skip

        worker = start_worker(env, queue, args.concurrency)
        try:
            if not wait_until(lambda: app.control.ping(timeout=0.5), 60):
                raise SystemExit("the worker did not start")
            started = time.perf_counter()
            for offset in range(0, n, 1000):
                with transaction.atomic():
                    notify_many(notifications[offset : offset + 1000])
            queued_seconds = time.perf_counter() - started
            if not wait_until(lambda: sink.count >= n, args.timeout):
                raise SystemExit(f"only {sink.count} of {n} messages arrived")
            pipeline_seconds = time.perf_counter() - started
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        statuses = dict(
            Message.objects.filter(batch=queue)
            .values_list("status")
            .annotate(count=Count("pk"))
            .values_list("status", "count")
        )

        # The same messages, rendered the same way, sent by a plain loop over one connection.
        rows = list(Message.objects.filter(batch=queue).order_by("pk"))
        before = sink.count
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
            for row in rows:
                email = build_email(row).message()
                smtp.sendmail(email["From"], [row.recipient], email.as_bytes(linesep="\r\n"))
        plain_seconds = time.perf_counter() - started
        assert wait_until(lambda: sink.count - before == n, 30)
    finally:
        sink.stop()

    pipeline_rate = n / pipeline_seconds
    plain_rate = n / plain_seconds
    print(
        json.dumps(
            {
                "benchmark": "notifications",
                "messages": n,
                "workers": 1,
                "worker_processes": args.concurrency,
                "pipeline_messages_per_s": round(pipeline_rate, 1),
                "plain_smtplib_messages_per_s": round(plain_rate, 1),
                "ratio": round(pipeline_rate / plain_rate, 3),
                "pipeline_seconds": round(pipeline_seconds, 2),
                "fan_out_seconds": round(queued_seconds, 2),
                "statuses": statuses,
            }
        )
    )


if __name__ == "__main__":
    main()
