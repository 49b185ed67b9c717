"""The open data API, version 1: read-only, anonymous, documented by its own OpenAPI schema.

Built with django-ninja (README, "Open data API", says why). Rate limit, CORS and conditional
requests (304) are in middleware.py, so they cover cached answers as well as fresh ones.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from .cursors import BadCursor

DESCRIPTION = """\
The Institutes of Technology Network's catalogue as open data: published courses with their
upcoming start dates, events, the 21 Institutes of Technology, the 15 occupational routes and
live opportunities from partner employers.

Read-only, no key needed. Lists are paged with a cursor: follow `next` until it is null.
Responses carry `ETag` and `Last-Modified`; send `If-None-Match` or `If-Modified-Since` to get
`304 Not Modified` when nothing changed. Every endpoint allows cross-origin GET (CORS).
Each client address may make 120 requests a minute; past that the answer is `429` with
`Retry-After`.

Contains public sector information licensed under the Open Government Licence v3.0.
"""


class OpenDataAPI(NinjaAPI):
    def create_response(self, request, data, *, status=None, temporal_response=None):
        """ETag and Last-Modified on every successful answer, set before the page cache keeps
        it. The ETag is a hash of the body. Last-Modified is when this address last answered
        with a different body (remembered in the cache), so it is right for everything the body
        shows, runs and sessions included, which keep no modification time of their own."""
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        if response.status_code == 200:
            etag = hashlib.sha256(response.content).hexdigest()[:32]
            key = "api-changed:" + hashlib.sha256(request.get_full_path().encode()).hexdigest()
            seen = cache.get(key)
            if seen and seen[0] == etag:
                changed = seen[1]
            else:
                changed = timezone.now().timestamp()
                cache.set(key, (etag, changed), 60 * 60 * 24 * 30)
            response["ETag"] = f'"{etag}"'
            response["Last-Modified"] = http_date(changed)
            response["Cache-Control"] = f"public, max-age={settings.PAGE_CACHE_SECONDS}"
        return response


api = OpenDataAPI(
    title="Institutes of Technology Network open data API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url=None,  # our own page (docs.py): the stock one loads scripts from a CDN
    docs_decorator=require_safe,  # the schema, like everything here, is only read
    openapi_extra={
        "info": {
            "license": {
                "name": "Open Government Licence v3.0",
                "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            }
        }
    },
)


def problem(request, detail: str, status: int, errors: dict | None = None):
    return api.create_response(request, {"detail": detail, "errors": errors or {}}, status=status)


@api.exception_handler(ValidationError)
def invalid_parameters(request, exc: ValidationError):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        # ("query", "filters", "level", 0): the parameter is the last name in the location.
        names = [part for part in error.get("loc", ()) if isinstance(part, str)]
        errors.setdefault(names[-1] if names else "query", []).append(str(error.get("msg", "")))
    return problem(request, "Some parameters were not understood.", 400, errors)


@api.exception_handler(BadCursor)
def bad_cursor(request, exc: BadCursor):
    return problem(request, str(exc), 400, {"cursor": [str(exc)]})


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return problem(request, str(exc), exc.status_code)
