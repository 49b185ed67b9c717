"""Capacity under real concurrency on PostgreSQL.

300 registrations arrive together from 50 threads, each with its own database connection (as many
as a production database comfortably serves at once; the server here allows 100), six each.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from events import services
from events.models import Registration
from events.services import RegistrationDetails
from iot_network.notifications.models import Message
from tests.factories import EventFactory

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def test_300_simultaneous_registrations_for_130_places():
    start = timezone.now() + timedelta(days=30)
    event = EventFactory(capacity=130, starts_at=start, ends_at=start + timedelta(hours=6))
    barrier = threading.Barrier(50)
    errors: list[BaseException] = []

    def register(worker: int) -> None:
        try:
            barrier.wait(timeout=60)
            for n in range(worker * 6, worker * 6 + 6):
                services.register(
                    event_id=event.pk,
                    details=RegistrationDetails(name=f"Person {n}", email=f"p{n}@example.com"),
                )
        except BaseException as exc:  # the test reports every failure, whatever it is
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(worker,)) for worker in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    statuses = list(event.registrations.values_list("status", flat=True))
    assert statuses.count("confirmed") == 130
    assert statuses.count("waiting") == 170

    waiting_order = list(
        event.registrations.filter(status="waiting")
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    # Each waiting-list mail gives the place in the order the list is promoted in: 1, 2, 3...
    positions = dict(
        Message.objects.filter(
            kind="event-waiting-list", dedupe_key__startswith=f"event-waiting:{event.pk}:"
        ).values_list("about_id", "context__position")
    )
    assert [positions[str(pk)] for pk in waiting_order] == list(range(1, 171))

    for registration in list(event.registrations.filter(status="confirmed"))[:5]:
        services.cancel_registration(registration_id=registration.pk)
    promoted = set(event.registrations.filter(status="confirmed").values_list("pk", flat=True))
    assert set(waiting_order[:5]) <= promoted
    assert not set(waiting_order[5:]) & promoted
    assert event.registrations.filter(status__in=Registration.HOLDING_A_PLACE).count() == 130
