import pytest
from django.urls import reverse

from iot_network.notifications.delivery import unsubscribe_token
from iot_network.notifications.models import ConsentChange
from iot_network.notifications.services import has_consent, set_consent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed():
    set_consent(email="reader@example.com", category="newsletter", granted=True, source="form")
    return reverse(
        "notifications:unsubscribe", args=[unsubscribe_token("reader@example.com", "newsletter")]
    )


def test_following_the_link_shows_a_confirm_page_and_does_not_unsubscribe(client, subscribed):
    response = client.get(subscribed)
    assert response.status_code == 200
    assert "reader@example.com" in response.content.decode()
    assert has_consent("reader@example.com", "newsletter")


def test_confirming_on_the_page_unsubscribes_and_records_it(client, subscribed):
    response = client.post(subscribed)
    assert response.status_code == 200
    assert "You have unsubscribed" in response.content.decode()
    assert not has_consent("reader@example.com", "newsletter")
    assert ConsentChange.objects.latest("created_at").source == "unsubscribe-page"


def test_one_click_post_from_a_mail_program_needs_no_cookie_or_csrf_token(subscribed):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(subscribed, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not has_consent("reader@example.com", "newsletter")
    assert ConsentChange.objects.latest("created_at").source == "one-click"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_is_rejected(client, subscribed, method):
    token = unsubscribe_token("reader@example.com", "newsletter")
    forged = token.replace(token[5], "A" if token[5] != "A" else "B", 1)
    response = getattr(client, method)(reverse("notifications:unsubscribe", args=[forged]))
    assert response.status_code == 400
    assert has_consent("reader@example.com", "newsletter")


def test_a_link_for_transactional_mail_is_rejected(client):
    token = unsubscribe_token("reader@example.com", "transactional")
    assert client.post(reverse("notifications:unsubscribe", args=[token])).status_code == 400


def test_preferences_need_sign_in(client):
    response = client.get(reverse("notifications:preferences"))
    assert response.status_code == 302
    assert "/account/login/" in response["Location"]


def test_signed_in_user_chooses_what_to_receive(client):
    user = UserFactory(email="learner@example.com")
    client.force_login(user)
    response = client.post(
        reverse("notifications:preferences"), {"event-news": "on", "course-alerts": "on"}
    )
    assert response.status_code == 302
    assert has_consent("learner@example.com", "event-news")
    assert has_consent("learner@example.com", "course-alerts")
    assert not has_consent("learner@example.com", "newsletter")
    changes = ConsentChange.objects.filter(email="learner@example.com")
    assert {(c.category, c.source, c.user_id) for c in changes} == {
        ("event-news", "preferences", user.pk),
        ("course-alerts", "preferences", user.pk),
    }
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert 'name="event-news" class="checkbox__input"' in page
