"""`make run` has no Redis and no mail server: tasks run in-process and mail goes to the console,
and the console shows the newcomer only what matters."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import logging
from django.core.management import call_command
from django.db import transaction
from iot_network.notifications.models import Message
from iot_network.notifications.services import notify
call_command("migrate", verbosity=0)
with transaction.atomic():
    notify(to="learner@example.com", kind="generic", dedupe_key="quick-start",
           context={"subject": "Quick start works", "heading": "Hello", "paragraphs": []})
print("STATUS", Message.objects.get(dedupe_key="quick-start").status)
logging.getLogger("django.request").info("said once")
"""


@pytest.fixture(scope="module")
def quick_start(tmp_path_factory):
    """One console mail sent as `make run` sends it, with Python's warnings as errors."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CELERY_", "EMAIL_", "DATABASE_", "CACHE_", "LOG_"))
    }
    database = tmp_path_factory.mktemp("quick-start") / "db.sqlite3"
    env.update(DEBUG="1", DATABASE_URL=f"sqlite:///{database}")
    return subprocess.run(
        [sys.executable, "-W", "error", "manage.py", "shell", "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_quick_start_sends_mail_in_process_to_the_console(quick_start):
    assert quick_start.returncode == 0, quick_start.stderr
    assert "Subject: Quick start works" in quick_start.stdout
    assert "To: learner@example.com" in quick_start.stdout
    assert "STATUS sent" in quick_start.stdout


def test_quick_start_mail_logs_no_warnings(quick_start):
    """Eager tasks borrow a producer from the in-process broker; kombu once warned "No hostname
    was supplied" on every mail."""
    assert quick_start.returncode == 0, quick_start.stderr
    noisy = re.findall(r"^.* (?:WARNING|ERROR|CRITICAL) .*$", quick_start.stderr, re.MULTILINE)
    assert noisy == []


def test_quick_start_prints_each_log_line_once(quick_start):
    assert quick_start.returncode == 0, quick_start.stderr
    assert quick_start.stderr.count("said once") == 1, quick_start.stderr
