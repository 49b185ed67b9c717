"""`make run` is the quick start: links it puts in mail, JSON-LD, .ics and Atom must point at the
port it serves on."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not shutil.which("make"), reason="needs make")


def runserver_line(*args: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in {"PORT", "SITE_URL"}}
    result = subprocess.run(
        ["make", "--dry-run", "run", *args],
        cwd=BASE_DIR,
        env={**environment, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    [line] = [line for line in result.stdout.splitlines() if "runserver" in line]
    return line


def test_make_run_links_to_the_port_it_serves_on():
    line = runserver_line("PORT=8123")
    assert "SITE_URL='http://127.0.0.1:8123'" in line
    assert line.endswith("runserver 127.0.0.1:8123")
    assert "SITE_URL='http://127.0.0.1:8000'" in runserver_line()


def test_make_run_keeps_a_site_url_that_was_set():
    line = runserver_line("PORT=8123", SITE_URL="http://portal.localhost:8123")
    assert "SITE_URL='http://portal.localhost:8123'" in line
    line = runserver_line("PORT=8123", "SITE_URL=http://localhost:9000")
    assert "SITE_URL='http://localhost:9000'" in line
