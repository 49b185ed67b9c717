"""What every answer under /api/ shares: the public rate limit, CORS for reading, HEAD, and
conditional requests.

It sits outside the anonymous page cache (settings.MIDDLEWARE), so a cached answer is counted
against the rate limit, carries the CORS headers and becomes a 304 when the client already has it.
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import parse_http_date_safe

from iot_network.web import ratelimit
from iot_network.web.client_ip import client_ip

PREFIX = "/api/"
# Per client address, as for the public forms (iot_network/web/ratelimit.py).
RATE_LIMIT = 120
RATE_WINDOW = 60
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Retry-After",
    # Readers anywhere may use the data (an API is no page to frame or to steal from).
    "Cross-Origin-Resource-Policy": "cross-origin",
}
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}


JSON = "application/json"


def _as_problem(response):
    """Django's own answers (a 404 for an address that is no endpoint, a 405) in the API's
    JSON, so a client never has to read an HTML error page."""
    problem = JsonResponse(
        {"detail": response.reason_phrase, "errors": {}}, status=response.status_code
    )
    if response.has_header("Allow"):
        problem["Allow"] = response["Allow"]
    return problem


def _cors(response):
    for name, value in CORS_HEADERS.items():
        response[name] = value
    return response


class OpenDataApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS":  # a browser's CORS preflight: no data, not counted
            response = HttpResponse(status=204)
            for name, value in PREFLIGHT_HEADERS.items():
                response[name] = value
            return _cors(response)
        if ratelimit.hit("api", client_ip(request), limit=RATE_LIMIT, window=RATE_WINDOW):
            response = JsonResponse(
                {
                    "detail": f"More than {RATE_LIMIT} requests a minute from your address. "
                    "Wait a minute and try again.",
                    "errors": {},
                },
                status=429,
            )
            response["Retry-After"] = str(RATE_WINDOW)
            return _cors(response)
        head = request.method == "HEAD"
        if head:
            request.method = "GET"  # answered as GET (and cached as one), without the body
        response = self.get_response(request)
        if response.status_code >= 400 and not response["Content-Type"].startswith(JSON):
            response = _as_problem(response)
        if response.status_code == 200 and not response.streaming:
            if not response.has_header("ETag"):
                set_response_etag(response)
            response = get_conditional_response(
                request,
                etag=response["ETag"],
                last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
                response=response,
            )
        if head:
            response.content = b""
        return _cors(response)
