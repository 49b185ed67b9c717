"""Every account page and account mail in the site's voice: sentence case, British spelling,
plain words (tests/wording.py), in the site's own templates."""

from __future__ import annotations

from pathlib import Path

import pytest
from allauth.account.adapter import get_adapter
from django.conf import settings
from django.test import Client

from tests.accounts.pages import (
    GUARDED,
    LEARNER,
    NOT_PAGES,
    PAGES,
    PASSWORD,
    account_url_names,
    current_code,
    make_people,
)
from tests.factories import UserFactory
from tests.wording import wording_problems


@pytest.fixture
def accounts(db):
    return make_people()


def client_for(accounts, who) -> Client:
    """Signed in through the sign-in form (allauth asks for the password again on some pages
    unless the person signed in recently)."""
    client = Client()
    if who is None:
        return client
    email = LEARNER if who == "learner" else GUARDED
    client.post("/account/login/", {"login": email, "password": PASSWORD})
    if who == "guarded":
        client.post("/account/2fa/authenticate/", {"code": current_code(accounts["secret"])})
    if who in ("learner", "guarded"):
        # Two-factor settings ask for the password again even just after signing in.
        client.post("/account/reauthenticate/", {"password": PASSWORD})
    return client


def test_every_account_route_is_a_listed_page_or_not_a_page(db):
    listed = {name for name, *_ in PAGES} | set(NOT_PAGES)
    missing = set(account_url_names()) - listed
    assert not missing, f"add these account pages to tests/accounts/pages.py: {sorted(missing)}"


def test_every_account_page_speaks_in_the_site_voice(accounts):
    problems = {}
    clients = {}
    for name, path, who, heading in PAGES:
        client = clients.setdefault(who, client_for(accounts, who))
        response = client.get(accounts.get(path, path), follow=True)
        html = response.content.decode()
        found = wording_problems(html)
        if response.status_code != 200 or f"<h1>{heading}</h1>" not in html:
            found.append(f"{response.status_code}, not '{heading}': {response.redirect_chain}")
        if 'class="skip-link"' not in html:
            found.append("not in the site's layout")
        if found:
            problems[f"{name} {path} ({who})"] = found
    assert not problems, "\n".join(f"{page}: {found}" for page, found in problems.items())


def test_every_account_form_sent_empty_names_each_field_it_needs(accounts):
    problems = {}
    for name, path, who, _ in PAGES:
        if name == "account_logout":
            continue
        client = client_for(accounts, who)
        page = client.get(accounts.get(path, path), follow=True)
        url = page.redirect_chain[-1][0] if page.redirect_chain else accounts.get(path, path)
        response = client.post(url, {})
        if response.status_code in (301, 302):
            continue  # a page without a form to fill in (a confirmation)
        html = response.content.decode()
        found = wording_problems(html)
        if "This field is required" in html:
            found.append("an error that does not name its field")
        if found:
            problems[f"{name} {path} ({who})"] = found
    assert not problems, "\n".join(f"{page}: {found}" for page, found in problems.items())


def mail_prefixes() -> list[str]:
    """Every mail allauth can send with our settings: each *_subject.txt in its templates."""
    import allauth

    root = Path(allauth.__file__).parent / "templates"
    prefixes = []
    for folder in ("account/email", "mfa/email"):
        for subject in sorted((root / folder).glob("*_subject.txt")):
            prefix = f"{folder}/{subject.name.removesuffix('_subject.txt')}"
            # Phones and security keys are switched off (MFA_SUPPORTED_TYPES, no phone field).
            if "webauthn" not in prefix and "phone" not in prefix:
                prefixes.append(prefix)
    return prefixes


MAIL_CONTEXT = {
    "user": None,
    "email": "someone@accounts.example",
    "activate_url": "https://example.org/account/confirm-email/KEY/",
    "password_reset_url": "https://example.org/account/password/reset/key/1-KEY/",
    "signup_url": "https://example.org/account/signup/",
    "code": "123456",
    "from_email": "old@accounts.example",
    "to_email": "new@accounts.example",
    "deleted_email": "old@accounts.example",
    "ip": "192.0.2.1",
    "user_agent": "Firefox",
    "timestamp": "30 November 2026, 12:00",
}


@pytest.mark.parametrize("prefix", mail_prefixes())
def test_every_account_mail_speaks_in_the_site_voice(prefix):
    adapter = get_adapter()
    context = {**MAIL_CONTEXT, "user": UserFactory.build(email="someone@accounts.example")}
    context["current_site"] = type("Site", (), {"name": settings.SITE_NAME, "domain": "x.org"})
    mail = adapter.render_mail(prefix, "someone@accounts.example", context)
    # The site's own templates, not allauth's "Hello from ...!" and "[site] Subject".
    assert not mail.subject.startswith("["), mail.subject
    assert "Hello from" not in mail.body and "Thank you for using" not in mail.body
    problems = wording_problems(mail.body, html=False, headings=[mail.subject])
    assert problems == [], (prefix, mail.subject)


def test_the_mail_list_is_not_empty_and_has_the_usual_mails():
    prefixes = set(mail_prefixes())
    assert {
        "account/email/email_confirmation_signup",
        "account/email/password_reset_key",
        "mfa/email/totp_activated",
    } <= prefixes


@pytest.mark.parametrize(
    "text",
    [
        "<h1>Sign In</h1>",
        "<label>Remember Me</label>",
        "<p>Please finalize your account.</p>",
        "<title>[IoT Network] Please Confirm Your Email Address</title>",
        "<button>Make Primary</button>",
        "<p>Pick a color.</p>",
    ],
)
def test_the_wording_check_catches_allauths_own_words(text):
    assert wording_problems(text)


def test_the_wording_check_lets_sentence_case_and_names_through():
    page = "<h1>Find a course at an Institute of Technology</h1><p>Your organisation's UKPRN.</p>"
    assert wording_problems(page) == []
