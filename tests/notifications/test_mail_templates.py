"""Every mail kind, as its service queues it and as delivery renders it.

The wording of each mail lives in templates/notifications/email/<kind>/; services pass data. These
tests trigger the real services, render the rows they queue with delivery's own renderer, and
check what people read; the guards fail if wording creeps back into Python.
"""

import ast
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from courses.bulk.services import check_import
from courses.models import CourseImport, SavedSearch
from courses.services import send_saved_search_alerts, submit_enquiry
from events import services as events
from events.models import Event
from events.services import RegistrationDetails
from iot_network.notifications.models import Message
from iot_network.notifications.services import notify, set_consent
from newsletter import services as newsletter
from newsletter.models import Issue
from partners import services as partners
from partners.models import Opportunity, Organisation, SkillsNeed
from stories import services as stories
from stories.models import Story
from tests.courses.bulk_files import as_csv, row
from tests.factories import (
    CourseFactory,
    CourseRunFactory,
    EventFactory,
    InstituteFactory,
    MemberFactory,
    OpportunityFactory,
    OrganisationFactory,
    RouteFactory,
    UserFactory,
    staff_user,
)
from tests.mail import html, rendered

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
EMAIL_TEMPLATES = ROOT / "templates" / "notifications" / "email"

# Kinds whose context carries finished wording on purpose, and why.
WORDED_ELSEWHERE = {
    # allauth words its own mail (sign-in links, password resets); the outbox only carries it.
    "account",
    # Rows queued before the wording moved into templates may still wait in production; nothing
    # in the portal creates these kinds any more (see test_no_service_words_a_mail_in_python).
    "generic",
    "event-notice",
}
WORDING_KEYS = {"subject", "heading", "paragraphs", "action_label", "text", "html"}

# Shapes of rows the portal queued before the move, kept so those rows still render.
LEGACY_GENERIC = {
    "subject": "Your partner application is approved",
    "heading": "Your partner application is approved",
    "paragraphs": ["Acme Robotics Ltd is now a partner of Durham IoT."],
    "action_label": "Go to your partner area",
    "action_url": "http://testserver/partner-area/acme/",
}
LEGACY_EVENT_NOTICE = {
    "subject": "Your place is confirmed: Robotics open day",
    "heading": "Your place is confirmed",
    "paragraphs": ["Thank you for registering."],
    "name": "Ann Able",
    "event": "Robotics open day",
    "event_url": "http://testserver/events/robotics-open-day/",
    "when": "Saturday 14 June 2031, 9:00 a.m. to 12:00 p.m.",
    "where": "Main campus",
    "action_label": "View, change or cancel your registration",
    "action_url": "http://testserver/events/registration/abc/",
    "joining_details": "",
    "accessibility_info": "",
    "cancelled": False,
}

WHEN = "Saturday 14 June 2031, 9:00 a.m. to 12:00 p.m."  # 08:00 UTC is 9:00 in London (BST)
WHERE = "Main campus, 1 High Street, Durham, DH1 1AA"

# kind: (subject, words the plain-text body says, words the HTML body says)
EXPECTED = {
    "event-registration-confirmed": (
        "Your place is confirmed: Robotics open day",
        ["Dear Ann Able,", "Thank you for registering.", "The calendar invitation attached",
         f"When: {WHEN}", f"Where: {WHERE}", "Accessibility: Step-free entrance",
         "View, change or cancel your registration: http"],
        ["<h1>Your place is confirmed</h1>", "<p>Thank you for registering.</p>",
         "<h2>Robotics open day</h2>", WHEN, "Step-free entrance"],
    ),
    "event-waiting-list": (
        "You are on the waiting list: Robotics open day",
        ["Dear Bea Baker,", "You are number 1 on the waiting list.", "straight away."],
        ["<h1>You are on the waiting list</h1>", "number 1 on the waiting list"],
    ),
    "event-offer": (
        "A place is free for you: Robotics open day",
        ["A place has become free. It is held for you until ", "Accept the place: http"],
        [">Accept the place</a>"],
    ),
    "event-offer-lapsed": (
        "The place you were offered has gone: Robotics open day",
        ["The place you were offered has gone to someone else",
         "We held a place for you but did not hear back in time."],
        ["<h1>The place you were offered has gone to someone else</h1>"],
    ),
    "event-registration-cancelled": (
        "Your registration is cancelled: Robotics open day",
        ["Your registration is cancelled", "You can register again while places last.",
         "The calendar file attached removes the event from your calendar."],
        ["<h1>Your registration is cancelled</h1>"],
    ),
    "event-changed": (
        "Changed: Robotics open day",
        ["The time or place of this event has changed",
         "Please check the new details below. Your registration still stands."],
        ["<h1>The time or place of this event has changed</h1>"],
    ),
    "event-message": (
        "Parking – Robotics open day",
        ["Dear Cal Cole,", "\n\nParking\n\n", "Use the north car park.\n\nBring ID."],
        ["<h1>Parking</h1>", "<p>Use the north car park.</p><p>Bring ID.</p>"],
    ),
    "event-reminder": (
        "Reminder: Robotics open day is next week",
        ["See you soon", "This is a reminder of the event you registered for.", f"When: {WHEN}"],
        ["<h1>See you soon</h1>"],
    ),
    "event-feedback-request": (
        "How was Robotics open day?",
        ["Tell us how it went", "Two minutes of feedback", "Give feedback: http"],
        [">Give feedback</a>"],
    ),
    "event-cancelled": (
        "Cancelled: Robotics open day",
        ["This event has been cancelled", "The venue has flooded.",
         "We are sorry for any inconvenience.", "Robotics open day (cancelled)"],
        ["<h2>Robotics open day (cancelled)</h2>", "<p>The venue has flooded.</p>"],
    ),
    "partner-application-staff": (
        "New partner application: Acme Robotics Ltd",
        ["Acme Robotics Ltd (employer, Engineering and manufacturing) has applied to be a "
         "partner of Durham IoT.", "Contact: Jo Bloggs, jo@acme.example.",
         "Review the application: http", "/admin/partners/organisation/"],
        ["<h1>New partner application: Acme Robotics Ltd</h1>", ">Review the application</a>"],
    ),
    "partner-application-received": (
        "We have your partner application",
        ["Thank you for applying for Acme Robotics Ltd to partner with Durham IoT.",
         "usually within 10 working days", "See your application: http"],
        [">See your application</a>"],
    ),
    "partner-approved": (
        "Your partner application is approved",
        ["Acme Robotics Ltd is now a partner of Durham IoT.",
         "A note from the team: Welcome aboard.", "Go to your partner area: http"],
        ["<p>A note from the team: Welcome aboard.</p>"],
    ),
    "partner-declined": (
        "Your partner application was not approved",
        ["We are sorry: the application for Beta Widgets Ltd was not approved.",
         "The reason: We only work with STEM employers."],
        ["<p>The reason: We only work with STEM employers.</p>"],
    ),
    "partner-invitation": (
        "Join Acme Robotics Ltd on the IoT Network portal",
        ["Jo Bloggs has invited you to manage Acme Robotics Ltd's partnership with its "
         "Institute of Technology, as member.", "Accept the invitation: http"],
        ["Acme Robotics Ltd's partnership", ">Accept the invitation</a>"],
    ),
    "opportunity-to-approve": (
        "Apprenticeship vacancy to approve: Maintenance apprentice",
        ["Acme Robotics Ltd has posted apprenticeship vacancy ‘Maintenance apprentice’ for "
         "Durham IoT.", "Closing date: 30 September 2031.",
         "It will not be shown to learners until you approve it.", "Review it: http"],
        [">Review it</a>"],
    ),
    "opportunity-approved": (
        "Approved: Maintenance apprentice",
        ["‘Maintenance apprentice’ is approved and now shown to learners.",
         "See it as learners do: http"],
        [">See it as learners do</a>"],
    ),
    "opportunity-declined": (
        "Not approved: Night shift tester",
        ["‘Night shift tester’ was not approved.", "The reason: Under 18s cannot work nights.",
         "You can change it and send it again from your partner area."],
        ["<p>The reason: Under 18s cannot work nights.</p>"],
    ),
    "skills-need-reported": (
        "Skills need from Acme Robotics Ltd",
        ["Acme Robotics Ltd needs 12 people with these skills by 1 September 2031: PLC "
         "programming, CAD.\n", "Details: Shift work.", "Contact: Jo Bloggs, jo@acme.example."],
        ["See it in the staff workspace</a>"],
    ),
    "partner-review-due": (
        "Your partnership review is due on 1 July 2031",
        ["Acme Robotics Ltd's partnership with its Institute of Technology is due for review on "
         "1 July 2031.", "Go to your partner area: http"],
        ["<h1>Your partnership review is due on 1 July 2031</h1>"],
    ),
    "partner-review-due-staff": (
        "Partnership review due 1 July 2031: Acme Robotics Ltd",
        ["Acme Robotics Ltd's partnership is due for review on 1 July 2031.",
         "Open the partner: http"],
        [">Open the partner</a>"],
    ),
    "course-enquiry-staff": (
        "New question about Cyber security HTQ from Dan Dee",
        ["Dan Dee asked about Cyber security HTQ", "Is there an evening option?",
         "Reply to: dan@example.com"],
        ["<h1>New question about Cyber security HTQ</h1>"],
    ),
    "course-enquiry-confirmation": (
        "Your question about Cyber security HTQ",
        ["Dear Dan Dee,", "to Durham IoT. They usually reply within 5 working days."],
        ["<h1>We have sent your question</h1>"],
    ),
    "course-import": (
        "Your course upload spring.csv is ready to confirm",
        ["spring.csv, for Durham IoT. Confirming it will change: courses 1 created, 0 updated",
         "Nothing has changed yet.", "Open the upload: http"],
        ["<h1>Your course upload is ready to confirm</h1>", ">Open the upload</a>"],
    ),
    "course-alert": (
        "New courses for your search: Level 4",
        ['New courses match your saved search "Level 4"', "- New level 4 course, "],
        ["<h1>New courses for your search</h1>"],
    ),
    "case-study-to-review": (
        "Case study to review: Robots in the classroom",
        ["Acme Robotics Ltd has proposed a case study, ‘Robots in the classroom’.",
         "Review it: http"],
        [">Review it</a>"],
    ),
    "case-study-returned": (
        "Sent back with a note: Robots in the classroom",
        ["Their note: Add a learner's view.", "Change your case study: http"],
        ["Their note: Add a learner&#x27;s view."],
    ),
    "case-study-approved": (
        "Published: Robots in the classroom",
        ["Your case study ‘Robots in the classroom’ is approved and now published.",
         "Read it on the site: http"],
        [">Read it on the site</a>"],
    ),
    "newsletter-confirm": (
        "Confirm your subscription to the newsletter",
        ["asked to get the Institutes of Technology newsletter at this address.",
         "Confirm my subscription: http"],
        [">Confirm my subscription</a>"],
    ),
    "newsletter-issue": (
        "Spring news",
        ["Hello everyone.", "STORIES", "- Robots in the classroom", "Unsubscribe: http"],
        ["<h1>Spring news</h1>", "<strong>everyone</strong>", ">Robots in the classroom</a>"],
    ),
    "account": (
        "Reset your password",
        ["asked to reset the password"],
        ["asked to reset the password"],
    ),
    "generic": (
        "Your partner application is approved",
        ["Acme Robotics Ltd is now a partner of Durham IoT.", "Go to your partner area: http"],
        [">Go to your partner area</a>"],
    ),
    "event-notice": (
        "Your place is confirmed: Robotics open day",
        ["Dear Ann Able,", "Thank you for registering.", f"When: {WHEN}"],
        ["<h1>Your place is confirmed</h1>"],
    ),
}  # fmt: skip


@pytest.fixture
def queued(client, monkeypatch) -> dict[str, list[Message]]:
    """Run every service that sends mail; the rows they queue, by kind (oldest first)."""
    monkeypatch.setattr(
        "iot_network.notifications.services.dispatch", lambda ids, countdown=None: None
    )
    institute = InstituteFactory(name="Durham IoT", contact_email="staff@iot.example.org")
    run_events(institute)
    run_partners(institute)
    run_courses(institute)
    run_stories(institute)
    run_newsletter(institute)
    client.post("/account/password/reset/", {"email": "learner@example.com"})
    notify(to="old@example.com", kind="generic", dedupe_key="legacy-1", context=LEGACY_GENERIC)
    notify(
        to="old@example.com",
        kind="event-notice",
        dedupe_key="legacy-2",
        context=LEGACY_EVENT_NOTICE,
    )
    by_kind: dict[str, list[Message]] = {}
    for message in Message.objects.order_by("pk"):
        by_kind.setdefault(message.kind, []).append(message)
    return by_kind


def run_events(institute):
    starts_at = datetime(2031, 6, 14, 8, tzinfo=UTC)
    event = EventFactory(
        institute=institute, title="Robotics open day", slug="robotics-open-day", capacity=1,
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=3),
        venue_address="1 High Street\nDurham", venue_postcode="DH1 1AA",
        accessibility_info="Step-free entrance.", waiting_list=Event.WaitingList.OFFER,
        offer_hours=24,
    )  # fmt: skip

    def sign_up(name):
        email = f"{name.split()[0].lower()}@example.com"
        details = RegistrationDetails(name=name, email=email)
        return events.register(event_id=event.pk, details=details)

    ann, _bea, cal = sign_up("Ann Able"), sign_up("Bea Baker"), sign_up("Cal Cole")
    events.cancel_registration(registration_id=ann.pk)  # Bea is offered the place
    events.expire_offers(now=timezone.now() + timedelta(hours=25))  # ...lets it lapse; Cal's turn
    events.accept_offer(registration_id=cal.pk)
    event.refresh_from_db()
    event.venue_name = "Main campus"
    event.save()
    events.event_changed(event_id=event.pk, changed=["venue_name"])
    events.message_attendees(
        event_id=event.pk, statuses=["confirmed"], subject="Parking",
        body="Use the north car park.\r\n\r\nBring ID.", batch="b1", acting_user=None,
    )  # fmt: skip
    events.send_reminders(now=starts_at - timedelta(days=6, hours=23))
    events.send_reminders(now=starts_at - timedelta(hours=23))
    events.send_feedback_requests(now=starts_at + timedelta(hours=12))
    events.cancel_event(event_id=event.pk, reason="The venue has flooded.", acting_user=None)


def run_partners(institute):
    staff = staff_user(email="staff@network.example")
    jo = UserFactory(email="jo@acme.example", full_name="Jo Bloggs")
    organisation = OrganisationFactory.build(
        name="Acme Robotics Ltd", sector=RouteFactory(name="Engineering and manufacturing"),
        contact_name="Jo Bloggs",
    )  # fmt: skip
    partners.submit_application(
        applicant=jo, organisation=organisation, institutes=[institute], interests=[]
    )
    partners.decide_application(
        organisation=organisation, approve=True, reason="Welcome aboard.", decided_by=staff
    )
    beta = MemberFactory(
        organisation=OrganisationFactory(name="Beta Widgets Ltd", status="pending")
    ).organisation
    partners.decide_application(
        organisation=beta, approve=False, reason="We only work with STEM employers.",
        decided_by=staff,
    )  # fmt: skip
    organisation.refresh_from_db()
    partners.invite_member(
        organisation=organisation, email="new@acme.example", role="member", invited_by=jo
    )
    vacancy = OpportunityFactory.build(
        organisation=organisation, institute=institute, title="Maintenance apprentice",
        closing_date=date(2031, 9, 30),
    )  # fmt: skip
    partners.post_opportunity(opportunity=vacancy, posted_by=jo)
    partners.decide_opportunity(opportunity=vacancy, approve=True, decided_by=staff)
    nights = OpportunityFactory(
        organisation=organisation, institute=institute, title="Night shift tester",
        status=Opportunity.Status.PENDING,
    )  # fmt: skip
    partners.decide_opportunity(
        opportunity=nights, approve=False, reason="Under 18s cannot work nights.", decided_by=staff
    )
    need = SkillsNeed(
        organisation=organisation, institute=institute, skills="PLC programming, CAD.",
        people_needed=12, needed_by=date(2031, 9, 1), details="Shift work.",
    )  # fmt: skip
    partners.report_skills_need(need=need, reported_by=jo)
    Organisation.objects.filter(pk=organisation.pk).update(review_date=date(2031, 7, 1))
    partners.send_review_reminders(today=date(2031, 6, 1))


def run_courses(institute):
    course = CourseFactory(title="Cyber security HTQ", institute=institute)
    submit_enquiry(
        course=course, name="Dan Dee", email="dan@example.com", phone="",
        message="Is there an evening option?",
    )  # fmt: skip
    learner = UserFactory(email="learner@example.com")
    set_consent(email=learner.email, category="course-alerts", granted=True, source="preferences")
    SavedSearch.objects.create(
        user=learner, name="Level 4", query="level=4", checked_at=timezone.now() - timedelta(days=1)
    )
    CourseRunFactory(course=CourseFactory(title="New level 4 course", level=4))
    send_saved_search_alerts()
    # A big upload is checked in a job, and the uploader is told when it is done.
    RouteFactory(slug="engineering-manufacturing")
    uploader = staff_user("iot-staff", [institute], email="uploader@iot.example.org")
    upload = CourseImport.objects.create(
        institute=institute, uploaded_by=uploader, file_name="spring.csv", file_format="csv",
        content=as_csv([row(**{"Venue postcode": ""})]), in_background=True,
    )  # fmt: skip
    check_import(course_import_id=upload.pk)


def run_stories(institute):
    staff = staff_user(email="stories@network.example")
    acme = Organisation.objects.get(name="Acme Robotics Ltd")
    story = stories.propose_case_study(
        organisation=acme,
        story=Story(title="Robots in the classroom", standfirst="How.", body="Like this."),
        institute=institute,
        image=None,
        proposed_by=acme.members.first().user,
    )
    stories.decide_case_study(
        story=story, approve=False, note="Add a learner's view.", decided_by=staff
    )
    story = stories.propose_case_study(
        organisation=acme, story=story, institute=institute, image=None,
        proposed_by=acme.members.first().user,
    )  # fmt: skip
    stories.decide_case_study(story=story, approve=True, decided_by=staff)


def run_newsletter(institute):
    subscriber = newsletter.subscribe(email="reader@example.com", institutes=[institute])
    newsletter.confirm(subscriber=subscriber)
    issue = Issue.objects.create(subject="Spring news", introduction="Hello **everyone**.")
    issue.stories.set(Story.objects.filter(title="Robots in the classroom"))
    newsletter.queue(issue_id=issue.pk)


def template_kinds() -> set[str]:
    return {folder.name for folder in EMAIL_TEMPLATES.iterdir() if folder.is_dir()}


def test_every_template_folder_is_a_whole_mail_and_is_rendered_here():
    for kind in template_kinds():
        files = {path.name for path in (EMAIL_TEMPLATES / kind).iterdir()}
        assert files == {"subject.txt", "body.txt", "body.html"}, kind
    assert template_kinds() == set(EXPECTED)


def test_every_kind_renders_what_its_service_means_to_say(queued):
    assert set(queued) == set(EXPECTED), "a kind no service queues, or one not checked here"
    for kind, (subject, text_words, html_words) in EXPECTED.items():
        message = queued[kind][0]
        email = rendered(message)
        assert email.subject == subject, kind
        for words in text_words:
            assert words in email.body, (kind, words, email.body)
        page = html(message)
        for words in html_words:
            assert words in page, (kind, words, page)
        for body in (email.body, page):
            # One full stop after "a.m."; no variable the template expected and did not get.
            assert not re.search(r"\.m\.\.|\{\{|\{%|None\b", body), (kind, body)
        assert email.extra_headers["Message-ID"] == message.message_id


def test_event_mail_says_each_variant_in_words(queued):
    """The same kind worded for the person's case: a promoted place, an offer's deadline."""
    ann, cal = queued["event-registration-confirmed"]
    assert "Thank you for registering." in rendered(ann).body
    assert "A place has become free and it is yours." in rendered(cal).body
    [bea_offer, cal_offer] = queued["event-offer"]
    assert re.search(
        r"It is held for you until \w+ \d+ \w+, \d+:\d\d [ap]\.m\.\n", rendered(bea_offer).body
    )
    [cancelled] = queued["event-registration-cancelled"]
    assert cancelled.attachments and "method=CANCEL" in cancelled.attachments[0]["mimetype"]
    [bea_waiting, cal_waiting] = queued["event-waiting-list"]
    assert "You are number 2 on the waiting list." in rendered(cal_waiting).body
    week, day = queued["event-reminder"]
    assert rendered(week).subject.endswith(" is next week")
    assert rendered(day).subject == "Reminder: Robotics open day is tomorrow"
    joined = {m.recipient for m in queued["event-cancelled"]}
    assert joined == {"cal@example.com"}


def test_services_pass_data_not_wording(queued):
    for kind, messages in queued.items():
        if kind in WORDED_ELSEWHERE:
            continue
        for message in messages:
            assert not WORDING_KEYS & set(message.context), (kind, message.context)
            # JSON as it is, no custom encoder: what the worker reads back is what was queued.
            assert json.loads(json.dumps(message.context)) == message.context, kind


SERVICE_PACKAGES = (
    "events",
    "partners",
    "courses",
    "institutes",
    "iot_network",
    "stories",
    "newsletter",
)
LEGACY_KINDS = {"generic", "event-notice"}
WORDING_ARGUMENTS = {"subject", "heading", "paragraphs", "action"}


def _kinds_named(node: ast.expr) -> set[str]:
    return {
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def test_no_service_words_a_mail_in_python():
    """Every kind the code names has its template folder, none is a legacy catch-all, and no
    call that queues mail hands over a subject, heading, paragraphs or a button label."""
    named: set[str] = set()
    for package in SERVICE_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts or "templatetags" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
                keywords = {k.arg: k.value for k in call.keywords if k.arg}
                if "kind" not in keywords or "dedupe_key" not in keywords and "key" not in keywords:
                    continue
                where = f"{path.relative_to(ROOT)}:{call.lineno}"
                assert not WORDING_ARGUMENTS & set(keywords), where
                kinds = _kinds_named(keywords["kind"])
                assert not kinds & LEGACY_KINDS, where
                named |= kinds
    assert named, "found no mail being queued: is the scan looking in the right places?"
    assert named <= template_kinds(), named - template_kinds()
