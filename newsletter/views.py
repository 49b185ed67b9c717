"""Subscribing (double opt-in) and the archive of sent issues."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods, require_safe

from iot_network.notifications.services import normalise_email
from iot_network.web import ratelimit
from iot_network.web.responses import HttpResponseThen
from stories import text

from . import services
from .content import issue_context
from .forms import NewLinkForm, SubscribeForm
from .models import Issue, Subscriber


@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    initial = {"email": request.user.email} if request.user.is_authenticated else {}
    form = SubscribeForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if ratelimit.too_many(request, scope="newsletter-subscribe", limit=10, window=3600):
            return ratelimit.too_many_response(request)
        data = form.cleaned_data
        services.subscribe(
            email=data["email"],
            institutes=data["institutes"],
            routes=data["routes"],
            event_types=data["event_types"],
            user=request.user if request.user.is_authenticated else None,
        )
        # The same page whether or not the address was already subscribed: it says nothing
        # about who is on the list.
        return render(
            request,
            "newsletter/check_email.html",
            {"email": data["email"], "days": settings.NEWSLETTER_CONFIRM_DAYS},
        )
    return render(
        request,
        "newsletter/subscribe.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


# A link that cannot confirm: what its page says, and its status.
UNUSABLE = {
    "unknown": ("newsletter/confirm_invalid.html", 404),
    "used": ("newsletter/confirm_used.html", 410),
    "expired": ("newsletter/confirm_expired.html", 410),
}


def _unusable(request, state: str):
    template, status = UNUSABLE[state]
    return render(
        request,
        template,
        {"form": NewLinkForm(), "days": settings.NEWSLETTER_CONFIRM_DAYS},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token: str):
    """GET shows a button and POST confirms: mail scanners follow links but do not press
    buttons, so only the address's owner subscribes it. A link works once, for a few days."""
    subscriber = Subscriber.objects.filter(token=token).first()
    if subscriber is None:
        return _unusable(request, "unknown")
    if (state := subscriber.link_state()) != "valid":
        return _unusable(request, state)
    if request.method == "POST":
        try:
            subscriber = services.confirm(subscriber=subscriber)
        except services.LinkNotUsable as exc:  # a second click that lost the race
            return _unusable(request, exc.state)
        return render(request, "newsletter/confirmed.html", {"subscriber": subscriber})
    return render(
        request,
        "newsletter/confirm.html",
        {"subscriber": subscriber, "interests": services.interests_to_confirm(subscriber)},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def new_link(request):
    """Ask for a new confirmation link. The page after says the same for any address, so it
    tells no one who is on the list."""
    form = NewLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and ratelimit.too_many(
        request, scope="newsletter-new-link", limit=10, window=3600,
        per=request.POST.get("email", ""), per_limit=3,
    ):  # fmt: skip
        return ratelimit.too_many_response(request)
    if request.method == "POST" and form.is_valid():
        email = normalise_email(form.cleaned_data["email"])
        page = render_to_string(
            "newsletter/new_link_sent.html",
            {"email": email, "days": settings.NEWSLETTER_CONFIRM_DAYS},
            request,
        )
        # Making and queueing a link takes time only for an address on the list, so it is done
        # once this page has been sent: how long the answer takes tells no one who is on it.
        return HttpResponseThen(page, then=lambda: services.send_new_link(email=email))
    return render(
        request, "newsletter/new_link.html", {"form": form}, status=400 if form.is_bound else 200
    )


@require_safe
def archive(request):
    issues = Issue.objects.sent().only("subject", "sent_at")
    return render(request, "newsletter/archive.html", {"issues": issues})


@require_safe
def issue_page(request, pk: int):
    issue = get_object_or_404(Issue.objects.sent(), pk=pk)
    context = issue_context(issue)
    return render(
        request,
        "newsletter/issue.html",
        {"issue": issue, "introduction": text.render(issue.introduction), **context},
    )
