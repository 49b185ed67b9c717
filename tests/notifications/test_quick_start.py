"""`make run` has no Redis and no mail server: tasks run in-process and mail goes to the console."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
from django.core.management import call_command
from django.db import transaction
from iot_network.notifications.models import Message
from iot_network.notifications.services import notify
call_command("migrate", verbosity=0)
with transaction.atomic():
    notify(to="learner@example.com", kind="generic", dedupe_key="quick-start",
           context={"subject": "Quick start works", "heading": "Hello", "paragraphs": []})
print("STATUS", Message.objects.get(dedupe_key="quick-start").status)
"""


def test_quick_start_sends_mail_in_process_to_the_console(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CELERY_", "EMAIL_", "DATABASE_", "CACHE_"))
    }
    env.update(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Subject: Quick start works" in result.stdout
    assert "To: learner@example.com" in result.stdout
    assert "STATUS sent" in result.stdout
