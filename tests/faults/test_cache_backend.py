"""The cache backend's promises when Redis is unreachable, one operation at a time."""

from __future__ import annotations

import logging

import pytest

from iot_network import outages
from iot_network.web import resilient_cache
from iot_network.web.resilient_cache import ResilientRedisCache
from tests.faults.conftest import DEAD_REDIS

pytestmark = [pytest.mark.faults, pytest.mark.redis]


def backend(location: str, **options) -> ResilientRedisCache:
    options = {"local_fallback_prefixes": ["allauth:rl:"], "retry_after": 30, **options}
    return ResilientRedisCache(location, {"KEY_PREFIX": "faults-test", "OPTIONS": options})


@pytest.fixture(autouse=True)
def fresh_outage_state():
    outages.reset()
    resilient_cache._down_until.clear()
    yield
    outages.reset()
    resilient_cache._down_until.clear()


def test_a_dead_cache_answers_like_an_empty_one(settings):
    cache = backend(DEAD_REDIS)
    cache.set("page", "html")
    assert cache.get("page") is None
    assert cache.get("page", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("page") is False
    assert cache.delete("page") is False
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]  # both failed, as the API reports
    # add() "succeeds", so a rate-limit window opens and nobody is refused: public forms fail open.
    assert cache.add("ratelimit:enquiry:x", 1) is True
    with pytest.raises(ValueError):
        cache.incr("ratelimit:enquiry:x")


def test_sign_in_throttles_are_kept_in_process_memory_while_redis_is_away():
    cache = backend(DEAD_REDIS)
    key = "allauth:rl:allauth.account:login_failed:10/m/ip:ip:203.0.113.1"
    assert cache.get(key, []) == []
    cache.set(key, [1.0, 2.0], 60)
    assert cache.get(key) == [1.0, 2.0]
    assert cache.add(f"{key}:lock", True) is True
    assert cache.add(f"{key}:lock", True) is False  # the lock really is held


def test_an_outage_is_logged_once_and_redis_is_not_asked_again_until_the_retry(caplog):
    cache = backend(DEAD_REDIS, retry_after=30)
    calls = []
    real = cache._cache.get

    def counting_get(*args):
        calls.append(args)
        return real(*args)

    cache._cache.get = counting_get
    with caplog.at_level(logging.WARNING, logger="iot_network.outages"):
        for _ in range(50):
            assert cache.get("page") is None
    assert len(calls) == 1  # the breaker opened after the first refusal
    assert [r.getMessage() for r in caplog.records].count(
        "cache unavailable: serving pages uncached; public form limits open "
        "(ConnectionError: Error 111 connecting to 127.0.0.1:9. Connection refused.)"
    ) == 1


def test_a_working_cache_is_used_and_recovery_is_logged(settings, caplog):
    live = settings.CACHES["default"]["LOCATION"]
    cache = backend(live, retry_after=0)
    dead = backend(DEAD_REDIS, retry_after=0)
    dead._server_key = cache._server_key  # the same server going away and coming back
    with caplog.at_level(logging.WARNING, logger="iot_network.outages"):
        assert dead.get("k") is None
        cache.set("k", "v")
        assert cache.get("k") == "v"
    messages = [r.getMessage() for r in caplog.records]
    assert messages[-1] == "cache available again"
    cache.delete("k")


def test_one_redis_client_serves_every_operation_and_recovers_after_an_outage(settings):
    """The client is built once per connection pool and reused; it holds no connection of its
    own, so a restart of Redis is still survived (the pool reconnects)."""
    cache = backend(settings.CACHES["default"]["LOCATION"])
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client() is client  # one server: reads share the pool
    cache.set("reused", "yes")
    assert cache.get("reused") == "yes"
    client.connection_pool.disconnect()  # as if Redis had restarted
    assert cache.get("reused") == "yes"
    cache.delete("reused")


@pytest.mark.parametrize(
    "refusal",
    [
        "READONLY You can't write against a read only replica.",
        "OOM command not allowed when used memory > 'maxmemory'.",
        "MISCONF Redis is configured to save RDB snapshots, but it's unable to persist to disk.",
    ],
)
def test_a_redis_that_answers_but_cannot_serve_is_an_outage_too(settings, monkeypatch, refusal):
    from redis.exceptions import ReadOnlyError, ResponseError

    cache = backend(settings.CACHES["default"]["LOCATION"])
    error = ReadOnlyError if refusal.startswith("READONLY") else ResponseError
    client = cache._cache.get_client(write=True)

    def refuse(*args, **kwargs):
        raise error(refusal.split(" ", 1)[1] if error is ReadOnlyError else refusal)

    monkeypatch.setattr(client, "set", refuse)
    monkeypatch.setattr(client, "get", refuse)
    cache.set("page", "html")  # no exception: the page is served uncached
    assert cache.get("page", "default") == "default"
    assert cache._is_down()


def test_a_mistake_in_using_the_cache_is_not_taken_for_an_outage(settings, monkeypatch):
    from redis.exceptions import ResponseError

    cache = backend(settings.CACHES["default"]["LOCATION"])
    client = cache._cache.get_client(write=True)

    def wrong_type(*args, **kwargs):
        raise ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value")

    monkeypatch.setattr(client, "get", wrong_type)
    with pytest.raises(ResponseError):
        cache.get("page")
    assert not cache._is_down()
