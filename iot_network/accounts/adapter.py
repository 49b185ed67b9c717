import uuid
from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings

from iot_network.notifications.services import notify
from iot_network.web.client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    """Sends allauth's mails (verification, password reset, ...) through the outbox, and words
    allauth's errors the site's way."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": "This account has been closed. Contact us if you need it back.",
        "cannot_remove_primary_email": "You cannot remove your main email address. Make another "
        "address your main one first.",
        "duplicate_email": "This email address is already on your account.",
        "email_password_mismatch": "The email address or password is not correct. Check them "
        "and try again.",
        "email_taken": "Enter a different email address: this one cannot be used.",
        "enter_current_password": "Enter your current password.",
        "incorrect_code": "The code is not correct. Check it and try again.",
        "incorrect_password": "The password is not correct. Check it and try again.",
        "invalid_or_expired_key": "This link has expired or has already been used. Ask for a "
        "new one.",
        "invalid_login": "The email address or password is not correct. Check them and try again.",
        "invalid_password_reset": "This link has expired or has already been used. Ask for a "
        "new one.",
        "max_email_addresses": "You cannot add more than %d email addresses.",
        "too_many_login_attempts": "Too many failed login attempts. Wait 5 minutes, then try "
        "again.",
        "unknown_email": "There is no account with this email address. Check it, or create an "
        "account.",
        "unverified_primary_email": "Confirm your main email address first: follow the link in "
        "the email we sent you.",
        "same_as_current": "Enter something different from what you have now.",
        "rate_limited": "You have tried this too many times. Wait a few minutes, then try again.",
    }

    def get_client_ip(self, request) -> str:
        # One rule for who the client is, shared with our own rate limits (client_ip.py).
        return client_ip(request)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth greets with the site's name; without django.contrib.sites it would be blank.
        site = SimpleNamespace(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)
        # allauth's own send_mail puts the address in the context too ("an account with email …").
        ctx = {"email": email, **context, "current_site": site}
        rendered = self.render_mail(template_prefix, email, ctx)
        html = next(
            (
                body
                for body, mimetype in getattr(rendered, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        notify(
            to=email,
            kind="account",
            # Every request (a second password reset, say) is a new message.
            dedupe_key=f"account:{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4().hex}",
            context={"subject": rendered.subject, "text": rendered.body, "html": html},
        )


class MFAAdapter(DefaultMFAAdapter):
    """Two-factor authentication's errors in the site's words."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "add_email_blocked": "You cannot add an email address while two-factor authentication "
        "is on.",
        "cannot_delete_authenticator": "You cannot turn off two-factor authentication.",
        "cannot_generate_recovery_codes": "Turn on two-factor authentication before you make "
        "recovery codes.",
        "incorrect_code": "The code is not correct. Enter the 6-digit code your authenticator "
        "app shows now.",
        "unverified_email": "Confirm your email address before you turn on two-factor "
        "authentication.",
    }
