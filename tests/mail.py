"""Reading outbox rows as people receive them: rendered by delivery's own renderer."""

from django.core.mail import EmailMultiAlternatives

from iot_network.notifications.delivery import build_email


def rendered(message) -> EmailMultiAlternatives:
    return build_email(message)


def html(message) -> str:
    [(content, _mimetype)] = rendered(message).alternatives
    return content


def paragraphs(message) -> list[str]:
    """The plain-text body's paragraphs; an event mail runs "Dear …", heading, then its own."""
    return rendered(message).body.split("\n\n")


def heading(message) -> str:
    return paragraphs(message)[1]


def lead(message) -> list[str]:
    """What an event mail says before the event's details."""
    return paragraphs(message)[2:]
