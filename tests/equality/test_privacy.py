"""Equality monitoring answers: optional, only with consent, kept apart from the person, never
in exports, mail or the admin's registration pages, and deleted with the registration or
enquiry, on request, or after the retention period."""

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.models import Enquiry, EnquiryEquality
from events.models import Registration, RegistrationEquality
from iot_network.equality import services
from iot_network.notifications.models import Message
from tests.factories import CourseFactory, EventFactory

pytestmark = pytest.mark.django_db

ANSWERS = {
    "equality_consent": "on",
    "sex": "female",
    "ethnic_group": "gypsy-irish-traveller",
    "disability": "yes",
    "age_band": "65-plus",
}
# What would give the answers away if it reached a page, file or mail.
TELL_TALES = ["Gypsy", "gypsy-irish-traveller", "65 or over", "65-plus", "ethnic", "Ethnic"]


def register(client, event, email="ann@example.com", **extra):
    return client.post(
        f"/events/{event.slug}/register/",
        {"name": "Ann Example", "email": email, "consent": "on", **extra},
    )


def enquire(client, course, **extra):
    return client.post(
        f"/courses/{course.slug}/enquire/",
        {
            "name": "Sam Patel",
            "email": "sam@example.com",
            "message": "Is there a part-time option?",
            "consent": "on",
            **extra,
        },
    )


def assert_no_answers_in(text: str) -> None:
    for tell_tale in TELL_TALES:
        assert tell_tale not in text


def test_registration_form_asks_the_questions_under_a_consent_statement(client):
    event = EventFactory()
    page = client.get(f"/events/{event.slug}/register/").content.decode()
    assert "Equality monitoring (optional)" in page
    assert "only ever reported as counts" in page
    assert "Gypsy or Irish Traveller" in page and "Roma" in page  # ONS 2021 groups
    assert page.count("Prefer not to say") == 4


def test_registering_without_answering_keeps_no_answers(client):
    event = EventFactory()
    assert register(client, event).status_code == 302
    assert Registration.objects.count() == 1
    assert not RegistrationEquality.objects.exists()


def test_answers_are_kept_apart_from_the_registration_with_consent(client):
    event = EventFactory()
    assert register(client, event, **ANSWERS).status_code == 302
    answers = RegistrationEquality.objects.get()
    assert answers.registration == Registration.objects.get()
    assert (answers.sex, answers.ethnic_group, answers.age_band) == (
        "female",
        "gypsy-irish-traveller",
        "65-plus",
    )
    assert_no_answers_in(str(answers))


def test_answers_without_consent_are_refused_with_a_linked_error_and_nothing_is_kept(client):
    event = EventFactory()
    response = register(client, event, sex="male")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_equality_consent"' in page
    assert "Tick the box to agree" in page
    assert not Registration.objects.exists()


def test_consent_alone_with_nothing_answered_keeps_nothing(client):
    event = EventFactory()
    assert register(client, event, equality_consent="on").status_code == 302
    assert not RegistrationEquality.objects.exists()


def test_an_answer_that_is_not_one_of_the_choices_is_a_400_not_a_500(client):
    event = EventFactory()
    response = register(client, event, equality_consent="on", ethnic_group="<script>")
    assert response.status_code == 400


def test_enquiry_answers_are_kept_apart_and_deleted_with_the_enquiry(client):
    course = CourseFactory()
    assert enquire(client, course, **ANSWERS).status_code == 302
    answers = EnquiryEquality.objects.get()
    assert answers.enquiry == Enquiry.objects.get()
    Enquiry.objects.get().delete()
    assert not EnquiryEquality.objects.exists()


def test_answers_are_deleted_with_the_registration_and_with_its_event(client):
    first, second = EventFactory(), EventFactory()
    register(client, first, **ANSWERS)
    register(client, second, **ANSWERS)
    Registration.objects.get(event=first).delete()
    assert RegistrationEquality.objects.count() == 1
    second.delete()
    assert not RegistrationEquality.objects.exists()


def test_a_registrant_can_withdraw_their_answers_from_the_manage_page(client):
    event = EventFactory()
    register(client, event, **ANSWERS)
    registration = Registration.objects.get()
    page = client.get(registration.get_manage_url()).content.decode()
    assert "Delete my equality monitoring answers" in page
    response = client.post(f"/events/registration/{registration.token}/equality/withdraw/")
    assert response.status_code == 302
    assert not RegistrationEquality.objects.exists()
    assert Registration.objects.filter(pk=registration.pk).exists()
    assert (
        client.get(f"/events/registration/{registration.token}/equality/withdraw/").status_code
        == 405
    )


def test_answers_older_than_the_retention_period_are_purged_nightly(client, settings):
    settings.EQUALITY_RETENTION_DAYS = 730
    event, course = EventFactory(), CourseFactory()
    register(client, event, **ANSWERS)
    register(client, event, email="bea@example.com", **ANSWERS)
    enquire(client, course, **ANSWERS)
    old = timezone.now() - timedelta(days=731)
    RegistrationEquality.objects.filter(registration__email="ann@example.com").update(
        answered_at=old
    )
    EnquiryEquality.objects.update(answered_at=old)
    assert services.purge_expired() == 2
    assert list(RegistrationEquality.objects.values_list("registration__email", flat=True)) == [
        "bea@example.com"
    ]
    assert Registration.objects.count() == 2 and Enquiry.objects.count() == 1
    assert services.purge_expired() == 0  # safe to run twice


def test_the_purge_is_a_beat_task():
    from iot_network.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "iot_network.equality.tasks.purge_expired_answers" in tasks


def test_answers_never_reach_mail(
    client, deliver_on_commit, django_capture_on_commit_callbacks, mailoutbox
):
    event, course = EventFactory(), CourseFactory()
    with django_capture_on_commit_callbacks(execute=True):
        register(client, event, **ANSWERS)
        enquire(client, course, **ANSWERS)
    assert len(mailoutbox) >= 3  # the registrant's confirmation, the enquiry to staff and learner
    for mail in mailoutbox:
        assert_no_answers_in(mail.subject + mail.body)
        for content, _ in getattr(mail, "alternatives", []):
            assert_no_answers_in(content)
    for message in Message.objects.all():
        assert_no_answers_in(repr(message.context))


def test_answers_never_reach_the_attendee_export_or_the_admins_registration_pages(
    client, admin_client
):
    event = EventFactory()
    register(client, event, **ANSWERS)
    registration = Registration.objects.get()
    export = admin_client.post(
        "/admin/events/event/", {"action": "export_attendees", "_selected_action": [event.pk]}
    )
    assert export.status_code == 200 and "Ann Example" in export.content.decode()
    assert_no_answers_in(export.content.decode())
    for url in [
        "/admin/events/registration/",
        f"/admin/events/registration/{registration.pk}/change/",
        f"/admin/events/registration/{registration.pk}/delete/",
        f"/admin/events/event/{event.pk}/change/",
        f"/admin/events/event/{event.pk}/summary/",
        f"/admin/events/event/{event.pk}/check-in/",
        "/admin/",
    ]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_no_answers_in(response.content.decode())


def test_answers_have_no_page_of_their_own_in_the_admin(admin_client):
    assert admin_client.get("/admin/events/registrationequality/").status_code == 404
    assert admin_client.get("/admin/courses/enquiryequality/").status_code == 404


def test_answers_never_reach_the_enquiry_admin(client, admin_client):
    course = CourseFactory()
    enquire(client, course, **ANSWERS)
    enquiry = Enquiry.objects.get()
    for url in ["/admin/courses/enquiry/", f"/admin/courses/enquiry/{enquiry.pk}/change/"]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_no_answers_in(response.content.decode())


def test_the_privacy_notice_explains_the_questions():
    from django.test import Client

    page = Client().get("/privacy/").content.decode()
    for words in ["Special category data", "explicit consent", "two years", "How to withdraw"]:
        assert words in page
