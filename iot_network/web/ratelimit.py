"""A small fixed-window rate limit on the shared cache, for public forms that send mail.

With several web processes, CACHE_URL must point at Redis so they share the counts.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from .client_ip import client_ip


def hit(scope: str, identity: str, *, limit: int, window: int) -> bool:
    """Count one attempt; True when ``identity`` has gone over ``limit`` in this window."""
    if not settings.RATE_LIMITS_ENABLED:  # load tests from one address only
        return False
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]  # no personal data in keys
    key = f"ratelimit:{scope}:{digest}"
    # With the cache down, add() answers True (see resilient_cache.py): public forms fail open.
    if cache.add(key, 1, timeout=window):
        return False
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return False


def too_many(
    request,
    *,
    scope: str,
    limit: int,
    window: int,
    per: str = "",
    per_limit: int | None = None,
) -> bool:
    """Count one attempt per client address (``limit`` per ``window`` seconds) and, when ``per``
    names someone or something (an email address, a registration link), ``per_limit`` for it
    across every address."""
    over = hit(scope, client_ip(request), limit=limit, window=window)
    if per:
        if per_limit is None:
            raise TypeError("too_many(per=...) needs per_limit")
        over = hit(f"{scope}:who", per.strip().lower(), limit=per_limit, window=window) or over
    return over


def too_many_response(request):
    return render(request, "errors/429.html", status=429)
