"""Subscribing (double opt-in) and the archive of sent issues."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods, require_safe

from iot_network.web import ratelimit
from stories import text

from . import services
from .content import issue_context
from .forms import SubscribeForm
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
        return render(request, "newsletter/check_email.html", {"email": data["email"]})
    return render(
        request,
        "newsletter/subscribe.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token: str):
    """GET shows a button and POST confirms: mail scanners follow links but do not press
    buttons, so only the address's owner subscribes it."""
    subscriber = Subscriber.objects.filter(token=token).first()
    if subscriber is None:
        return render(request, "newsletter/confirm_invalid.html", status=404)
    if request.method == "POST":
        services.confirm(subscriber=subscriber)
        return render(request, "newsletter/confirmed.html", {"subscriber": subscriber})
    return render(request, "newsletter/confirm.html", {"subscriber": subscriber})


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
