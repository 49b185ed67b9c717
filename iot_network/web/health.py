"""Readiness checks behind /healthz: each returns None when healthy or a short reason."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.utils import DatabaseError
from kombu import Connection
from kombu.exceptions import OperationalError as KombuOperationalError


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


def run_checks() -> dict[str, str]:
    checks = {"database": check_database()}
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = check_broker()
    return {
        name: "ok" if problem is None else f"error: {problem}" for name, problem in checks.items()
    }
