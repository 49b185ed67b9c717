"""Parts of pages that are the same for everyone ({% shared_fragment %}) are rendered once and
reused, for signed-in visitors too, while what is personal stays personal."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import EventFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fragments(settings):
    settings.FRAGMENT_CACHE_SECONDS = 60


def queries_for(client, path: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        content = client.get(path).content.decode()
    return len(queries), content


def test_the_home_page_renders_its_shared_parts_once(client, reference_data, fragments):
    EventFactory(title="Robotics open day")
    first, content = queries_for(client, "/")
    again, cached = queries_for(client, "/")
    assert "Robotics open day" in content and "across England" in content
    assert cached == content  # the same page, word for word
    assert again == 0 and first >= 4  # institutes, course count, events, stories: none again


def test_an_edit_shows_once_the_fragment_expires(client, reference_data, fragments, settings):
    queries_for(client, "/")
    EventFactory(title="Robotics open day")
    assert "Robotics open day" not in client.get("/").content.decode()  # kept 60 s, as pages
    settings.FRAGMENT_CACHE_SECONDS = 0
    assert "Robotics open day" in client.get("/").content.decode()


def test_what_is_personal_is_not_shared(client, reference_data, fragments):
    client.get("/")  # an anonymous visitor fills the shared fragments
    member = MemberFactory()
    client.force_login(member.user)
    content = client.get("/").content.decode()
    assert "Your partnership" in content and "Become a partner" not in content


def test_the_page_still_renders_with_the_cache_down(client, reference_data, fragments, monkeypatch):
    from django.core.cache import cache

    # The production cache (ResilientRedisCache) turns an outage into a miss; a plain cache
    # that returns nothing behaves the same for the page.
    monkeypatch.setattr(cache, "get", lambda *a, **k: None)
    monkeypatch.setattr(cache, "set", lambda *a, **k: None)
    response = client.get("/")
    assert response.status_code == 200
    assert "There are 21 across England" in response.content.decode()


def test_a_process_keeps_the_fragments_it_used_until_they_expire_in_the_shared_cache(
    client, reference_data, fragments, monkeypatch
):
    from django.core.cache import cache

    from iot_network.web import shared_parts

    first = client.get("/").content.decode()
    asked = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda *a, **k: asked.append(a[0]) or real_get(*a, **k))
    assert client.get("/").content.decode() == first
    assert not [key for key in asked if key.startswith("fragment:")]  # no round trip
    # Once the shared copy's time is up, the process asks the shared cache again.
    shared_parts.FRAGMENTS.expire_all()
    assert client.get("/").content.decode() == first
    assert [key for key in asked if key.startswith("fragment:")]
