import re

import pytest
from django.core import mail
from django.db import IntegrityError

from iot_network.accounts.models import User
from iot_network.notifications.models import Message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_the_login_and_is_stored_in_lower_case():
    user = User.objects.create_user("Ada.Lovelace@Example.COM", "a-long-password-1")
    assert user.email == "ada.lovelace@example.com"
    assert User.objects.get_by_natural_key("ADA.LOVELACE@example.com") == user
    assert not hasattr(user, "username")


def test_two_accounts_cannot_share_an_address_in_different_case():
    User.objects.create_user("sam@example.com", "a-long-password-1")
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="SAM@example.com")])


def test_sign_up_sends_a_verification_email_and_verifying_signs_in(
    client, deliver_on_commit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/signup/",
            {
                "email": "new.learner@example.com",
                "password1": "a-long-password-1",
                "password2": "a-long-password-1",
            },
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Confirm your email address"
    assert "To confirm it is yours, open this link:" in mail.outbox[0].body
    link = re.search(r"https?://[^\s]+/account/confirm-email/[^\s]+", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[1]
    client.post(path)
    assert client.get("/account/email/").status_code == 200


def test_sign_up_does_not_reveal_that_an_address_has_an_account(client):
    UserFactory(email="taken@example.com")
    data = {"password1": "a-long-password-1", "password2": "a-long-password-1"}
    taken = client.post("/account/signup/", {"email": "taken@example.com", **data})
    fresh = client.post("/account/signup/", {"email": "fresh@example.com", **data})
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]


def test_wrong_password_shows_an_error_summary(client):
    UserFactory(email="someone@example.com")
    response = client.post("/account/login/", {"login": "someone@example.com", "password": "wrong"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert "not correct" in content


def test_account_pages_use_the_site_layout(client):
    content = client.get("/account/login/").content.decode()
    assert 'class="skip-link"' in content
    assert 'aria-label="Main"' in content
    assert '<label class="label" for="id_login">' in content


def test_password_reset_does_not_reveal_that_an_address_has_an_account(client):
    UserFactory(email="known@example.com")
    known = client.post("/account/password/reset/", {"email": "known@example.com"})
    unknown = client.post("/account/password/reset/", {"email": "unknown@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_repeated_wrong_passwords_lock_the_account_for_a_while(client):
    UserFactory(email="target@example.com", password="the-right-password-1")
    for _ in range(20):
        client.post("/account/login/", {"login": "target@example.com", "password": "guess"})
    response = client.post(
        "/account/login/", {"login": "target@example.com", "password": "the-right-password-1"}
    )
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_ups_from_one_address_are_throttled(client):
    data = {"password1": "a-long-password-1", "password2": "a-long-password-1"}
    statuses = [
        client.post("/account/signup/", {"email": f"bot{n}@example.com", **data}).status_code
        for n in range(22)
    ]
    assert 429 in statuses
    assert statuses[0] == 302


def test_a_reset_for_an_unknown_address_names_that_address(client):
    client.post("/account/password/reset/", {"email": "nobody@example.com"})
    [message] = Message.objects.filter(recipient="nobody@example.com")
    assert "an account with the email address nobody@example.com." in message.context["text"]
