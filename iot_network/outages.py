"""Log a failing dependency (the cache, the broker) once per interval, not once per request.

During an outage every request would otherwise write the same traceback, burying the one line an
operator needs and filling the disk. The first failure is logged at once; repeats within
``OUTAGE_LOG_INTERVAL`` seconds are counted and reported with the next line.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings

logger = logging.getLogger("iot_network.outages")

_lock = threading.Lock()
_last_logged: dict[str, float] = {}
_suppressed: dict[str, int] = {}


def report(dependency: str, message: str, exc: BaseException | None = None) -> bool:
    """Log that ``dependency`` failed, unless it was logged within the interval.

    Returns True when this call wrote the log line.
    """
    now = time.monotonic()
    interval = settings.OUTAGE_LOG_INTERVAL
    with _lock:
        last = _last_logged.get(dependency)
        if last is not None and now - last < interval:
            _suppressed[dependency] = _suppressed.get(dependency, 0) + 1
            return False
        _last_logged[dependency] = now
        repeats = _suppressed.pop(dependency, 0)
    detail = f"{type(exc).__name__}: {exc}" if exc is not None else ""
    logger.warning(
        "%s unavailable: %s%s%s",
        dependency,
        message,
        f" ({detail})" if detail else "",
        f"; {repeats} more failure(s) since the last report" if repeats else "",
    )
    return True


def recovered(dependency: str) -> None:
    """Log once that ``dependency`` answers again (only if a failure was logged)."""
    with _lock:
        if _last_logged.pop(dependency, None) is None:
            return
        _suppressed.pop(dependency, None)
    logger.warning("%s available again", dependency)


def reset() -> None:
    """Forget every reported outage (tests)."""
    with _lock:
        _last_logged.clear()
        _suppressed.clear()
