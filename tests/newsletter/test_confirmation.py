"""Confirmation links: each works once and for NEWSLETTER_CONFIRM_DAYS; a used, expired or
unknown link says which in plain words and offers a new one, and asking for a new one tells no
one who is on the list."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from iot_network.notifications.models import Consent, ConsentChange, Message
from newsletter.models import Subscriber
from tests.factories import InstituteFactory, UserFactory
from tests.mail import html, rendered

pytestmark = pytest.mark.django_db

SUBSCRIBE = "/newsletter/subscribe/"
NEW_LINK = "/newsletter/new-link/"


def links(email: str) -> list[str]:
    """The confirmation links mailed to ``email``, oldest first."""
    return [
        re.search(r"/newsletter/confirm/[^/\s]+/", m.context["action_url"]).group(0)
        for m in Message.objects.filter(kind="newsletter-confirm", recipient=email).order_by("pk")
    ]


def consents(email: str) -> bool:
    return Consent.objects.filter(email=email, category="newsletter", granted=True).exists()


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def age_link(email: str, **delta) -> None:
    Subscriber.objects.filter(email=email).update(token_sent_at=timezone.now() - timedelta(**delta))


def test_the_mail_and_the_page_say_how_long_the_link_works(client):
    page = client.post(SUBSCRIBE, {"email": "ann@example.com"})
    assert "Follow it within 7 days to confirm your subscription." in text(page)
    [mail] = Message.objects.filter(kind="newsletter-confirm")
    assert "the link works once, for 7 days." in rendered(mail).body
    assert "the link works once, for 7 days." in html(mail)


def test_a_link_works_until_its_last_day(client):
    client.post(SUBSCRIBE, {"email": "ann@example.com"})
    [link] = links("ann@example.com")
    age_link("ann@example.com", days=6, hours=23)
    assert "Confirm my subscription" in text(client.get(link))
    assert "You are subscribed" in text(client.post(link))
    assert consents("ann@example.com")


def test_an_expired_link_says_so_confirms_nothing_and_offers_a_new_one(client):
    client.post(SUBSCRIBE, {"email": "ann@example.com"})
    [link] = links("ann@example.com")
    age_link("ann@example.com", days=7)
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 410
        words = text(response)
        assert "This link has expired" in words
        assert "A link to confirm a subscription works for 7 days, and this one is older." in words
        assert "Nothing was changed." in words
        assert f'action="{NEW_LINK}"' in response.content.decode()
        assert "Send me a new link" in words
    assert not consents("ann@example.com")
    assert Subscriber.objects.get(email="ann@example.com").confirmed_at is None


def test_the_number_of_days_is_a_setting(client, settings):
    settings.NEWSLETTER_CONFIRM_DAYS = 1
    client.post(SUBSCRIBE, {"email": "ann@example.com"})
    [link] = links("ann@example.com")
    assert "Follow it within 1 day to confirm" in text(
        client.post(NEW_LINK, {"email": "someone@example.com"})
    )
    age_link("ann@example.com", hours=25)
    assert "works for 1 day, and this one is older." in text(client.get(link))


def test_a_used_link_says_so_and_cannot_subscribe_anyone_again(client):
    client.post(SUBSCRIBE, {"email": "ann@example.com"})
    [link] = links("ann@example.com")
    assert "You are subscribed" in text(client.post(link))
    # One-click unsubscribe later; the old link must not undo it.
    Consent.objects.filter(email="ann@example.com").update(granted=False)
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 410
        words = text(response)
        assert "This link has already been used" in words
        assert "Each link confirms a subscription once, and this one already has." in words
        assert "If you have unsubscribed since and want the newsletter again" in words
        assert "Send me a new link" in words
    assert not consents("ann@example.com")
    assert ConsentChange.objects.filter(email="ann@example.com").count() == 1


def test_an_unknown_or_replaced_link_does_not_work_and_offers_a_new_one(client):
    client.post(SUBSCRIBE, {"email": "ann@example.com"})
    client.post(SUBSCRIBE, {"email": "ann@example.com"})  # asked twice: the first link is replaced
    first, second = links("ann@example.com")
    for link in (first, "/newsletter/confirm/forged-token/"):
        response = client.get(link)
        assert response.status_code == 404
        assert "This link does not work" in text(response)
        assert "only the latest link we sent works." in text(response)
        assert "Send me a new link" in text(response)
        assert client.post(link).status_code == 404
    assert not consents("ann@example.com")
    assert "You are subscribed" in text(client.post(second))


def test_a_new_link_replaces_the_old_one_and_keeps_the_interests(client):
    durham = InstituteFactory()
    client.post(SUBSCRIBE, {"email": "ann@example.com", "institutes": [durham.pk]})
    [old] = links("ann@example.com")
    age_link("ann@example.com", days=8)
    page = client.post(NEW_LINK, {"email": " Ann@Example.com"})
    assert page.status_code == 200
    words = text(page)
    assert "Check your email" in words
    assert "If ann@example.com asked for the newsletter, we have sent it a new link." in words
    assert "Follow it within 7 days to confirm your subscription." in words
    assert "Earlier links no longer work." in words
    _, new = links("ann@example.com")
    assert client.get(old).status_code == 404
    assert "You are subscribed" in text(client.post(new))
    assert consents("ann@example.com")
    assert list(Subscriber.objects.get(email="ann@example.com").institutes.all()) == [durham]


def test_a_subscriber_who_left_can_come_back_with_a_new_link(client):
    client.post(SUBSCRIBE, {"email": "ann@example.com"})
    client.post(links("ann@example.com")[0])
    Consent.objects.filter(email="ann@example.com").update(granted=False)
    client.post(NEW_LINK, {"email": "ann@example.com"})
    assert "You are subscribed" in text(client.post(links("ann@example.com")[-1]))
    assert consents("ann@example.com")


def test_asking_for_a_new_link_says_the_same_for_an_address_never_subscribed(client):
    client.post(SUBSCRIBE, {"email": "ann@example.com"})
    known = client.post(NEW_LINK, {"email": "ann@example.com"}).content.decode()
    unknown = client.post(NEW_LINK, {"email": "bob@example.com"}).content.decode()
    assert known.replace("ann@example.com", "EMAIL") == unknown.replace("bob@example.com", "EMAIL")
    assert not Message.objects.filter(recipient="bob@example.com").exists()
    assert not Subscriber.objects.filter(email="bob@example.com").exists()


def test_the_new_link_form_names_its_errors(client):
    page = client.get(NEW_LINK)
    assert page.status_code == 200 and "Get a new confirmation link" in text(page)
    response = client.post(NEW_LINK, {"email": "not an address"})
    assert response.status_code == 400
    words = text(response)
    assert "There is a problem" in words
    assert "Enter an email address in the correct format, like name@example.com." in words
    assert "Error: Get a new confirmation link" in words


def test_asking_for_new_links_is_rate_limited_per_address_and_per_visitor(client):
    client.post(SUBSCRIBE, {"email": "ann@example.com"})
    for _ in range(3):
        assert client.post(NEW_LINK, {"email": "ann@example.com"}).status_code == 200
    refused = client.post(NEW_LINK, {"email": "ANN@example.com"})
    assert refused.status_code == 429 and "Too many attempts" in text(refused)
    assert len(links("ann@example.com")) == 4  # the subscription's, and three new ones
    # Trying address after address from one place is stopped too.
    statuses = [
        client.post(NEW_LINK, {"email": f"person{n}@example.com"}).status_code for n in range(7)
    ]
    assert statuses == [200] * 6 + [429]


def test_typing_a_subscribers_address_changes_their_interests_only_once_they_confirm(client):
    durham, leeds = InstituteFactory(), InstituteFactory()
    client.post(SUBSCRIBE, {"email": "ann@example.com", "institutes": [durham.pk]})
    client.post(links("ann@example.com")[0])
    # Someone else asks for Leeds only, with Ann's address: Ann still gets Durham's issues.
    client.post(SUBSCRIBE, {"email": "ann@example.com", "institutes": [leeds.pk]})
    ann = Subscriber.objects.get(email="ann@example.com")
    assert list(ann.institutes.all()) == [durham] and ann.confirmed_at is not None
    assert consents("ann@example.com")
    # Ann herself follows the new link: now it is Leeds.
    assert "You are subscribed" in text(client.post(links("ann@example.com")[-1]))
    ann.refresh_from_db()
    assert list(ann.institutes.all()) == [leeds] and ann.pending_interests is None


def test_a_signed_in_owner_changes_their_interests_at_once(client):
    durham, leeds = InstituteFactory(), InstituteFactory()
    user = UserFactory(email="ann@example.com")
    client.post(SUBSCRIBE, {"email": "ann@example.com", "institutes": [durham.pk]})
    client.post(links("ann@example.com")[0])
    client.force_login(user)
    client.post(SUBSCRIBE, {"email": "ann@example.com", "institutes": [leeds.pk]})
    assert list(Subscriber.objects.get(email="ann@example.com").institutes.all()) == [leeds]


def test_a_bare_request_for_a_new_link_drops_interests_someone_else_asked_for(client):
    durham, leeds = InstituteFactory(), InstituteFactory()
    client.post(SUBSCRIBE, {"email": "ann@example.com", "institutes": [durham.pk]})
    client.post(links("ann@example.com")[0])
    client.post(SUBSCRIBE, {"email": "ann@example.com", "institutes": [leeds.pk]})  # not Ann
    client.post(NEW_LINK, {"email": "ann@example.com"})  # Ann, later, for a fresh link
    client.post(links("ann@example.com")[-1])
    assert list(Subscriber.objects.get(email="ann@example.com").institutes.all()) == [durham]


def test_a_link_replaced_while_it_was_being_confirmed_confirms_nothing(client, monkeypatch):
    from newsletter import services

    client.post(SUBSCRIBE, {"email": "ann@example.com"})
    [link] = links("ann@example.com")
    subscriber = Subscriber.objects.get(email="ann@example.com")
    subscriber.token = "replaced-meanwhile"
    subscriber.save(update_fields=["token"])
    with pytest.raises(services.LinkNotUsable) as refused:
        services.confirm(subscriber=Subscriber(pk=subscriber.pk, token=link.split("/")[-2]))
    assert refused.value.state == "unknown"
    assert not consents("ann@example.com")


def test_the_confirm_page_names_what_the_address_will_hear_about(client):
    from institutes.models import Route

    durham = InstituteFactory(name="Durham Institute of Technology")
    digital = Route.objects.create(name="Digital", slug="digital-test")
    client.post(
        SUBSCRIBE,
        {"email": "ann@example.com", "institutes": [durham.pk], "routes": [digital.pk],
         "event_types": ["open-day"]},
    )  # fmt: skip
    words = text(client.get(links("ann@example.com")[0]))
    assert "You will hear about:" in words
    assert "Institutes of Technology Durham Institute of Technology" in words
    assert "Subjects Digital" in words and "Events listed first Open day" in words
    # With nothing chosen, the page says what that means.
    client.post(SUBSCRIBE, {"email": "bob@example.com"})
    words = text(client.get(links("bob@example.com")[0]))
    assert "Institutes of Technology All of them: news from the whole network" in words
    assert "Subjects All subjects" in words


def test_the_confirm_page_shows_the_changes_someone_else_asked_for_before_they_apply(client):
    durham, leeds = InstituteFactory(name="Durham IoT"), InstituteFactory(name="Leeds IoT")
    client.post(SUBSCRIBE, {"email": "ann@example.com", "institutes": [durham.pk]})
    client.post(links("ann@example.com")[0])
    client.post(SUBSCRIBE, {"email": "ann@example.com", "institutes": [leeds.pk]})
    words = text(client.get(links("ann@example.com")[-1]))
    assert "This address is subscribed already. Confirming changes what it hears about" in words
    assert "Institutes of Technology Leeds IoT" in words and "Durham IoT" not in words
    assert "Not what you asked for? Do not confirm" in words


def test_a_new_link_is_made_after_the_page_is_sent_so_timing_tells_nothing(client, monkeypatch):
    """Whether an address is on the list must not show in how long the answer takes: the
    request does the same work for any address, and the link is made once the page is sent."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from iot_network.web.responses import HttpResponseThen

    client.post(SUBSCRIBE, {"email": "ann@example.com"})
    left_for_later = []
    real_close = HttpResponseThen.close

    def close_without_the_work(response):
        left_for_later.append(response._then)
        response._then = None
        real_close(response)

    monkeypatch.setattr(HttpResponseThen, "close", close_without_the_work)
    queries = {}
    for email in ("ann@example.com", "nobody@example.com"):
        with CaptureQueriesContext(connection) as captured:
            page = client.post(NEW_LINK, {"email": email})
        assert "Check your email" in text(page)
        queries[email] = [q["sql"] for q in captured.captured_queries]
    assert queries["ann@example.com"] == queries["nobody@example.com"]
    assert len(links("ann@example.com")) == 1  # not yet: the page came first
    for then in left_for_later:
        then()
    assert len(links("ann@example.com")) == 2 and not links("nobody@example.com")
