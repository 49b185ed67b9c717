"""Fault tests: the portal keeps serving people when the cache or the broker is down, and
nothing they did is lost. Real gunicorn, real PostgreSQL, real refused connections."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils import timezone

from courses.models import Enquiry
from events.models import Registration
from iot_network.notifications import delivery
from iot_network.notifications.models import Message
from tests.factories import (
    CourseFactory,
    CourseRunFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.faults.conftest import DEAD_REDIS
from tests.security.test_security import ROUTES

pytestmark = [pytest.mark.faults, pytest.mark.postgresql, pytest.mark.redis]

# Routes without parameters that a visitor can open (admin has its own sign-in; POST-only
# routes answer 405 and are covered by the form journeys below).
PUBLIC_ROUTES = sorted(
    "/" + route
    for name, route in ROUTES
    if "<" not in route and not route.startswith(settings.ADMIN_URL)
)


@pytest.fixture
def site(reference_data):
    course = CourseFactory(title="Mechatronics HNC")
    CourseRunFactory(course=course)
    event = EventFactory(title="Robotics open day", capacity=40)
    organisation = OrganisationFactory()
    learner = UserFactory(email="learner@example.com")
    EmailAddress.objects.create(user=learner, email=learner.email, verified=True, primary=True)
    return {
        "course": course,
        "event": event,
        "pages": [
            *PUBLIC_ROUTES,
            course.get_absolute_url(),
            event.get_absolute_url(),
            course.institute.get_absolute_url(),
            organisation.get_absolute_url(),
            "/courses/?q=mechatronics&level=4",
            "/courses/?q=nursing",
            "/events/?q=robotics",
        ],
    }


def register(browser, event, email: str):
    return browser.submit(
        f"/events/{event.slug}/register/",
        {"name": "Ada Lovelace", "email": email, "consent": "on"},
    )


def enquire(browser, course, email: str):
    return browser.submit(
        f"/courses/{course.slug}/enquire/",
        {"name": "Sam Smith", "email": email, "message": "When does it start?", "consent": "on"},
    )


def sign_up(browser, email: str):
    password = "a-long-password-1"
    return browser.submit(
        "/account/signup/", {"email": email, "password1": password, "password2": password}
    )


def assert_every_page_serves(portal_server, pages) -> None:
    browser = portal_server.browser()
    for path in pages:
        for _attempt in (1, 2):  # the second would come from the page cache if it worked
            answer = browser.get(path)
            assert answer.status < 500, (path, answer.status, portal_server.log()[-3000:])
            assert answer.headers.get("x-page-cache") != "hit", path


def test_with_the_cache_down_every_page_and_form_still_serves_people(portal, site):
    server = portal(CACHE_URL=DEAD_REDIS)
    assert_every_page_serves(server, site["pages"])
    browser = server.browser()
    assert "Mechatronics HNC" in browser.get("/courses/?q=mechatronics").body

    answer = register(browser, site["event"], "ada@example.com")
    assert answer.status == 302 and "/confirmed/" in answer.location, answer.status
    assert "Robotics open day" in browser.get(answer.location.replace(server.url, "")).body
    assert Registration.objects.filter(email="ada@example.com").exists()

    answer = enquire(browser, site["course"], "sam@example.com")
    assert answer.status == 302, answer.status
    assert Enquiry.objects.filter(email="sam@example.com").exists()

    assert sign_up(server.browser(), "new.learner@example.com").status == 302

    wrong = server.browser().submit(
        "/account/login/", {"login": "learner@example.com", "password": "not-the-password"}
    )
    assert wrong.status == 200 and "not correct" in wrong.body
    right = server.browser().submit(
        "/account/login/", {"login": "learner@example.com", "password": "a-long-test-password"}
    )
    assert right.status == 302, right.status
    reset = server.browser().submit("/account/password/reset/", {"email": "learner@example.com"})
    assert reset.status == 302

    health = browser.get("/healthz")
    assert health.status == 200  # the node keeps serving: the balancer must keep it
    assert '"status": "degraded"' in health.body
    assert '"cache": "error: ConnectionError"' in health.body
    assert '"database": "ok"' in health.body

    # Logged once per interval per process, not once per request (2 workers, 60 s interval).
    outage_lines = re.findall(r"cache unavailable", server.log())
    assert 1 <= len(outage_lines) <= 2, server.log()[-3000:]
    assert "Traceback" not in server.log()


def test_with_the_cache_down_sign_in_stays_throttled(portal, site):
    server = portal(CACHE_URL=DEAD_REDIS)
    users = [UserFactory(email=f"u{n}@example.com") for n in range(12)]
    throttled = []
    for user in users:
        # One browser, many accounts: "10 failures a minute per address" still applies, counted
        # in each web process's memory while Redis is away (2 workers: at most 20 get through).
        answer = server.browser().submit(
            "/account/login/", {"login": user.email, "password": "wrong-password"}
        )
        assert answer.status < 500
        throttled.append("Too many failed login attempts" in answer.body)
    for user in users:
        answer = server.browser().submit(
            "/account/login/", {"login": user.email, "password": "wrong-password"}
        )
        throttled.append("Too many failed login attempts" in answer.body)
    # 24 attempts, at most 10 per process get through: the rest are refused.
    assert throttled.count(False) <= 20 and throttled.count(True) >= 4, throttled


def test_with_the_broker_down_people_succeed_and_their_mail_goes_out_after_recovery(
    portal, site, celery_worker, smtp_sink
):
    server = portal(CELERY_BROKER_URL=DEAD_REDIS)
    browser = server.browser()

    started = time.monotonic()
    answer = register(browser, site["event"], "ada@example.com")
    assert answer.status == 302 and "/confirmed/" in answer.location, server.log()[-3000:]
    assert time.monotonic() - started < 10  # no long wait on the dead broker
    assert enquire(browser, site["course"], "sam@example.com").status == 302
    assert sign_up(server.browser(), "new.learner@example.com").status == 302
    reset = server.browser().submit("/account/password/reset/", {"email": "learner@example.com"})
    assert reset.status == 302
    # Trying again gives the same page, not "already registered" after an error.
    assert Registration.objects.filter(email="ada@example.com").count() == 1

    health = browser.get("/healthz")
    assert health.status == 200 and '"status": "degraded"' in health.body
    assert '"broker": "error:' in health.body

    queued = Message.objects.filter(status=Message.Status.QUEUED)
    recipients = set(queued.values_list("recipient", flat=True))
    assert {"ada@example.com", "new.learner@example.com", "learner@example.com"} <= recipients
    total = queued.count()
    assert "broker unavailable" in server.log() and "Traceback" not in server.log()

    # The broker is back: the sweeper (beat, every minute) hands the rows to a worker.
    celery_worker(env={"EMAIL_URL": smtp_sink.url})
    later = timezone.now() + timedelta(seconds=settings.NOTIFICATIONS_QUEUED_GRACE + 1)
    assert delivery.sweep(now=later)["dispatched"] == total
    deadline = time.monotonic() + 60
    while smtp_sink.recorder.count < total:
        assert time.monotonic() < deadline, f"{smtp_sink.recorder.count} of {total} delivered"
        time.sleep(0.2)
    assert not Message.objects.filter(status=Message.Status.QUEUED).exists()


def test_without_the_database_the_node_is_taken_out_of_the_balancer(portal):
    server = portal(DATABASE_URL="postgres://postgres@127.0.0.1:9/nothing")
    health = server.browser().get("/healthz")
    assert health.status == 503
    assert '"status": "unavailable"' in health.body and '"database": "error:' in health.body
