"""Starting the portal the way production runs it, for the benchmarks in this folder.

Each benchmark gets its own PostgreSQL database and Redis databases, so a run never touches the
development database or a test run's data. DEBUG is off, static files are collected and served by
WhiteNoise, and gunicorn runs (2 x cores + 1) sync workers.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def environment(*, port: int, database: str, redis_dbs: tuple[int, int], **extra: str) -> dict:
    """Production-like settings on loopback (no TLS, so no secure-only cookies or HSTS)."""
    redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
    broker_db, cache_db = redis_dbs
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": "console:",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": os.environ.get(
            "BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{database}"
        ),
        "CELERY_BROKER_URL": f"{redis}/{broker_db}",
        "CACHE_URL": f"{redis}/{cache_db}",
        "CELERY_TASK_DEFAULT_QUEUE": f"bench-{database}",
        "DJANGO_SETTINGS_MODULE": "iot_network.settings",
        **extra,
    }


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` unless it exists."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username,
        password=parts.password, dbname="postgres", autocommit=True,
    ) as conn:  # fmt: skip
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(env: dict) -> None:
    """Create the database if needed, migrate it and collect static files."""
    ensure_database(env["DATABASE_URL"])
    manage(env, "migrate", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    # A previous run's cached pages would flatter this one.
    django(env, "from django.core.cache import cache; cache.clear()")


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
        stdout=subprocess.DEVNULL,  # a benchmark prints only its JSON line
    )  # fmt: skip


def django(env: dict, script: str) -> str:
    """Run Python with Django set up; returns the last line it printed."""
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + script],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    lines = out.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def web_workers() -> int:
    return 2 * (os.cpu_count() or 1) + 1


@contextlib.contextmanager
def running(env: dict, port: int, *, celery: bool = False, start_seconds: float = 30):
    """gunicorn (and a Celery worker for this benchmark's queue) until the block ends.
    Yields the processes by name, so callers can sample their memory. ``start_seconds`` bounds
    the wait for the first answer (a busy machine starts workers slowly)."""
    processes = {
        "web": subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "iot_network.wsgi",
                "--workers",
                str(web_workers()),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
    }
    if celery:
        processes["celery"] = subprocess.Popen(
            [str(BIN / "celery"), "-A", "iot_network", "worker", "--concurrency", "1",
             "--queues", env["CELERY_TASK_DEFAULT_QUEUE"], "--loglevel", "WARNING"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", start_seconds)
        yield processes
    finally:
        for process in processes.values():
            process.send_signal(signal.SIGTERM)
        for process in processes.values():
            process.wait(timeout=30)


def wait_for(url: str, seconds: float = 120) -> None:
    # Generous: on a busy 2-core machine, (2 x cores + 1) workers importing Django at once can
    # take more than half a minute before the first answer.
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer at {url}")
