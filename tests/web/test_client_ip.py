"""Who the client is, behind load balancers: one rule for our rate limits and allauth's."""

from __future__ import annotations

import pytest
from allauth.account.adapter import get_adapter
from django.test import RequestFactory

from iot_network.web.client_ip import client_ip
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"  # the load balancer's address, what REMOTE_ADDR shows behind it


def _request(remote="198.51.100.7", **headers):
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


@pytest.mark.parametrize(
    ("count", "header", "meta", "expected"),
    [
        # No proxy trusted: X-Forwarded-For is whatever the client wrote, so it is ignored.
        (0, None, {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}, "198.51.100.7"),
        # One proxy: it appended the address it saw, the last entry; earlier ones are forgeable.
        (1, None, {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9"}, "203.0.113.9"),
        (2, None, {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9, 10.0.0.9"}, "203.0.113.9"),
        # Fewer entries than proxies: the request went round a proxy; the connecting address.
        (2, None, {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}, "198.51.100.7"),
        (1, None, {}, "198.51.100.7"),
        # Garbage is never an identity.
        (1, None, {"HTTP_X_FORWARDED_FOR": "not-an-address"}, "198.51.100.7"),
        (1, None, {"HTTP_X_FORWARDED_FOR": "203.0.113.9:4431"}, "203.0.113.9"),
        (1, None, {"HTTP_X_FORWARDED_FOR": "[2001:db8::1]:443"}, "2001:db8::1"),
        # A header the edge sets (and strips from clients).
        ("", "CF-Connecting-IP", {"HTTP_CF_CONNECTING_IP": "203.0.113.9"}, "203.0.113.9"),
        ("", "CF-Connecting-IP", {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}, "198.51.100.7"),
    ],
)
def test_the_client_address_follows_the_trusted_proxy_setting(
    settings, count, header, meta, expected
):
    settings.TRUSTED_PROXY_COUNT = count or 0
    settings.TRUSTED_CLIENT_IP_HEADER = header
    request = _request(**meta)
    assert client_ip(request) == expected
    assert get_adapter().get_client_ip(request) == expected  # allauth counts the same person


def test_a_request_without_any_address_still_gets_an_identity(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(remote="")) == "unknown"


def _enquire(client, url, n, **meta):
    data = {"name": "Sam", "message": "Hello", "consent": "on", "email": f"p{n}@example.com"}
    return client.post(url, data, REMOTE_ADDR=PROXY, **meta).status_code


def test_two_people_behind_one_load_balancer_have_separate_budgets(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    url = f"/courses/{CourseFactory().slug}/enquire/"
    first = [_enquire(client, url, n, HTTP_X_FORWARDED_FOR="203.0.113.1") for n in range(21)]
    assert first[:20] == [302] * 20 and first[20] == 429
    # Someone else arriving through the same balancer is not locked out by the first person.
    assert _enquire(client, url, 99, HTTP_X_FORWARDED_FOR="203.0.113.2") == 302
    # Prepending a made-up address changes nothing: the balancer's own entry is the last.
    forged = "192.0.2.77, 203.0.113.1"
    assert _enquire(client, url, 100, HTTP_X_FORWARDED_FOR=forged) == 429


def test_forging_x_forwarded_for_gains_nothing_when_no_proxy_is_trusted(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    url = f"/courses/{CourseFactory().slug}/enquire/"
    statuses = [_enquire(client, url, n, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}") for n in range(21)]
    assert statuses[:20] == [302] * 20 and statuses[20] == 429


def _bad_sign_in(client, email, **meta) -> str:
    data = {"login": email, "password": "wrong-password"}
    page = client.post("/account/login/", data, REMOTE_ADDR=PROXY, **meta).content.decode()
    return "throttled" if "Too many failed login attempts" in page else "refused"


def test_sign_in_throttles_count_each_person_behind_the_balancer(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # "10/m/ip": ten failures from one person, each against a different account.
    users = [UserFactory(email=f"u{n}@example.com") for n in range(12)]
    statuses = [
        _bad_sign_in(client, u.email, HTTP_X_FORWARDED_FOR="203.0.113.1") for u in users[:11]
    ]
    assert statuses == ["refused"] * 10 + ["throttled"]
    assert _bad_sign_in(client, users[11].email, HTTP_X_FORWARDED_FOR="203.0.113.2") == "refused"


def test_sign_in_throttles_ignore_forged_forwarding_headers_without_a_trusted_proxy(
    client, settings
):
    settings.TRUSTED_PROXY_COUNT = 0
    users = [UserFactory(email=f"u{n}@example.com") for n in range(11)]
    statuses = [
        _bad_sign_in(client, u.email, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        for n, u in enumerate(users)
    ]
    assert statuses == ["refused"] * 10 + ["throttled"]
