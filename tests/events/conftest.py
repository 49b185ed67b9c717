from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import EventFactory


@pytest.fixture(autouse=True)
def outbox_rows_only(monkeypatch):
    """Mail is checked as outbox rows here; delivery is tested in tests/notifications."""
    monkeypatch.setattr(
        "iot_network.notifications.services.dispatch", lambda ids, countdown=None: None
    )


@pytest.fixture
def event(db):
    start = timezone.now() + timedelta(days=20)
    return EventFactory(
        title="Robotics open day", slug="robotics-open-day", capacity=2,
        starts_at=start, ends_at=start + timedelta(hours=3),
    )  # fmt: skip
