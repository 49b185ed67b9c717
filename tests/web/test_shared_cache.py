"""One Redis database shared by several sites (or parallel test workers): each clears only its
own keys."""

import uuid

import pytest

from iot_network.web.resilient_cache import ResilientRedisCache
from tests.conftest import unavailable

pytestmark = pytest.mark.redis


@pytest.fixture
def two_sites(settings):
    location = settings.CACHES["default"].get("LOCATION")
    if not location:
        unavailable("needs Redis at CACHE_URL")
    run = uuid.uuid4().hex[:8]
    sites = [
        ResilientRedisCache(location, {"KEY_PREFIX": f"{name}-{run}", "OPTIONS": {}})
        for name in ("staging", "production")
    ]
    yield sites
    for site in sites:
        site.clear()


def test_clearing_one_sites_cache_leaves_the_other_sites_keys(two_sites):
    staging, production = two_sites
    staging.set("page", "staging page")
    production.set_many({"page": "production page", "facets": [1, 2]})

    assert staging.clear() is True

    assert staging.get("page") is None
    assert production.get_many(["page", "facets"]) == {
        "page": "production page",
        "facets": [1, 2],
    }


def test_a_key_prefix_with_glob_characters_clears_only_itself(settings):
    location = settings.CACHES["default"].get("LOCATION")
    if not location:
        unavailable("needs Redis at CACHE_URL")
    run = uuid.uuid4().hex[:8]
    star = ResilientRedisCache(location, {"KEY_PREFIX": f"site*{run}", "OPTIONS": {}})
    other = ResilientRedisCache(location, {"KEY_PREFIX": f"site-b{run}", "OPTIONS": {}})
    star.set("k", 1)
    other.set("k", 2)

    star.clear()

    assert star.get("k") is None
    assert other.get("k") == 2
    other.clear()
