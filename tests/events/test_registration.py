import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from icalendar import Calendar

from events import registering, services
from events.models import Event, Registration, RegistrationState
from events.services import RegistrationDetails, RegistrationError
from iot_network.notifications.models import Message
from tests.factories import SessionFactory
from tests.mail import heading, lead, rendered

pytestmark = pytest.mark.django_db


def sign_up(event, name="Ann Example", email=None, sessions=()):
    email = email or f"{name.split()[0].lower()}@example.com"
    return services.register(
        event_id=event.pk,
        details=RegistrationDetails(
            name=name, email=email, session_ids=tuple(s.pk for s in sessions)
        ),
    )


def mails_to(email):
    return list(Message.objects.filter(recipient=email).order_by("pk"))


def invite(message):
    [attachment] = message.attachments
    return Calendar.from_ical(attachment["content"]), attachment["mimetype"]


def test_registering_confirms_a_place_with_a_calendar_invitation(event):
    registration = sign_up(event)
    assert registration.status == Registration.Status.CONFIRMED
    [mail] = mails_to("ann@example.com")
    email = rendered(mail)
    assert email.subject == "Your place is confirmed: Robotics open day"
    manage_url = settings.SITE_URL + registration.get_manage_url()
    assert f"View, change or cancel your registration: {manage_url}" in email.body
    cal, mimetype = invite(mail)
    assert "method=REQUEST" in mimetype
    [vevent] = cal.walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{event.pk}@127.0.0.1"
    assert str(vevent["STATUS"]) == "CONFIRMED"


def test_a_full_event_puts_new_registrants_on_the_waiting_list_in_order(event):
    sign_up(event, "Ann A"), sign_up(event, "Bea B")
    third, fourth = sign_up(event, "Cal C"), sign_up(event, "Dee D")
    assert (third.status, fourth.status) == ("waiting", "waiting")
    assert "number 2 on the waiting list" in lead(mails_to("dee@example.com")[0])[0]
    assert mails_to("dee@example.com")[0].attachments == []


def test_the_same_address_cannot_register_twice(event):
    sign_up(event, email="ann@example.com")
    with pytest.raises(RegistrationError, match="already registered"):
        sign_up(event, name="Ann Again", email="ANN@example.com")


def test_cancelling_a_place_promotes_the_first_on_the_waiting_list(event):
    first, _ = sign_up(event, "Ann A"), sign_up(event, "Bea B")
    waiting_1, waiting_2 = sign_up(event, "Cal C"), sign_up(event, "Dee D")
    services.cancel_registration(registration_id=first.pk)
    waiting_1.refresh_from_db(), waiting_2.refresh_from_db()
    assert (waiting_1.status, waiting_2.status) == ("confirmed", "waiting")
    promoted = mails_to("cal@example.com")[-1]
    assert lead(promoted)[0] == "A place has become free and it is yours."
    assert promoted.attachments  # the invitation comes with the place


def test_offer_mode_holds_the_place_and_moves_on_when_it_lapses(event):
    event.waiting_list = Event.WaitingList.OFFER
    event.offer_hours = 24
    event.save()
    first = sign_up(event, "Ann A")
    sign_up(event, "Bea B")
    cal, dee = sign_up(event, "Cal C"), sign_up(event, "Dee D")
    services.cancel_registration(registration_id=first.pk)
    cal.refresh_from_db()
    assert cal.status == "offered"
    accept = f"Accept the place: {settings.SITE_URL}{cal.get_manage_url()}"
    assert accept in rendered(mails_to("cal@example.com")[-1]).body
    assert services.expire_offers(now=timezone.now() + timedelta(hours=25)) == 1
    cal.refresh_from_db(), dee.refresh_from_db()
    assert (cal.status, dee.status) == ("cancelled", "offered")
    services.accept_offer(registration_id=dee.pk)
    dee.refresh_from_db()
    assert dee.status == "confirmed"


def test_session_capacity_and_clashes_are_enforced(event):
    event.capacity = None
    event.save()
    small = SessionFactory(event=event, title="Diversity in STEM", capacity=1)
    same_time = SessionFactory(event=event, title="Net Zero skills")
    sign_up(event, "Ann A", sessions=[small])
    with pytest.raises(RegistrationError, match="“Diversity in STEM” is full"):
        sign_up(event, "Bea B", sessions=[small])
    with pytest.raises(RegistrationError, match="run at the same time"):
        sign_up(event, "Cal C", sessions=[small, same_time])
    assert not Registration.objects.filter(name__in=["Bea B", "Cal C"]).exists()


def test_joining_details_go_only_to_people_with_a_place(event):
    event.is_online, event.joining_details, event.capacity = True, "https://meet.example/abc", 1
    event.save()
    sign_up(event, "Ann A"), sign_up(event, "Bea B")
    assert mails_to("ann@example.com")[0].context["joining_details"] == "https://meet.example/abc"
    assert mails_to("bea@example.com")[0].context["joining_details"] == ""


def test_cancelling_the_event_tells_everyone_with_a_cancelling_invitation(event):
    sign_up(event, "Ann A"), sign_up(event, "Bea B"), sign_up(event, "Cal C")
    cancelled = services.cancel_event(
        event_id=event.pk, reason="The venue has flooded.", acting_user=None
    )
    assert cancelled == 3
    mail = mails_to("ann@example.com")[-1]
    assert lead(mail)[0] == "The venue has flooded."
    cal, mimetype = invite(mail)
    assert "method=CANCEL" in mimetype
    [vevent] = cal.walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert mails_to("cal@example.com")[-1].attachments == []  # was waiting: nothing to remove


def test_a_new_time_sends_an_updated_invitation_with_the_same_uid_and_a_higher_sequence(event):
    sign_up(event)
    [first] = Calendar.from_ical(mails_to("ann@example.com")[0].attachments[0]["content"]).walk(
        "VEVENT"
    )
    event.starts_at += timedelta(hours=1)
    event.ends_at += timedelta(hours=1)
    event.save()
    assert services.event_changed(event_id=event.pk, changed=["starts_at", "ends_at"]) == 1
    assert services.event_changed(event_id=event.pk, changed=["summary"]) == 0
    [second] = Calendar.from_ical(mails_to("ann@example.com")[-1].attachments[0]["content"]).walk(
        "VEVENT"
    )
    assert second["UID"] == first["UID"]
    assert int(second["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    assert second.decoded("DTSTART") == first.decoded("DTSTART") + timedelta(hours=1)


def test_reminders_go_once_a_week_and_a_day_before(event):
    sign_up(event, "Ann A"), sign_up(event, "Bea B"), sign_up(event, "Cal C")  # Cal waits
    eight_days_before = event.starts_at - timedelta(days=8)
    assert services.send_reminders(now=eight_days_before) == 0
    week_before = event.starts_at - timedelta(days=6, hours=23)
    services.send_reminders(now=week_before)
    services.send_reminders(now=week_before + timedelta(hours=1))  # the next hourly run
    day_before = event.starts_at - timedelta(hours=23)
    services.send_reminders(now=day_before)
    reminders = Message.objects.filter(dedupe_key__startswith="event-reminder:")
    assert sorted(reminders.values_list("recipient", flat=True)) == [
        "ann@example.com", "ann@example.com", "bea@example.com", "bea@example.com"
    ]  # fmt: skip


def test_registration_closes_when_the_event_starts_or_is_cancelled(event):
    event.registration_closes_at = timezone.now() - timedelta(minutes=1)
    event.save()
    with pytest.raises(RegistrationError, match="not open"):
        sign_up(event)


def test_feedback_is_asked_for_after_the_event_and_aggregated(event, client):
    registration = sign_up(event)
    after = event.ends_at + timedelta(hours=12)
    assert services.send_feedback_requests(now=after) == 1
    feedback_url = f"{settings.SITE_URL}/events/registration/{registration.token}/feedback/"
    assert f"Give feedback: {feedback_url}" in rendered(mails_to("ann@example.com")[-1]).body
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(hours=5), ends_at=timezone.now() - timedelta(hours=2)
    )
    response = client.post(
        f"/events/registration/{registration.token}/feedback/",
        {"rating": "4", "useful": "True", "comments": "Great labs."},
    )
    assert response.status_code == 302
    assert registration.feedback.rating == 4 and registration.feedback.useful is True


def test_cancelling_your_own_place_removes_the_entry_from_your_calendar(event):
    registration = sign_up(event)
    [invited] = invite(mails_to("ann@example.com")[0])[0].walk("VEVENT")
    services.cancel_registration(registration_id=registration.pk)
    mail = mails_to("ann@example.com")[-1]
    assert heading(mail) == "Your registration is cancelled"
    cal, mimetype = invite(mail)
    assert "method=CANCEL" in mimetype and str(cal["METHOD"]) == "CANCEL"
    [cancelled] = cal.walk("VEVENT")
    assert cancelled["UID"] == invited["UID"]  # the same entry, so calendars remove it
    assert int(cancelled["SEQUENCE"]) > int(invited["SEQUENCE"])
    assert str(cancelled["STATUS"]) == "CANCELLED"
    # Registering again adds the entry back: the new invitation is not older than the cancel.
    sign_up(event, name="Ann Again", email="ann@example.com")
    [again] = invite(mails_to("ann@example.com")[-1])[0].walk("VEVENT")
    assert again["UID"] == invited["UID"]
    assert int(again["SEQUENCE"]) >= int(cancelled["SEQUENCE"])


def test_leaving_the_waiting_list_sends_no_calendar_file(event):
    sign_up(event, "Ann A"), sign_up(event, "Bea B")
    waiting = sign_up(event, "Cal C")
    services.cancel_registration(registration_id=waiting.pk)
    assert mails_to("cal@example.com")[-1].attachments == []  # nothing was in their calendar


def test_an_offer_ends_its_sentence_with_one_full_stop(event):
    event.waiting_list, event.offer_hours = Event.WaitingList.OFFER, 24
    event.save()
    first = sign_up(event, "Ann A")
    sign_up(event, "Bea B"), sign_up(event, "Cal C")
    services.cancel_registration(registration_id=first.pk)
    [paragraph, *_] = lead(mails_to("cal@example.com")[-1])
    assert re.fullmatch(
        r"A place has become free\. It is held for you until \w+ \d+ \w+, \d+:\d\d [ap]\.m\.",
        paragraph,
    ), paragraph


def test_a_refused_second_registration_says_how_to_change_the_first_and_queues_no_mail(event):
    sign_up(event, email="ann@example.com")
    with pytest.raises(RegistrationError, match="Use the link in your confirmation email"):
        sign_up(event, name="Ann Again", email="ann@example.com")
    assert len(mails_to("ann@example.com")) == 1
    assert event.registrations.count() == 1


def just_before_the_lock(monkeypatch, change):
    """Make ``change`` land between register()'s unlocked read and its lock, on both ways of
    taking the lock: the one-call claim (PostgreSQL) and step by step."""

    def first(lock):
        def locking(*args, **kwargs):
            change()
            return lock(*args, **kwargs)

        return locking

    monkeypatch.setattr(services, "_locked_event", first(services._locked_event))
    monkeypatch.setattr(registering, "claim", first(registering.claim))


def test_an_event_moved_while_someone_registers_sends_the_invitation_for_the_new_time(
    event, monkeypatch
):
    """The invitation is built before the event row is locked; a change that lands in between
    is caught under the lock, so the attendee's calendar gets the event as it now is."""
    later = (event.starts_at + timedelta(days=1)).replace(microsecond=0)
    just_before_the_lock(
        monkeypatch,
        lambda: Event.objects.filter(pk=event.pk).update(
            starts_at=later, ends_at=later + timedelta(hours=3), sequence=1
        ),
    )
    sign_up(event)
    [vevent] = invite(mails_to("ann@example.com")[0])[0].walk("VEVENT")
    assert vevent["DTSTART"].dt == later
    assert vevent["SEQUENCE"] == 1


def test_a_place_freed_after_the_event_looked_full_comes_with_an_invitation(event, monkeypatch):
    first, _ = sign_up(event, "Ann A"), sign_up(event, "Bea B")
    just_before_the_lock(
        monkeypatch,
        lambda: Registration.objects.filter(pk=first.pk).update(
            status=Registration.Status.CANCELLED
        ),
    )
    assert sign_up(event, "Cal C").status == Registration.Status.CONFIRMED
    cal, mimetype = invite(mails_to("cal@example.com")[0])
    assert "method=REQUEST" in mimetype


def test_each_registration_logs_how_long_it_held_the_event_lock(
    event, caplog, django_capture_on_commit_callbacks
):
    with (
        caplog.at_level("INFO", logger="events.registration.lock"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sign_up(event)
    [record] = [r for r in caplog.records if r.name == "events.registration.lock"]
    assert re.fullmatch(rf"event {event.pk} lock held [0-9.]+ ms", record.getMessage())
    assert record.lock_ms >= 0


@pytest.mark.postgresql
def test_on_postgresql_a_registration_is_one_statement_under_the_lock(event, monkeypatch):
    """Prepared before the lock, claimed in one statement after it: the step-by-step path
    (several queries under the lock) is not taken, for a place or for the waiting list."""

    def step_by_step(**kwargs):
        raise AssertionError("took the step-by-step path")

    monkeypatch.setattr(services, "_register_locked", step_by_step)
    statuses = [sign_up(event, f"Person{n} Example").status for n in range(event.capacity + 2)]
    assert statuses == ["confirmed"] * event.capacity + ["waiting"] * 2
    assert event.registrations.filter(status="waiting").count() == 2
    [second] = Message.objects.filter(kind="event-waiting-list", recipient="person3@example.com")
    assert second.context["position"] == 2


@pytest.mark.postgresql
def test_on_postgresql_the_claim_writes_the_answers_and_links_the_mail_to_the_iot(event):
    registration = services.register(
        event_id=event.pk,
        details=RegistrationDetails(name="Ann Example", email="ann@example.com"),
        equality={"sex": "female", "ethnic_group": "", "disability": "no", "age_band": "25-34"},
    )
    assert registration.equality.sex == "female" and registration.equality.age_band == "25-34"
    [mail] = Message.objects.filter(recipient="ann@example.com")
    assert set(mail.institutes.values_list("pk", flat=True)) == {event.institute_id}
    assert mail.status == Message.Status.QUEUED and mail.about_id == str(registration.pk)


@pytest.mark.postgresql
def test_registration_that_closes_between_the_check_and_the_lock_takes_no_place(event, monkeypatch):
    """The closing time is checked again under the lock: the row's version proves nothing else
    changed, but the clock moves. Here the visitor's check ran a moment before the close (it
    says open) and the lock was granted after it (the database's clock says closed)."""
    Event.objects.filter(pk=event.pk).update(
        registration_closes_at=timezone.now() - timedelta(seconds=1)
    )
    real = Event.registration_state
    checks = []

    def open_at_the_first_check(self, now=None):
        checks.append(now)
        return RegistrationState.OPEN if len(checks) == 1 else real(self, now)

    monkeypatch.setattr(Event, "registration_state", open_at_the_first_check)
    with pytest.raises(RegistrationError, match="not open"):
        sign_up(event)
    assert not Registration.objects.filter(event=event).exists()
    assert not Message.objects.filter(recipient="ann@example.com").exists()
