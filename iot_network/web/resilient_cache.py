"""Django's Redis cache, made to degrade instead of fail when Redis is unreachable.

The cache is an accelerator: page cache, facet counts, postcode lookups and rate-limit counters.
When Redis does not answer (or answers that it cannot: a read-only replica after a failover, a
full memory with no eviction), a request must still get its page, so every operation here turns a
connection failure into what an empty cache would answer (a miss, a no-op) and the page renders
uncached. After a failure the process stops asking Redis for ``retry_after`` seconds (a circuit
breaker), so an outage costs one refused connection per interval per process, not one per call,
and the outage is logged once per interval (see iot_network/outages.py).

Keys under ``local_fallback_prefixes`` (the sign-in throttles) are not dropped during an outage:
they are kept in this process's memory instead, so sign-in stays rate limited (per process, so
at most ``workers x limit`` attempts across a node) and nobody is locked out by the outage.

What each operation answers while Redis is down (for keys without a local fallback):
get -> the default; get_many -> {}; has_key/touch/delete -> False; set/delete_many -> nothing;
set_many -> every key (it failed); add -> True, so "first in this window" counters and locks are
taken, which makes the public forms' rate limits fail open (as the README states); incr -> the
ValueError Django raises for a missing key.
"""

from __future__ import annotations

import re
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from iot_network import outages

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)  # BusyLoadingError is a ConnectionError

# A Redis that answers but cannot write serves nothing either: a replica just after a failover
# (READONLY), one at its memory limit with no eviction (OOM), one that cannot save (MISCONF).
_CANNOT_SERVE = ("OOM ", "MISCONF ")


def _is_outage(exc: BaseException) -> bool:
    if isinstance(exc, (UNREACHABLE, ReadOnlyError)):
        return True
    return isinstance(exc, ResponseError) and str(exc).startswith(_CANNOT_SERVE)


# Per process and per server, shared by the per-thread backend instances Django creates.
_down_until: dict[str, float] = {}
_state_lock = threading.Lock()


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, reusing one ``redis.Redis`` per connection pool instead of
    building one for every operation. Building one copies redis-py's table of about 170 reply
    handlers: some 150 microseconds of CPU a call, several times on every page. A client holds
    no connection of its own (the pool does), so sharing it is safe."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("retry_after", 5.0))
        self.local_fallback_prefixes = tuple(options.pop("local_fallback_prefixes", ()))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._server_key = server if isinstance(server, str) else ",".join(server)
        self._local = LocMemCache(
            f"resilient-fallback:{self._server_key}",
            {"TIMEOUT": params.get("TIMEOUT", 300), "OPTIONS": {"MAX_ENTRIES": 10_000}},
        )

    # The circuit breaker --------------------------------------------------------------------

    def _is_down(self) -> bool:
        return time.monotonic() < _down_until.get(self._server_key, 0.0)

    def _failed(self, exc: BaseException) -> None:
        with _state_lock:
            _down_until[self._server_key] = time.monotonic() + self.retry_after
        outages.report("cache", "serving pages uncached; public form limits open", exc)

    def _answered(self) -> None:
        if self._server_key in _down_until:
            with _state_lock:
                _down_until.pop(self._server_key, None)
            outages.recovered("cache")

    def _local_key(self, key) -> bool:
        return bool(self.local_fallback_prefixes) and str(key).startswith(
            self.local_fallback_prefixes
        )

    def _run(self, remote, fallback):
        if not self._is_down():
            try:
                result = remote()
            except (*UNREACHABLE, ResponseError) as exc:
                if not _is_outage(exc):
                    raise  # a mistake in how the cache is used, not an outage
                self._failed(exc)
            else:
                self._answered()
                return result
        return fallback()

    def ping(self) -> None:
        """Ask Redis directly, ignoring the breaker (for /healthz); raises when unreachable."""
        self._cache.get_client(write=True).ping()
        self._answered()

    # The cache API --------------------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        local = self._local_key(key)
        return self._run(
            lambda: super(ResilientRedisCache, self).add(key, value, timeout, version),
            lambda: self._local.add(key, value, timeout, version) if local else True,
        )

    def get(self, key, default=None, version=None):
        local = self._local_key(key)
        return self._run(
            lambda: super(ResilientRedisCache, self).get(key, default, version),
            lambda: self._local.get(key, default, version) if local else default,
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        local = self._local_key(key)
        return self._run(
            lambda: super(ResilientRedisCache, self).set(key, value, timeout, version),
            lambda: self._local.set(key, value, timeout, version) if local else None,
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        local = self._local_key(key)
        return self._run(
            lambda: super(ResilientRedisCache, self).touch(key, timeout, version),
            lambda: self._local.touch(key, timeout, version) if local else False,
        )

    def delete(self, key, version=None):
        local = self._local_key(key)
        return self._run(
            lambda: super(ResilientRedisCache, self).delete(key, version),
            lambda: self._local.delete(key, version) if local else False,
        )

    def has_key(self, key, version=None):
        local = self._local_key(key)
        return self._run(
            lambda: super(ResilientRedisCache, self).has_key(key, version),
            lambda: self._local.has_key(key, version) if local else False,
        )

    def incr(self, key, delta=1, version=None):
        local = self._local_key(key)

        def fallback():
            if local:
                return self._local.incr(key, delta, version)
            raise ValueError(f"Key '{key}' not found (the cache is unavailable)")

        return self._run(
            lambda: super(ResilientRedisCache, self).incr(key, delta, version), fallback
        )

    def get_many(self, keys, version=None):
        keys = list(keys)
        return self._run(
            lambda: super(ResilientRedisCache, self).get_many(keys, version),
            lambda: self._local.get_many([k for k in keys if self._local_key(k)], version),
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        def fallback():
            self._local.set_many(
                {k: v for k, v in data.items() if self._local_key(k)}, timeout, version
            )
            return [k for k in data if not self._local_key(k)]

        return self._run(
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), fallback
        )

    def delete_many(self, keys, version=None):
        keys = list(keys)
        return self._run(
            lambda: super(ResilientRedisCache, self).delete_many(keys, version),
            lambda: self._local.delete_many([k for k in keys if self._local_key(k)], version),
        )

    def clear(self):
        """Delete this cache's keys (those under its key prefix) and no others.

        Django's RedisCache.clear() empties the whole Redis database, so a site sharing the
        database with another (staging beside production, or parallel test workers) would wipe
        the other's page cache, facet counts and rate-limit counters. SCAN does not block Redis
        the way KEYS would.
        """
        self._local.clear()
        if not self.key_prefix:
            return self._run(lambda: super(ResilientRedisCache, self).clear(), lambda: False)
        return self._run(self._clear_own_keys, lambda: False)

    def _clear_own_keys(self) -> bool:
        client = self._cache.get_client(write=True)
        pattern = re.sub(r"([*?\[\]\\])", r"\\\1", self.key_prefix) + ":*"
        batch = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) == 500:
                client.delete(*batch)
                batch = []
        if batch:
            client.delete(*batch)
        return True
