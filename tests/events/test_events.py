from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_event_list_separates_upcoming_and_past(client):
    EventFactory(title="Future open day")
    past_start = timezone.now() - timedelta(days=10)
    EventFactory(
        title="Last month's taster", starts_at=past_start, ends_at=past_start + timedelta(hours=2)
    )
    content = client.get("/events/").content.decode()
    assert (
        content.index("Future open day")
        < content.index("Past events")
        < content.index("Last month")
    )


def test_cancelled_event_stays_visible_and_says_so(client):
    event = EventFactory(status="cancelled", cancellation_reason="Storm warning.")
    content = client.get(event.get_absolute_url()).content.decode()
    assert "This event has been cancelled." in content
    assert "Storm warning." in content


def test_draft_event_is_404(client):
    assert client.get(EventFactory(status="draft").get_absolute_url()).status_code == 404


def test_event_cannot_end_before_it_starts():
    start = timezone.now()
    with pytest.raises(IntegrityError):
        EventFactory(starts_at=start, ends_at=start - timedelta(hours=1))
