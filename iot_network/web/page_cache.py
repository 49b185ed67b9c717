"""A short-lived shared cache of public pages for anonymous visitors.

Safe because it only ever serves, and only ever stores, pages for requests that carry no session
or messages cookie (so nothing personal: no sign-in, shortlist or flash message), and it refuses to
store any response that sets a cookie (a CSRF token was rendered, a session was started) or says
it is private, not to be stored, or to be fetched fresh (no-cache: pages with a live part).
Staff edits show within PAGE_CACHE_SECONDS (default 60); 0 turns it off.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import patch_vary_headers

# Static files never get here: WhiteNoise answers them first.
SKIPPED_PREFIXES = (
    f"/{settings.ADMIN_URL}", "/account/", "/partner-area/", "/email/", "/healthz",
)  # fmt: skip


def _key(request) -> str:
    digest = hashlib.sha256(
        # The scheme too: a page rendered for http (robots.txt names the sitemap's URL) must
        # not be served to https visitors.
        f"{request.scheme}|{request.get_host()}|{request.get_full_path()}".encode(errors="replace")
    ).hexdigest()
    return f"page:{digest}"


def _cacheable_request(request) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.path.startswith(SKIPPED_PREFIXES)
    )


def _cacheable_response(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not {"private", "no-store", "no-cache"} & _directives(response)
    )


def _directives(response) -> set[str]:
    """The Cache-Control directives' names. A page with a live part (an event's places, whether
    a course is still published) says ``no-cache``: every visitor must get it fresh."""
    value = response.get("Cache-Control", "")
    return {part.split("=", 1)[0].strip().lower() for part in value.split(",") if part.strip()}


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        key = _key(request)
        cached = cache.get(key)
        if cached is not None:
            cached["X-Page-Cache"] = "hit"
            return cached
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        if _cacheable_response(response):
            response["X-Page-Cache"] = "miss"
            if request.method == "GET":
                cache.set(key, response, settings.PAGE_CACHE_SECONDS)
        return response
