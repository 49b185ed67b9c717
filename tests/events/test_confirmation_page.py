"""The page everyone lands on after registering: what happened, where the email went, and how to
change it, read in one query (events.views._confirmation, compiled once per process)."""

import pytest
from django.urls import reverse

from events.models import Registration
from tests.factories import EventFactory


def _registration(status: str) -> Registration:
    event = EventFactory(title="Robotics open day", capacity=10)
    return Registration.objects.create(
        event=event, name="Ada Lovelace", email="ada@example.org", status=status
    )


def _page(registration_or_token):
    token = getattr(registration_or_token, "token", registration_or_token)
    return reverse("events:registered", kwargs={"token": token})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "heading", "invitation"),
    [
        ("confirmed", "Registration complete", True),
        ("waiting", "You are on the waiting list", False),
    ],
)
def test_the_page_says_what_happened(
    client, django_assert_num_queries, status, heading, invitation
):
    registration = _registration(status)

    with django_assert_num_queries(1):
        response = client.get(_page(registration))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in html
    assert "<p>Robotics open day</p>" in html
    assert "We have sent an email to <strong>ada@example.org</strong>" in html
    assert ("with a calendar invitation" in html) is invitation
    assert f'href="{registration.get_manage_url()}"' in html


@pytest.mark.django_db
def test_a_tampered_link_or_a_deleted_registration_is_not_found(client):
    registration = _registration("confirmed")
    token = registration.token

    assert client.get(_page(token[:-1] + ("A" if token[-1] != "A" else "B"))).status_code == 404
    assert client.get(_page("not-a-token")).status_code == 404
    registration.delete()
    assert client.get(_page(token)).status_code == 404
