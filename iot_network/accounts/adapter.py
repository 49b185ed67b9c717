import uuid

from allauth.account.adapter import DefaultAccountAdapter

from iot_network.notifications.services import notify


class AccountAdapter(DefaultAccountAdapter):
    """Sends allauth's mails (verification, password reset, ...) through the outbox."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        rendered = self.render_mail(template_prefix, email, context)
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
