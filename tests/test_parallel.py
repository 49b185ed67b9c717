"""`make test` runs the suite across the cores with pytest-xdist. Each worker must have its own
Celery queue (so the Celery workers one test starts never take another worker's tasks) and its
own cache key prefix (so one worker's cache.clear() never empties another's cache), in its
settings and in the environment the Celery workers and gunicorn it starts inherit."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json
import os
from pathlib import Path

import pytest
from django.conf import settings

from iot_network.celery import app


@pytest.mark.parametrize("n", range(4))
def test_report(n):
    worker = os.environ["PYTEST_XDIST_WORKER"]
    Path(os.environ["PROBE_DIR"], worker + ".json").write_text(json.dumps({
        "queue": settings.CELERY_TASK_DEFAULT_QUEUE,
        "celery_queue": app.conf.task_default_queue,
        "queue_env": os.environ["CELERY_TASK_DEFAULT_QUEUE"],
        "cache_prefix": settings.CACHES["default"].get("KEY_PREFIX"),
        "cache_prefix_env": os.environ["CACHE_KEY_PREFIX"],
    }))
"""


def test_each_parallel_worker_has_its_own_celery_queue_and_cache_prefix(tmp_path):
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE)
    reports = tmp_path / "reports"
    reports.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST_")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"),
         "-p", "tests.conftest", "-p", "no:cacheprovider", "--numprocesses", "2",
         "--dist", "load", "-q", str(probe)],
        cwd=ROOT, env={**env, "PROBE_DIR": str(reports)},
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr

    seen = [json.loads(path.read_text()) for path in sorted(reports.glob("gw*.json"))]
    assert len(seen) == 2
    for worker in seen:
        assert worker["queue"] == worker["celery_queue"] == worker["queue_env"]
        if worker["cache_prefix"] is not None:  # a Redis cache (CACHE_URL) is configured
            assert worker["cache_prefix"] == worker["cache_prefix_env"]
    assert len({worker["queue"] for worker in seen}) == 2
    assert len({worker["cache_prefix_env"] for worker in seen}) == 2
