"""Stories and the newsletter in a browser, with the keyboard alone and axe on every public page:
a visitor subscribes, confirms from the mail and unsubscribes in one click; IoT staff write a
story with an image and schedule it; a partner proposes a case study that staff approve."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from tests.browser.keyboard import follow, tab_to, type_into
from tests.browser.test_partners import PASSWORD, current_code, in_thread
from tests.factories import InstituteFactory, MemberFactory, OrganisationFactory, UserFactory
from tests.factories import staff_user as make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "workshop.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), "teal").save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


@pytest.fixture
def network(transactional_db, reference_data, monkeypatch, media):
    monkeypatch.setattr(
        "iot_network.notifications.services.dispatch", lambda ids, countdown=None: None
    )
    from allauth.account.models import EmailAddress

    institute = InstituteFactory(name="Pennine Institute of Technology", slug="pennine-iot")
    staff = make_staff("iot-staff", [institute], email="staff@network.example")
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    return institute


def press(page, text: str) -> None:
    """Tab to the button or link reading ``text`` and press Enter, as a keyboard user does."""
    tab_to(page, f"el.textContent.trim() === {text!r}")
    page.keyboard.press("Enter")
    page.wait_for_load_state()


def sign_in(page, email: str, *, staff: bool = False) -> None:
    page.goto("/account/login/")
    type_into(page, "id_login", email)
    type_into(page, "id_password", PASSWORD)
    page.keyboard.press("Enter")
    if staff:
        page.wait_for_url("**/2fa/authenticate/**")
        type_into(page, "id_code", current_code())
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/2fa/" not in url)
    else:
        page.wait_for_url(lambda url: "/account/login/" not in url)


def test_a_visitor_subscribes_confirms_from_the_mail_and_unsubscribes_in_one_click(
    network, page, assert_accessible
):
    page.goto("/")
    follow(page, "Newsletter", "**/newsletter/")
    assert_accessible(page)
    follow(page, "Subscribe", "**/newsletter/subscribe/")
    assert_accessible(page)
    press(page, "Subscribe")
    page.wait_for_selector(".error-summary")
    assert_accessible(page)  # the error state
    type_into(page, "id_email", "reader@example.com")
    press(page, "Subscribe")
    page.wait_for_selector("text=Check your email")
    assert_accessible(page)

    def confirmation_link():
        from iot_network.notifications.models import Message

        message = Message.objects.get(recipient="reader@example.com", kind="newsletter-confirm")
        return re.search(r"/newsletter/confirm/[^/]+/", message.context["action_url"]).group(0)

    link = in_thread(confirmation_link)
    page.goto(link)
    assert_accessible(page)
    press(page, "Confirm my subscription")
    page.wait_for_selector("text=You are subscribed")
    assert_accessible(page)

    def an_issue_arrives():
        from iot_network.notifications.delivery import build_email
        from iot_network.notifications.models import Message
        from newsletter import services
        from newsletter.models import Issue

        issue = Issue.objects.create(subject="Spring news", introduction="Hello.")
        services.queue(issue_id=issue.pk)
        message = Message.objects.get(batch=issue.batch, recipient="reader@example.com")
        assert message.status == "queued"
        url = build_email(message).extra_headers["List-Unsubscribe"].strip("<>")
        return "/" + url.split("/", 3)[3]

    page.goto(in_thread(an_issue_arrives))
    assert_accessible(page)
    press(page, "Unsubscribe")
    page.wait_for_selector("text=unsubscribed")
    assert_accessible(page)

    def consent():
        from iot_network.notifications.services import has_consent

        return has_consent("reader@example.com", "newsletter")

    assert in_thread(consent) is False

    # The old link is spent; it offers a new one, which expires in its turn.
    page.goto(link)
    page.wait_for_selector("text=This link has already been used")
    assert_accessible(page)
    press(page, "Send me a new link")
    page.wait_for_selector(".error-summary")
    assert_accessible(page)  # the error state
    type_into(page, "id_email", "reader@example.com")
    press(page, "Send me a new link")
    page.wait_for_selector("text=we have sent it a new link")
    assert_accessible(page)

    def the_new_link_expires():
        from iot_network.notifications.models import Message
        from newsletter.models import Subscriber

        Subscriber.objects.update(token_sent_at=timezone.now() - timedelta(days=30))
        message = Message.objects.filter(kind="newsletter-confirm").latest("pk")
        return re.search(r"/newsletter/confirm/[^/]+/", message.context["action_url"]).group(0)

    page.goto(in_thread(the_new_link_expires))
    page.wait_for_selector("text=This link has expired")
    assert_accessible(page)


def test_iot_staff_write_a_story_with_an_image_schedule_it_and_see_it_published(
    network, photo, page, assert_accessible
):
    sign_in(page, "staff@network.example", staff=True)
    page.goto("/admin/stories/story/add/")
    type_into(page, "id_title", "Apprentices build a wind turbine")
    type_into(page, "id_standfirst", "Level 4 learners designed and tested a small turbine.")
    type_into(page, "id_body", "It took a term.")
    page.set_input_files("#id_image", photo)  # the file chooser is the system's, not the page's
    type_into(page, "id_image_alt", "Two learners lifting a turbine blade")
    tab_to(page, "el.id === 'id_institutes'")
    page.keyboard.press("ArrowDown")  # the only IoT this member of staff may choose
    type_into(page, "id_status", "Sc")  # a closed select jumps to the option typed
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    type_into(page, "id_publish_at_0", tomorrow)
    type_into(page, "id_publish_at_1", "09:00")
    tab_to(page, "el.name === '_save'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/stories/story/")

    def publish_when_due():
        from stories.models import Story
        from stories.tasks import publish_scheduled_stories

        story = Story.objects.get(title="Apprentices build a wind turbine")
        assert story.status == "scheduled" and story.image_widths
        Story.objects.filter(pk=story.pk).update(publish_at=timezone.now())
        return publish_scheduled_stories()  # what beat runs every minute

    assert in_thread(publish_when_due) == 1
    page.goto("/")
    follow(page, "Stories", "**/stories/")
    assert "Apprentices build a wind turbine" in page.content()
    assert page.locator("img[alt='Two learners lifting a turbine blade'][loading=lazy]").count()
    assert_accessible(page)
    follow(page, "Apprentices build a wind turbine", "**/stories/apprentices-build-*/")
    assert_accessible(page)
    page.goto("/institutes/pennine-iot/")
    assert "Apprentices build a wind turbine" in page.content()
    assert_accessible(page)


def test_a_partner_proposes_a_case_study_and_staff_approve_it(
    network, photo, page, assert_accessible
):
    from allauth.account.models import EmailAddress

    def partner():
        user = UserFactory(email="jo@acme.example")
        user.set_password(PASSWORD)
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        MemberFactory(
            user=user,
            organisation=OrganisationFactory(
                name="Acme Robotics", slug="acme", institutes=[network]
            ),
        )

    in_thread(partner)
    sign_in(page, "jo@acme.example")
    page.goto("/partner-area/acme/")
    follow(page, "Case studies", "**/partner-area/acme/case-studies/")
    assert_accessible(page)
    follow(page, "Propose your first case study", "**/case-studies/new/")
    assert_accessible(page)
    type_into(page, "id_title", "How we shaped a robotics course")
    type_into(page, "id_standfirst", "Our engineers helped write the modules.")
    type_into(page, "id_body", "We met every month.")
    type_into(page, "id_institute", "Pennine")
    page.set_input_files("#id_image", photo)
    type_into(page, "id_image_alt", "An engineer and a learner at a robot arm")
    follow(page, "Send for review", "**/partner-area/acme/case-studies/")
    assert "Proposed by a partner" in page.content()
    assert_accessible(page)

    staff = page.context.browser.new_context(base_url=page.url.split("/partner-area")[0])
    staff_page = staff.new_page()
    sign_in(staff_page, "staff@network.example", staff=True)

    def story_id():
        from stories.models import Story

        return Story.objects.get(title="How we shaped a robotics course").pk

    staff_page.goto(f"/admin/stories/story/{in_thread(story_id)}/review/")
    tab_to(staff_page, "el.textContent.trim() === 'Approve'")
    staff_page.keyboard.press("Enter")
    staff_page.wait_for_url(re.compile(r"/admin/stories/story/\?status__exact=pending$"))
    staff.close()

    page.goto("/stories/")
    follow(page, "How we shaped a robotics course", "**/stories/how-we-shaped-*/")
    assert "Acme Robotics" in page.content()
    assert_accessible(page)
