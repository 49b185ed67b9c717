from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core import signing
from django.db.models import F, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from institutes.models import Institute, Route
from iot_network.web import compiled, ratelimit, shared_parts
from iot_network.web.listing import EmptyState, Suggestion, filtered_listing
from iot_network.web.templatetags.site import ld_json

from . import notices, services
from .calendar import calendar
from .filters import EventFilter
from .forms import ChangeRegistrationForm, FeedbackForm, RegistrationForm
from .models import Event, Registration, RegistrationEquality, RegistrationState, Session
from .presenters import event_json_ld

FEED_WINDOW = 200


# What a list item shows (events/templatetags/event_items.py): events' and institutes' rows
# are wide, and building them whole was a tenth of the events page.
LIST_FIELDS = (
    "slug", "title", "summary", "status", "event_type", "starts_at", "is_online", "venue_name",
    "capacity", "institute__name",
)  # fmt: skip


# The events list and an event's page are the same for everyone who asks their URL, so their
# parts are kept for everyone (iot_network/web/shared_parts.py). An event page's registration
# panel (places left, open or closed) is read live for each request.
LIST_PART = "event-list"
DETAIL_PART = "event-detail"


@require_safe
def event_list(request):
    parts = shared_parts.page_parts(request, LIST_PART, lambda: _event_list_parts(request))
    return render(request, "events/event_list.html", {"parts": parts}, status=parts["status"])


def _event_list_parts(request) -> dict:
    events = (
        Event.objects.visible().select_related("institute").only(*LIST_FIELDS).with_places_taken()
    )
    listing = filtered_listing(
        request,
        EventFilter,
        events.upcoming(),
        noun="upcoming events",
        when_none=EmptyState(
            message="There are no upcoming events at the moment",
            explanation="Institutes of Technology add open days, taster sessions, webinars "
            "and employer events through the year.",
            suggestions=[Suggestion("follow events in your calendar or news reader", "#follow")],
        ),
    )
    past_events = Event.objects.visible().select_related("institute").only(*LIST_FIELDS).past()[:6]
    context = {"listing": listing, "past_events": past_events}
    return {
        "html": render_to_string("events/_event_list.html", context, request),
        "title": listing.title_prefix,
        "status": listing.status,
    }


def _public_event(slug: str) -> Event:
    return get_object_or_404(
        Event.objects.visible()
        .select_related("institute")
        .with_places_taken()
        .prefetch_related(
            "routes",
            Prefetch("sessions", queryset=Session.objects.prefetch_related("speakers")),
        ),
        slug=slug,
    )


# What the live registration panel shows (events/_event_panel.html).
PANEL_FIELDS = (
    "slug", "title", "status", "starts_at", "ends_at", "capacity", "registration_opens_at",
    "registration_closes_at",
)  # fmt: skip


# The live part of an event's page, and its state for the registration form: one query,
# compiled once per process.
_live_panel = compiled.by_slug(
    lambda slug: Event.objects.visible().only(*PANEL_FIELDS).with_places_taken().filter(slug=slug)
)


def _live_event(slug: str) -> Event:
    event = _live_panel(slug)
    if event is None:
        raise Http404("No such event")
    return event


@require_safe
@cache_control(no_cache=True)  # its live part must be fresh for everyone
def event_detail(request, slug: str):
    event = _live_event(slug)
    places_left = event.places_left(event.places_taken)
    state, full = event.registration_state(), places_left == 0
    panel = render_to_string(
        "events/_event_panel.html",
        {"event": event, "places_left": places_left, "registration_state": state, "full": full},
    )
    # Kept apart for each status and state, so that a cancellation notice and the JSON-LD's
    # event status and availability change with the live panel, not a minute later.
    parts = shared_parts.page_parts(
        request,
        f"{DETAIL_PART}-{event.status}-{state}-{full:d}",
        lambda: _event_parts(request, slug),
    )
    return render(
        request,
        "events/event_detail.html",
        {"parts": parts, "content": shared_parts.fill(parts["html"], panel=panel)},
    )


def _event_parts(request, slug: str) -> dict:
    event = _public_event(slug)
    json_ld = ld_json(event_json_ld(event, event.places_left(event.places_taken)))
    return {
        "name": event.title,
        "summary": event.summary,
        "json_ld": json_ld,
        "html": render_to_string(
            "events/_event_detail.html",
            {"event": event, "panel_slot": shared_parts.slot("panel")},
            request,
        ),
    }


@require_http_methods(["GET", "HEAD", "POST"])
def register(request, slug: str):
    if request.method != "POST":
        return _registration_form(request, slug)
    # The form page shows none of the agenda or routes, so none is fetched: in a registration
    # rush every visitor loads this page and posts it.
    event = _event_to_register_for(slug)
    if event is None:
        raise Http404("No such event")
    state = event.registration_state()
    if ratelimit.too_many(
        request, scope="event-registration", limit=30, window=3600,
        per=request.POST.get("email", ""), per_limit=7,
    ):  # fmt: skip
        return ratelimit.too_many_response(request)
    form = RegistrationForm(request.POST, event=event)
    if state == RegistrationState.OPEN and form.is_valid():
        try:
            registration = services.register(
                event_id=event.pk,
                details=form.details(),
                equality=form.equality_answers(),
                unlocked=event,
            )
        except services.RegistrationError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("events:registered", token=registration.token)
    parts = _registration_parts(request, event, form, state, _is_full(event))
    return _registration_page(request, parts, status=400 if form.errors else 200)


# The event as a registration needs it, read in one query compiled once per process: in a rush
# every POST reads it, and compiling the read took longer than the database took to answer.
_event_to_register_for = compiled.by_slug(
    lambda slug: services.event_for_registration(
        Event.objects.visible(), institute_row=False
    ).filter(slug=slug)
)


def _registration_form(request, slug: str):
    """The empty form, the same for everyone for the event's state (open or not, full or not,
    both read live): in a rush every visitor asks for it, so it is kept as a shared part and
    only the CSRF token is each visitor's."""
    event = _live_event(slug)
    state, full = event.registration_state(), _is_full(event)
    if request.user.is_authenticated:
        # Someone signed in gets their own name and email filled in: a form of their own.
        user = request.user
        form = RegistrationForm(event=event, initial={"name": user.full_name, "email": user.email})
        return _registration_page(request, _registration_parts(request, event, form, state, full))
    parts = shared_parts.page_parts(
        request,
        f"event-register-{event.status}-{state}-{full:d}",
        lambda: _registration_parts(request, event, RegistrationForm(event=event), state, full),
    )
    return _registration_page(request, parts)


def _is_full(event: Event) -> bool:
    return event.places_left(event.places_taken) == 0


def _registration_parts(request, event: Event, form, state: str, full: bool) -> dict:
    context = {
        "event": event,
        "form": form,
        "state": state,
        "full": full,
        "csrf_slot": shared_parts.slot("csrf"),
    }
    return {
        "name": event.title,
        "url": event.get_absolute_url(),
        "title": f"{'Error: ' if form.errors else ''}Register for {event.title}",
        "html": render_to_string("events/_register.html", context, request),
    }


def _registration_page(request, parts: dict, *, status: int = 200):
    return render(
        request,
        "events/register.html",
        {"parts": parts, "content": shared_parts.fill(parts["html"], csrf=csrf_input(request))},
        status=status,
    )


def _registration_or_404(token: str) -> Registration:
    try:
        return Registration.from_token(token)
    except (signing.BadSignature, Registration.DoesNotExist):
        raise Http404("No such registration") from None


# What the confirmation page shows, read in one query compiled once per process: in a rush
# every visitor lands here, and compiling the read of a registration with its event and
# institute took twice as long as the database took to answer it.
_confirmation = compiled.by_pk(
    lambda pk: (
        Registration.objects.filter(pk=pk)
        .only("id", "status", "email")
        .annotate(event_title=F("event__title"))
    )
)


@require_safe
def registered(request, token: str):
    try:
        registration = _confirmation(Registration.id_from_token(token))
    except signing.BadSignature:
        registration = None
    if registration is None:
        raise Http404("No such registration")
    return render(request, "events/registered.html", {"registration": registration})


def _too_many_changes(request, token: str) -> bool:
    """Changes and cancellations send mail: 20 an hour per registration link is plenty."""
    return ratelimit.too_many(
        request, scope="registration-change", limit=80, window=3600, per=token, per_limit=20
    )


@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, token: str):
    """The page every mail links to: see, change or cancel a registration, no account needed."""
    registration = _registration_or_404(token)
    event = registration.event
    initial = {
        "name": registration.name,
        "organisation": registration.organisation,
        "accessibility_needs": registration.accessibility_needs,
        "dietary_needs": registration.dietary_needs,
        "sessions": list(registration.sessions.all()),
    }
    if request.method == "POST" and _too_many_changes(request, token):
        return ratelimit.too_many_response(request)
    form = ChangeRegistrationForm(
        request.POST if request.method == "POST" else None, initial=initial, event=event
    )
    if request.method == "POST" and registration.can_change and form.is_valid():
        details = form.details()
        try:
            services.change_registration(registration_id=registration.pk, details=details)
        except services.RegistrationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Your registration has been updated.")
            return redirect(registration.get_manage_url())
    return render(
        request,
        "events/manage.html",
        {
            "registration": registration,
            "event": event,
            "form": form,
            "token": token,
            "has_equality_answers": RegistrationEquality.objects.filter(
                registration=registration
            ).exists(),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request, token: str):
    registration = _registration_or_404(token)
    if request.method == "POST" and _too_many_changes(request, token):
        return ratelimit.too_many_response(request)
    if request.method == "POST":
        try:
            services.cancel_registration(registration_id=registration.pk)
        except services.RegistrationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, "Your registration has been cancelled. We have emailed you to confirm."
            )
        return redirect(registration.get_manage_url())
    return render(
        request, "events/cancel.html", {"registration": registration, "event": registration.event}
    )


@require_POST
def withdraw_equality_answers(request, token: str):
    """Delete the registrant's equality monitoring answers, whenever they ask."""
    registration = _registration_or_404(token)
    services.withdraw_equality_answers(registration_id=registration.pk)
    messages.success(request, "Your equality monitoring answers have been deleted.")
    return redirect(registration.get_manage_url())


@require_POST
def accept_offer(request, token: str):
    registration = _registration_or_404(token)
    try:
        services.accept_offer(registration_id=registration.pk)
    except services.RegistrationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The place is yours. We have emailed your confirmation.")
    return redirect(registration.get_manage_url())


@require_http_methods(["GET", "HEAD", "POST"])
def feedback(request, token: str):
    registration = _registration_or_404(token)
    event = registration.event
    if not event.has_ended or not registration.holds_a_place:
        raise Http404("Feedback opens when the event is over")
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.record_feedback(registration=registration, **form.cleaned_data)
        messages.success(request, "Thank you for your feedback.")
        return redirect("events:detail", slug=event.slug)
    return render(
        request,
        "events/feedback.html",
        {"registration": registration, "event": event, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


# Calendars and feeds -------------------------------------------------------------------------


def _ics_response(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
def event_ics(request, slug: str):
    event = get_object_or_404(Event.objects.visible().select_related("institute"), slug=slug)
    return _ics_response(calendar([event]), f"{event.slug}.ics")


def _feed_events():
    # Cancelled events stay in the feed (as cancelled) so subscribers' calendars update.
    return Event.objects.visible().select_related("institute").order_by("-starts_at")[:FEED_WINDOW]


@require_safe
def network_calendar(request):
    return _ics_response(
        calendar(_feed_events(), name="Institutes of Technology events"), "iot-events.ics"
    )


@require_safe
def institute_calendar(request, slug: str):
    institute = get_object_or_404(Institute, slug=slug)
    events = Event.objects.visible().filter(institute=institute).select_related("institute")
    events = events.order_by("-starts_at")[:FEED_WINDOW]
    return _ics_response(calendar(events, name=f"{institute.name} events"), f"{slug}-events.ics")


@require_safe
def route_calendar(request, slug: str):
    route = get_object_or_404(Route, slug=slug)
    events = Event.objects.visible().filter(routes=route).select_related("institute")
    events = events.order_by("-starts_at")[:FEED_WINDOW]
    return _ics_response(calendar(events, name=f"{route.name} events"), f"{slug}-events.ics")


class EventFeed(Feed):
    feed_type = Atom1Feed
    title = "Institutes of Technology events"
    subtitle = "Open days, webinars, employer events and the national conference."

    def link(self):
        return reverse("events:list")

    def items(self):
        return Event.objects.visible().upcoming().select_related("institute")[:50]

    def item_title(self, item):
        return f"Cancelled: {item.title}" if item.is_cancelled else item.title

    def item_description(self, item):
        parts = [notices.when_text(item), notices.where_text(item)]
        return " ".join([*(notices.sentence(part) for part in parts if part), item.summary])

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_guid(self, item):
        return settings.SITE_URL + item.get_absolute_url()
