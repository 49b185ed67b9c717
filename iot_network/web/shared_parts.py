"""Parts of pages that are the same for every visitor who asks the same URL, kept for everyone.

The anonymous page cache serves whole pages only to visitors without cookies. Signed-in learners,
employers, anyone with a shortlist, and staff browsing the site all miss it, and a course or
event page costs them 7-10 ms to build. Most of such a page depends only on its URL and the
data: the search results and filters, a course's description and start dates, an event's
agenda. Those parts are kept here, in the shared cache and in each process, for
FRAGMENT_CACHE_SECONDS (60 by default: the same promise as the page cache, an edit shows within
a minute); the personal parts (the shortlist button, the save-search form with its CSRF token,
the header, messages) are rendered per request and put into a part where it marks a ``slot``.

Staff always get fresh parts, so an edit they have just made shows on their next page.
``{% shared_fragment %}`` (templatetags/site.py) keeps smaller parts in the same store.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

# Part of every key: change it when a part's markup (or how it is stored) changes in a way a
# deploy must not mix with parts kept by the old code.
VERSION = 3


_STORES: list[LocalStore] = []  # every store a process has, for clear_local()


class LocalStore:
    """What a process keeps: (expires at, value) by key, least recently used first out, within
    a budget of bytes (the length of the HTML held), so that a crawler walking thousands of
    search URLs cannot grow a web worker without bound."""

    def __init__(self, max_bytes: int):
        self.max_bytes, self.bytes = max_bytes, 0
        self._entries: OrderedDict[str, tuple[float, Any, int]] = OrderedDict()
        _STORES.append(self)

    def get(self, key: str) -> tuple[float, Any] | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return entry[0], entry[1]

    def put(self, key: str, entry: tuple[float, Any]) -> None:
        size = _size(entry[1])
        if size > self.max_bytes:
            return
        self.pop(key)
        self._entries[key] = (entry[0], entry[1], size)
        self.bytes += size
        while self.bytes > self.max_bytes:
            self.pop(next(iter(self._entries)))

    def pop(self, key: str) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= old[2]

    def expire_all(self) -> None:
        """For tests: as if every entry's time were up."""
        for key, (_, value, size) in list(self._entries.items()):
            self._entries[key] = (0.0, value, size)

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._entries)


def _size(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(len(v) for v in value.values() if isinstance(v, str)) + 100
    return 100


# Each process also keeps what it has used, until the time it expires in the shared cache: no
# round trip to Redis for the parts of the pages most asked for. The small fragments every
# page shows (the home page's) are kept apart from whole pages' parts, so that many searches
# never push them out.
FRAGMENTS = LocalStore(max_bytes=4 * 1024 * 1024)
PAGES = LocalStore(max_bytes=32 * 1024 * 1024)


def clear_local() -> None:
    """Empty every store of this process (tests start from nothing)."""
    for store in _STORES:
        store.clear()


def get(key: str, *, local: LocalStore = PAGES) -> Any | None:
    """What is kept under ``key`` and has not expired, from this process or the shared cache
    (with the cache down, only from this process)."""
    now = time.time()
    entry = local.get(key)
    if entry is None or entry[0] <= now:
        entry = cache.get(key)
        if entry is None or entry[0] <= now:
            return None
        local.put(key, entry)
    return entry[1]


def keep(key: str, value: Any, *, seconds: float, local: LocalStore = PAGES) -> None:
    """Keep ``value`` for ``seconds``, here and in the shared cache. A copy kept by a process
    expires when the shared one does."""
    entry = (time.time() + seconds, value)
    cache.set(key, entry, int(seconds) + 1)
    local.put(key, entry)


def digest(*values: object) -> str:
    joined = "\x1f".join(str(value) for value in (VERSION, *values))
    return hashlib.sha256(joined.encode(errors="replace")).hexdigest()[:32]


def _enabled(request) -> bool:
    return (
        settings.FRAGMENT_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not getattr(request.user, "is_staff", False)
    )


def _page_key(request, name: str) -> str:
    # The scheme and host: parts hold absolute links (JSON-LD, webcal://). The day: parts list
    # what is upcoming.
    where = (request.scheme, request.get_host(), request.get_full_path(), timezone.localdate())
    return f"part:{name}:{digest(*where)}"


def page_parts(
    request, name: str, build: Callable[[], dict], *, reusable: Callable[[dict], bool] | None = None
) -> dict:
    """The parts of this page: kept ones if any (and ``reusable`` says this visitor may have
    them), else ``build()``'s, which are kept when their ``status`` is 200 (the default) and they
    are reusable. Nothing is kept or reused for a request that is not a GET, for staff, or when
    FRAGMENT_CACHE_SECONDS is 0. Not found pages raise Http404 in ``build`` and are not kept.
    Only parts that hold nothing personal may be built: personal markup goes into slots."""
    if not _enabled(request):
        return build()
    key = _page_key(request, name)
    parts = get(key)
    if parts is None or (reusable and not reusable(parts)):
        parts = build()
        if parts.get("status", 200) == 200 and (reusable is None or reusable(parts)):
            keep(key, parts, seconds=settings.FRAGMENT_CACHE_SECONDS)
    return parts


def slot(name: str) -> SafeString:
    """A mark in a part where personal markup goes. Autoescaping turns any ``<`` a visitor
    typed into ``&lt;``, so no value from a request can forge one."""
    return mark_safe(f"<!--slot:{name}-->")


def fill(html: str, **personal: str) -> SafeString:
    """A stored part with its slots filled by this request's personal markup."""
    for name, markup in personal.items():
        html = html.replace(slot(name), markup, 1)
    return mark_safe(html)
