"""Security properties of every page type, generated from the URL configuration where possible."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from courses.models import Enquiry, SavedSearch
from events.models import Registration
from iot_network.notifications.models import Message
from partners.models import Organisation
from tests.factories import CourseFactory, EventFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db

# Exempt from CSRF on purpose: RFC 8058 one-click unsubscribe is a POST from the mail client,
# with no cookie or token; the signed link in the URL is what authorises it.
# The shortlist toggle is exempt so course pages carry no per-visitor token and can be cached; it
# only changes an anonymous shortlist, and the SameSite=Lax session cookie is not sent with a
# cross-site POST anyway.
CSRF_EXEMPT = {"notifications:unsubscribe", "courses:shortlist_toggle"}
PLACEHOLDERS = {"slug": "x", "int": "1", "str": "token", "path": "x"}


def all_url_patterns(patterns=None, prefix="", namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            ns = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from all_url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = ":".join(filter(None, [namespace, pattern.name]))
            yield name, prefix + str(pattern.pattern)


def concrete(route: str) -> str:
    """A URL for a route, with made-up values in its parameters."""
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: PLACEHOLDERS.get(m.group(1) or "str", "x"), route)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "x", path).replace("^", "").replace("$", "")
    return "/" + path.replace("\\", "")


ROUTES = sorted(set(all_url_patterns()))


@pytest.mark.parametrize(("name", "route"), ROUTES, ids=[f"{n}" for n, _ in ROUTES])
def test_every_post_without_a_csrf_token_is_refused(name, route, settings):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user())
    counts = [m.objects.count() for m in (Message, Organisation, Registration, Enquiry)]
    response = client.post(concrete(route), {"email": "x@example.com", "name": "x"})
    if name in CSRF_EXEMPT:
        assert response.status_code != 500
        return
    if name.startswith("api:"):  # the open data API reads only, so it answers a POST with 405
        assert response.status_code in (403, 405), (name, response.status_code)
        assert counts == [m.objects.count() for m in (Message, Organisation, Registration, Enquiry)]
        return
    assert response.status_code in (403, 404), (name, response.status_code)
    if response.status_code == 404:  # only when the URL's parameter names nothing
        assert concrete(route) != "/" + route, name
    assert counts == [m.objects.count() for m in (Message, Organisation, Registration, Enquiry)]


@pytest.fixture
def pages(reference_data):
    course = CourseFactory()
    event = EventFactory()
    return {
        "home": "/",
        "list": "/courses/?level=4",
        "detail": course.get_absolute_url(),
        "form": f"/courses/{course.slug}/enquire/",
        "event": event.get_absolute_url(),
        "not found": "/no-such-page/",
        "bad filter": "/events/?date_from=bad",
        "account": "/account/login/",
        "health": "/healthz",
        "security.txt": "/.well-known/security.txt",
        "admin": "/admin/",
    }


def test_every_page_type_carries_the_security_headers(client, pages, settings):
    settings.SECURE_SSL_REDIRECT = False
    for label, url in pages.items():
        response = client.get(url, secure=True)
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        for directive in (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ):
            assert directive in csp, (label, directive)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", label
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin", label
        assert headers["X-Content-Type-Options"] == "nosniff", label
        assert headers["X-Frame-Options"] == "DENY", label
        assert "geolocation=(self)" in headers["Permissions-Policy"], label
        assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"]), label


def test_production_settings_send_hsts_and_secure_cookies(client, settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 63072000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    response = client.get("/account/login/", secure=True)
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=63072000; includeSubDomains; preload"
    )
    assert response.cookies["csrftoken"]["secure"]
    from allauth.account.models import EmailAddress

    user = UserFactory(email="me@example.com", password="a-long-password-1")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post(
        "/account/login/", {"login": user.email, "password": "a-long-password-1"}, secure=True
    )
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"


def test_security_txt_follows_rfc_9116_and_never_expires_soon(client, settings):
    settings.SECURITY_CONTACT_EMAIL = "security@network.example"
    response = client.get("/.well-known/security.txt")
    assert response["Content-Type"].startswith("text/plain")
    fields = dict(line.split(": ", 1) for line in response.content.decode().splitlines())
    assert fields["Contact"] == "mailto:security@network.example"
    expires = datetime.strptime(fields["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert expires > datetime.now(UTC) + timedelta(days=150)
    assert fields["Canonical"].endswith("/.well-known/security.txt")


def test_a_sane_incoming_request_id_is_kept_and_a_bad_one_replaced(client):
    assert client.get("/", HTTP_X_REQUEST_ID="lb-1234abcd")["X-Request-ID"] == "lb-1234abcd"
    replaced = client.get("/", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", replaced)


def test_json_logs_carry_the_request_id_and_no_query_string(rf):
    from iot_network.web.security import JsonFormatter, RequestIdFilter, request_id_var

    request = rf.get("/courses/?postcode=SW1A1AA&email=someone@example.com")
    token = request_id_var.set("abc123abc123")
    try:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Boom", (), None)
        record.request = request
        record.status_code = 500
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line["request_id"] == "abc123abc123"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/courses/", 500)
    assert "someone@example.com" not in json.dumps(line)
    assert "SW1A1AA" not in json.dumps(line)


@pytest.mark.parametrize(
    "query",
    ["q=%00", "page=%ff%fe", "q=" + "x" * 5000, "level=<script>", "postcode=%F0%9F%98%80",
     "start_from=31/02/2026", "radius=-1", "page=99999999999999999999"],
)  # fmt: skip
@pytest.mark.parametrize(
    "path", ["/courses/", "/apprenticeships/", "/events/", "/institutes/", "/partners/"]
)
def test_malformed_query_strings_never_cause_a_500(client, reference_data, path, query):
    assert client.get(f"{path}?{query}").status_code in (200, 400)


FORM_FIELDS = ("login", "password", "email", "password1", "password2", "name", "message", "phone")


@pytest.mark.parametrize(
    "path",
    ["/account/login/", "/account/signup/", "/account/password/reset/", "/courses/x/enquire/"],
)
def test_oversized_and_nul_input_gives_form_errors_not_a_500(client, path):
    CourseFactory(slug="x")
    huge = "x" * 100_000
    data = dict.fromkeys(FORM_FIELDS, huge)
    assert client.post(path, data).status_code in (200, 400, 429)
    nul = dict.fromkeys(data, "a\x00b")
    assert client.post(path, nul).status_code in (200, 400, 429)


def test_a_request_body_over_the_limit_is_a_400(client):
    response = client.post("/account/login/", {"login": "x" * 3_000_000, "password": "x"})
    assert response.status_code == 400


def test_private_links_are_404_when_tampered_with_or_someone_elses(client):
    event = EventFactory()
    registration = Registration.objects.create(
        event=event, name="Sam", email="sam@example.com", status="confirmed"
    )
    manage = registration.get_manage_url()
    assert client.get(manage).status_code == 200
    tampered = manage.rstrip("/")[:-3] + "abc/"
    assert client.get(tampered).status_code in (400, 404)
    owner, other = UserFactory(), UserFactory()
    search = SavedSearch.objects.create(user=owner, name="Cyber", query="q=cyber")
    client.force_login(other)
    assert client.post(f"/courses/saved-searches/{search.pk}/delete/").status_code == 404
    assert SavedSearch.objects.filter(pk=search.pk).exists()
    assert client.get("/email/unsubscribe/not-a-real-token/").status_code in (400, 404)
