"""Every account page (allauth and its two-factor pages), with the person who sees it, for the
wording test (tests/accounts/test_wording.py) and the accessibility sweep
(tests/browser/test_account_pages.py). ``ACCOUNT_URL_NAMES`` lists every allauth route; a new
one fails both until it is listed here or in ``NOT_PAGES``."""

from __future__ import annotations

import functools

from django.urls import URLPattern, URLResolver, get_resolver

PASSWORD = "a-long-test-password"
LEARNER, GUARDED = "learner@accounts.example", "guarded@accounts.example"

# Routes that are not pages for people to read.
NOT_PAGES = {
    "mfa_download_recovery_codes": "a text file of codes",
}

# (url name, path or a key of the made-up data, who is signed in, the heading expected)
# who: None, "learner", "guarded" (two-factor on), "guarded-half" (password given, code next).
PAGES = [
    ("account_login", "/account/login/", None, "Sign in"),
    ("account_signup", "/account/signup/", None, "Create an account"),
    ("account_reset_password", "/account/password/reset/", None, "Reset your password"),
    ("account_reset_password_done", "/account/password/reset/done/", None, "Check your email"),
    ("account_reset_password_from_key", "RESET_LINK", None, "Choose a new password"),
    ("account_reset_password_from_key", "/account/password/reset/key/x-y/", None,
     "This link has expired"),
    ("account_reset_password_from_key_done", "/account/password/reset/key/done/", None,
     "Your password has been changed"),
    ("account_email_verification_sent", "/account/confirm-email/", None, "Check your email"),
    ("account_confirm_email", "CONFIRM_LINK", None, "Confirm your email address"),
    ("account_confirm_email", "/account/confirm-email/not-a-key/", None,
     "Confirm your email address"),
    ("account_inactive", "/account/inactive/", None, "This account has been closed"),
    ("account_confirm_login_code", "/account/login/code/confirm/", None, "Sign in"),
    ("account_email", "/account/email/", "learner", "Email addresses"),
    ("account_change_password", "/account/password/change/", "learner", "Change your password"),
    ("account_set_password", "/account/password/set/", "learner", "Change your password"),
    ("account_reauthenticate", "/account/reauthenticate/", "learner", "Enter your password"),
    ("account_logout", "/account/logout/", "learner", "Sign out"),
    ("mfa_index", "/account/2fa/", "learner", "Two-factor authentication"),
    ("mfa_activate_totp", "/account/2fa/totp/activate/", "learner", "Set up an authenticator app"),
    ("mfa_index", "/account/2fa/", "guarded", "Two-factor authentication"),
    ("mfa_deactivate_totp", "/account/2fa/totp/deactivate/", "guarded",
     "Turn off the authenticator app"),
    ("mfa_view_recovery_codes", "/account/2fa/recovery-codes/", "guarded", "Your recovery codes"),
    ("mfa_generate_recovery_codes", "/account/2fa/recovery-codes/generate/", "guarded",
     "Make new recovery codes"),
    ("mfa_reauthenticate", "/account/2fa/reauthenticate/", "guarded", "Enter your code"),
    ("mfa_authenticate", "/account/2fa/authenticate/", "guarded-half", "Enter your code"),
]  # fmt: skip


def account_url_names(patterns=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from account_url_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and (pattern.name or "").startswith(
            ("account_", "mfa_")
        ):
            if "admin" in str(pattern.lookup_str):
                continue  # the staff workspace's pages for allauth's models
            yield pattern.name


@functools.cache
def hashed_password() -> str:
    """Hashing is slow on purpose; once per test run is enough."""
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


def make_people():
    """A learner with a second address waiting for confirmation, and a person with two-factor
    authentication on. Returns the private links the pages need."""
    from allauth.account.forms import default_token_generator
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC
    from allauth.account.utils import user_pk_to_url_str
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from tests.factories import UserFactory

    people = {}
    for key, email in (("learner", LEARNER), ("guarded", GUARDED)):
        user = UserFactory(email=email, password=None)
        user.password = hashed_password()
        user.save(update_fields=["password"])
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        people[key] = user
    # Someone who has just signed up, so two-factor set-up is not refused for an address
    # that is still waiting.
    newcomer = UserFactory(email="new@accounts.example", password=None)
    waiting = EmailAddress.objects.create(
        user=newcomer, email="new@accounts.example", verified=False, primary=True
    )
    secret = generate_totp_secret()
    TOTP.activate(people["guarded"], secret)
    RecoveryCodes.activate(people["guarded"])
    learner = people["learner"]
    key = default_token_generator.make_token(learner)
    return {
        "people": people,
        "secret": secret,
        "RESET_LINK": f"/account/password/reset/key/{user_pk_to_url_str(learner)}-{key}/",
        "CONFIRM_LINK": f"/account/confirm-email/{EmailConfirmationHMAC(waiting).key}/",
    }


def current_code(secret: str) -> str:
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    period = app_settings.TOTP_PERIOD
    while time.time() % period > period - 5:  # too little time left to send it in this window
        time.sleep(0.25)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))
