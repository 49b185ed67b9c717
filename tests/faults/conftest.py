"""The portal served as production serves it (gunicorn, DEBUG off, the page cache on) with one
dependency pointed at a dead port, against the test database on the real PostgreSQL.

A port nothing listens on gives real refused connections: nothing is mocked.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.smtp_sink import free_port

ROOT = Path(__file__).resolve().parents[2]
DEAD_REDIS = "redis://127.0.0.1:9/0"  # port 9 (discard): nothing listens on loopback


@dataclass
class Answer:
    status: int
    body: str
    headers: dict[str, str]

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A person with a cookie jar, seeing each answer as it comes (redirects not followed)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects
        )

    def request(self, path: str, data: dict | None = None) -> Answer:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body)
        try:
            with self.opener.open(request, timeout=30) as response:
                status, raw, headers = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, raw, headers = error.code, error.read(), error.headers
        return Answer(
            status, raw.decode(errors="replace"), {k.lower(): v for k, v in headers.items()}
        )

    def get(self, path: str) -> Answer:
        return self.request(path)

    def submit(self, path: str, data: dict) -> Answer:
        """Open the form's page, then post it with the CSRF token it carried."""
        page = self.get(path)
        assert page.status == 200, (path, page.status)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert match, f"no CSRF token on {path}"
        return self.request(path, {**data, "csrfmiddlewaretoken": match.group(1)})


@dataclass
class Portal:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def browser(self) -> Browser:
        return Browser(self.url)


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def portal(transactional_db, tmp_path):
    """Call with environment overrides (e.g. CACHE_URL=DEAD_REDIS); returns a running Portal."""
    started: list[Portal] = []

    def start(**overrides: str) -> Portal:
        port = free_port()
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "EMAIL_URL": "console:",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            "PAGE_CACHE_SECONDS": "60",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CACHE_URL": settings.CACHES["default"].get("LOCATION") or DEAD_REDIS,
            "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
            "LOG_LEVEL": "WARNING",
            **overrides,
        }
        log_path = tmp_path / f"gunicorn-{port}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "iot_network.wsgi", "--workers", "2",
                 "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--log-level", "warning"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        server = Portal(f"http://127.0.0.1:{port}", process, log_path)
        started.append(server)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(server.url + "/robots.txt", timeout=2).read()
                break
            except urllib.error.HTTPError:
                break  # it answers (even if with an error): it is up
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the portal did not start:\n{server.log()}")
                time.sleep(0.3)
        return server

    yield start
    for server in started:
        server.process.terminate()
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
