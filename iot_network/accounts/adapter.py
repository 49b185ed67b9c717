import uuid
from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from iot_network.notifications.services import notify
from iot_network.web.client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    """Sends allauth's mails (verification, password reset, ...) through the outbox."""

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
