"""The client's address, the same for our rate limits, allauth's throttles and the logs.

Behind a load balancer the connecting address (REMOTE_ADDR) is the balancer's, so counting it
would give the whole site one budget. Which header to believe is a deployment fact, set once:
TRUSTED_PROXY_COUNT or TRUSTED_CLIENT_IP_HEADER (README, "Behind a proxy"). With neither,
X-Forwarded-For is ignored: anyone can send it, so believing it would let a client pick a new
identity per request.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The address to count a request against; never empty, never raises."""
    remote = _clean(request.META.get("REMOTE_ADDR")) or "unknown"
    header = settings.TRUSTED_CLIENT_IP_HEADER
    if header:
        return _clean(request.headers.get(header)) or remote
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.headers.get("x-forwarded-for", "")
    if count and forwarded:
        hops = [hop for hop in (part.strip() for part in forwarded.split(",")) if hop]
        # Each trusted proxy appended the address it saw; the client is the one the outermost
        # trusted proxy saw. Fewer hops than proxies means the request bypassed one: fall back
        # to the connecting address rather than trust what the client wrote.
        if len(hops) >= count:
            return _clean(hops[-count]) or remote
    return remote
