"""Staff write stories in the admin, scoped to their IoTs; partners propose case studies that
the IoT's staff approve or send back with a note."""

from datetime import timedelta

import pytest
from django.utils import timezone

from iot_network.staff.models import AuditEntry
from stories.models import Story
from tests.factories import (
    InstituteFactory,
    MemberFactory,
    OrganisationFactory,
    UserFactory,
    staff_user,
)

from .factories import StoryFactory, gps_exif, picture

pytestmark = pytest.mark.django_db


def story_form(**overrides):
    data = {
        "kind": "news",
        "title": "Apprentices win a national award",
        "slug": "",
        "standfirst": "Three apprentices were recognised for their work on heat pumps.",
        "body": "The judges said *excellent*.",
        "image_alt": "Three apprentices holding a trophy",
        "status": "scheduled",
        "publish_at_0": (timezone.localdate() + timedelta(days=2)).isoformat(),
        "publish_at_1": "09:00:00",
    }
    return data | overrides


@pytest.fixture
def home_and_away():
    return InstituteFactory(name="Home IoT"), InstituteFactory(name="Away IoT")


def test_iot_staff_write_a_story_with_an_image_and_schedule_it(client, home_and_away, media):
    home, _ = home_and_away
    staff = staff_user("iot-staff", [home])
    client.force_login(staff)
    response = client.post(
        "/admin/stories/story/add/",
        story_form(institutes=[home.pk], image=picture(width=1800, exif=gps_exif())),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    story = Story.objects.get()
    assert story.slug == "apprentices-win-a-national-award"
    assert story.status == Story.Status.SCHEDULED and story.published_at is None
    assert list(story.institutes.all()) == [home]
    assert story.image_widths == [480, 960, 1600]
    assert (media / f"{story.image_path}1600.jpg").exists()
    assert story.created_by == staff
    assert AuditEntry.objects.filter(action="added", actor=staff).exists()


def test_an_image_without_alt_text_is_refused_with_the_field_named(client, home_and_away):
    home, _ = home_and_away
    client.force_login(staff_user("iot-staff", [home]))
    response = client.post(
        "/admin/stories/story/add/",
        story_form(institutes=[home.pk], image=picture(), image_alt=""),
    )
    assert response.status_code == 200
    assert "Describe the image" in response.content.decode()
    assert not Story.objects.exists()


def test_a_spoofed_image_is_refused_in_the_admin(client, home_and_away):
    from django.core.files.uploadedfile import SimpleUploadedFile

    home, _ = home_and_away
    client.force_login(staff_user("iot-staff", [home]))
    spoofed = SimpleUploadedFile("x.jpg", b"GIF89a not really", content_type="image/jpeg")
    response = client.post(
        "/admin/stories/story/add/", story_form(institutes=[home.pk], image=spoofed)
    )
    assert response.status_code == 200
    assert "not a picture we can read" in response.content.decode()


def test_iot_staff_cannot_put_a_story_in_another_iot_nor_see_or_change_its_stories(
    client, home_and_away
):
    home, away = home_and_away
    client.force_login(staff_user("iot-staff", [home]))
    response = client.post(
        "/admin/stories/story/add/", story_form(institutes=[away.pk], image_alt="")
    )
    assert response.status_code == 200
    assert not Story.objects.exists()
    theirs = StoryFactory(institutes=[away], status=Story.Status.DRAFT, published_at=None)
    national = StoryFactory(status=Story.Status.DRAFT, published_at=None)
    for story in (theirs, national):
        assert client.get(f"/admin/stories/story/{story.pk}/change/").status_code == 404
        assert client.get(f"/admin/stories/story/{story.pk}/preview/").status_code == 404
        changed = client.post(
            f"/admin/stories/story/{story.pk}/change/",
            story_form(institutes=[home.pk], title="Taken over", image_alt=""),
        )
        assert changed.status_code == 404
    assert not Story.objects.filter(title="Taken over").exists()


def test_staff_preview_a_draft_as_visitors_will_see_it(client, home_and_away):
    home, _ = home_and_away
    client.force_login(staff_user("iot-staff", [home]))
    draft = StoryFactory(
        title="Not out yet", status=Story.Status.DRAFT, published_at=None, institutes=[home]
    )
    page = client.get(f"/admin/stories/story/{draft.pk}/preview/").content.decode()
    assert "Preview." in page and "Not out yet" in page and 'content="noindex"' in page


@pytest.fixture
def partner(home_and_away):
    home, _ = home_and_away
    owner = MemberFactory(
        organisation=OrganisationFactory(name="Acme Robotics", institutes=[home]),
        user=UserFactory(email="owner@acme.example"),
    )
    return owner


def propose(client, member, **overrides):
    client.force_login(member.user)
    data = {
        "title": "How we shaped a robotics course",
        "standfirst": "Our engineers helped write the modules.",
        "body": "We met every month.",
        "institute": member.organisation.institutes.first().pk,
        "image": picture(),
        "image_alt": "An engineer and a learner at a robot arm",
    } | overrides
    return client.post(f"/partner-area/{member.organisation.slug}/case-studies/new/", data)


def test_a_partner_proposes_a_case_study_and_the_iots_staff_are_told(
    client, partner, home_and_away, django_capture_on_commit_callbacks, mailoutbox,
    deliver_on_commit,
):  # fmt: skip
    home, _ = home_and_away
    staff_user("iot-staff", [home], email="staff@home.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = propose(client, partner)
    assert response.status_code == 302
    story = Story.objects.get()
    assert story.status == Story.Status.PENDING and story.kind == Story.Kind.CASE_STUDY
    assert story.proposed_by == partner.organisation
    assert list(story.organisations.all()) == [partner.organisation]
    assert "staff@home.example" in {m.to[0] for m in mailoutbox}
    assert client.get(story.get_absolute_url()).status_code == 404  # not published yet


def test_a_partner_cannot_propose_for_an_institute_it_does_not_work_with(
    client, partner, home_and_away
):
    _, away = home_and_away
    response = propose(client, partner, institute=away.pk)
    assert response.status_code == 400
    assert not Story.objects.exists()


def test_another_organisations_case_studies_are_not_found(client, partner):
    story = StoryFactory(status=Story.Status.PENDING, published_at=None)
    story.proposed_by = OrganisationFactory()
    story.save()
    client.force_login(partner.user)
    url = f"/partner-area/{partner.organisation.slug}/case-studies/{story.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "Hijacked"}).status_code == 404
    theirs = f"/partner-area/{story.proposed_by.slug}/case-studies/"
    for their_url in (theirs, f"{theirs}new/", f"{theirs}{story.pk}/"):
        assert client.get(their_url).status_code == 404
        # The list takes no POST at all (405, whoever asks); the forms are 404 to outsiders.
        assert client.post(their_url, {"title": "Hijacked"}).status_code in (404, 405)
    story.refresh_from_db()
    assert story.title != "Hijacked"
    client.logout()
    assert client.get(theirs).status_code == 302  # to sign in


def test_staff_send_a_case_study_back_with_a_note_then_approve_the_new_version(
    client, partner, home_and_away, django_capture_on_commit_callbacks, mailoutbox,
    deliver_on_commit,
):  # fmt: skip
    home, away = home_and_away
    propose(client, partner)
    story = Story.objects.get()
    outsider = staff_user("iot-staff", [away])
    client.force_login(outsider)
    review_url = f"/admin/stories/story/{story.pk}/review/"
    assert client.post(review_url, {"decision": "approve"}).status_code == 404
    staff = staff_user("iot-staff", [home])
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(review_url, {"decision": "decline", "reason": "Add a learner's view."})
    story.refresh_from_db()
    assert story.status == Story.Status.RETURNED and story.review_note == "Add a learner's view."
    [returned] = [m for m in mailoutbox if m.to == ["owner@acme.example"]]
    assert "Add a learner's view." in returned.body
    mailoutbox.clear()
    client.force_login(partner.user)
    edit_url = f"/partner-area/{partner.organisation.slug}/case-studies/{story.pk}/"
    assert "Add a learner" in client.get(edit_url).content.decode()
    resent = client.post(
        edit_url,
        {
            "title": story.title,
            "standfirst": story.standfirst,
            "body": "We met every month. A learner, Sam, says it was the best part.",
            "institute": home.pk,
            "image_alt": story.image_alt,
        },
    )
    assert resent.status_code == 302
    story.refresh_from_db()
    assert story.status == Story.Status.PENDING
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(review_url, {"decision": "approve"})
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED and story.decided_by == staff
    assert client.get(story.get_absolute_url()).status_code == 200
    assert any(m.to == ["owner@acme.example"] for m in mailoutbox)
    assert AuditEntry.objects.filter(action="approve case study", actor=staff).exists()
