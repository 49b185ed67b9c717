"""Newsletter throughput: one issue to many subscribers through the real outbox, Redis, one
Celery worker and an SMTP sink, against the outbox's own figure measured in the same run (the
same number of plain messages queued straight into the outbox); and a registration for an event
timed while the issue is being sent, against one timed on a quiet system.

Usage:  python benchmarks/newsletter.py [--subscribers 20000] [--skip-outbox]

Needs PostgreSQL and Redis (BENCH_DATABASE_URL, CELERY_BROKER_URL; the defaults are the local
services). Uses its own database (iot_network_bench_newsletter) and queue. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
import uuid
from datetime import timedelta

from _portal import ensure_database
from notifications import SinkProcess, configure, start_worker, wait_until


def register_timed(event_id: int, n: int) -> float:
    """Seconds one registration takes, as the web request's service call makes it."""
    from django.db import connection

    from events.services import RegistrationDetails, register

    started = time.perf_counter()
    register(
        event_id=event_id,
        details=RegistrationDetails(
            name=f"Person {n}", email=f"person{n}-{uuid.uuid4().hex[:6]}@example.com"
        ),
    )
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=2, help="processes in the worker")
    parser.add_argument("--skip-outbox", action="store_true", help="no same-run outbox figure")
    parser.add_argument("--timeout", type=float, default=1800.0)
    args = parser.parse_args()
    n = args.subscribers
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    os.environ.setdefault(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iot_network_bench_newsletter"
    )

    sink = SinkProcess()
    try:
        env = configure(sink, queue)
        ensure_database(env["DATABASE_URL"])
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import transaction
        from django.db.models import Count
        from django.utils import timezone

        from events.models import Event
        from iot_network.celery import app
        from iot_network.notifications.models import Category, Consent, Message
        from iot_network.notifications.services import Notification, notify_many
        from newsletter import services
        from newsletter.models import Issue, Subscriber

        call_command("migrate", verbosity=0)
        Message.objects.filter(batch__startswith="newsletter-").delete()
        Message.objects.filter(batch__startswith="bench-").delete()
        Issue.objects.all().delete()
        Subscriber.objects.all().delete()
        Consent.objects.filter(category=Category.NEWSLETTER).delete()
        now = timezone.now()
        emails = [f"reader{i}@example.com" for i in range(n)]
        Subscriber.objects.bulk_create(
            [Subscriber(email=e, confirmed_at=now, token=uuid.uuid4().hex) for e in emails],
            batch_size=2000,
        )
        Consent.objects.bulk_create(
            [Consent(email=e, category=Category.NEWSLETTER, granted=True) for e in emails],
            batch_size=2000,
        )
        event = Event.objects.create(
            title="Benchmark open day", slug=f"bench-open-day-{queue}", event_type="open-day",
            summary="A benchmark event.", starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=30, hours=3), venue_name="Main campus",
            status="published", capacity=100_000,
        )  # fmt: skip
        issue = Issue.objects.create(
            subject="Benchmark issue",
            introduction="News from the **network**, with [a link](https://example.org/).",
        )
        issue.events.set([event])

        worker = start_worker(env, queue, args.concurrency)
        try:
            if not wait_until(lambda: app.control.ping(timeout=0.5), 60):
                raise SystemExit("the worker did not start")
            quiet = [register_timed(event.pk, i) for i in range(5)]
            # Let the quiet registrations' own confirmation mails through first.
            wait_until(lambda: sink.count >= 5, 60)
            before = sink.count

            during: list[float] = []

            def register_during_send():
                wait_until(lambda: sink.count - before >= min(n // 10, 500), args.timeout)
                for i in range(5):
                    during.append(register_timed(event.pk, 1000 + i))

            registrant = threading.Thread(target=register_during_send)
            registrant.start()
            started = time.perf_counter()
            with transaction.atomic():
                services.send_now(issue=issue, acting_user=None)
            expected = before + n + 5  # the issue, and the five registrations' confirmations
            if not wait_until(lambda: sink.count >= expected, args.timeout):
                raise SystemExit(f"only {sink.count - before} of {n} messages arrived")
            newsletter_seconds = time.perf_counter() - started
            registrant.join()
            statuses = dict(
                Message.objects.filter(batch=issue.batch)
                .values_list("status")
                .annotate(count=Count("pk"))
                .values_list("status", "count")
            )

            outbox_rate = None
            if not args.skip_outbox:
                context = {"name": "Reader", "action_url": "https://example.org/"}
                plain = [
                    Notification(to=e, kind="generic", dedupe_key=f"{queue}:{i}",
                                 context=context | {"subject": "Hello", "paragraphs": ["Hi."]},
                                 batch=queue)
                    for i, e in enumerate(emails)
                ]  # fmt: skip
                before = sink.count
                started = time.perf_counter()
                for offset in range(0, n, 1000):
                    with transaction.atomic():
                        notify_many(plain[offset : offset + 1000])
                if not wait_until(lambda: sink.count - before >= n, args.timeout):
                    raise SystemExit("the outbox run did not finish")
                outbox_rate = n / (time.perf_counter() - started)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    finally:
        sink.stop()

    rate = n / newsletter_seconds
    quiet_ms, during_ms = statistics.median(quiet) * 1000, statistics.median(during) * 1000
    print(
        json.dumps(
            {
                "benchmark": "newsletter",
                "subscribers": n,
                "worker_processes": args.concurrency,
                "newsletter_messages_per_s": round(rate, 1),
                "outbox_messages_per_s": round(outbox_rate, 1) if outbox_rate else None,
                "ratio": round(rate / outbox_rate, 3) if outbox_rate else None,
                "newsletter_seconds": round(newsletter_seconds, 2),
                "statuses": statuses,
                "registration_quiet_ms_median": round(quiet_ms, 1),
                "registration_during_send_ms_median": round(during_ms, 1),
                "registration_during_send_ms_max": round(max(during) * 1000, 1),
                # "Normal time": within 3x the quiet median, or 250 ms more at most.
                "registration_normal": during_ms <= max(3 * quiet_ms, quiet_ms + 250),
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
