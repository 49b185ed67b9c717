"""Readiness checks behind /healthz: each returns None when healthy or a short reason."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.utils import DatabaseError
from kombu import Connection
from kombu.exceptions import OperationalError as KombuOperationalError

from .resilient_cache import UNREACHABLE


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return type(exc).__name__
    return None


def check_broker(*, timeout: float = 2.0) -> str | None:
    url = settings.CELERY_BROKER_URL
    try:
        with Connection(url, connect_timeout=timeout, transport_options={"max_retries": 0}) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
    except (KombuOperationalError, OSError) as exc:
        return type(exc).__name__
    return None


def check_cache() -> str | None:
    """Asks Redis itself, past the cache's circuit breaker, so the report is current."""
    ping = getattr(cache, "ping", None)
    if ping is None:  # the quick start's in-process cache cannot be down
        return None
    try:
        ping()
    except UNREACHABLE as exc:
        return type(exc).__name__
    return None


# Without the database nothing works: the node is taken out of the balancer (503). Without the
# cache pages render uncached, and without the broker mail waits for the sweeper: the node still
# serves people, so it stays in (200, "degraded") and the report says what is missing.
ESSENTIAL = {"database"}


def run_checks() -> tuple[str, dict[str, str]]:
    """The overall status ("ok", "degraded" or "unavailable") and each dependency's state."""
    problems = {"database": check_database(), "cache": check_cache()}
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        problems["broker"] = check_broker()
    failing = {name for name, problem in problems.items() if problem is not None}
    status = "unavailable" if failing & ESSENTIAL else "degraded" if failing else "ok"
    return status, {
        name: "ok" if problem is None else f"error: {problem}" for name, problem in problems.items()
    }
