"""Institute pages: contact details that the institute's staff keep, where enquiries go, and
everything else the institute offers."""

import pytest
from django.urls import reverse

from iot_network.portal.demo import load_demo
from iot_network.staff.models import AuditEntry
from tests.factories import (
    CourseFactory,
    EventFactory,
    InstituteFactory,
    OpportunityFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db


def enquire(client, course):
    return client.post(
        f"/courses/{course.slug}/enquire/",
        {"name": "Sam Patel", "email": "sam@example.com", "message": "Part-time?", "consent": "on"},
    )


def test_institute_page_shows_the_contact_details_staff_keep(client):
    institute = InstituteFactory(
        name="Test Institute of Technology",
        address="Example College\n1 High Street\nDurham DH1 3LH",
        phone="0191 496 0000",
        contact_email="hello@iot.example.org",
        website="https://iot.example.org",
    )
    content = client.get(institute.get_absolute_url()).content.decode()
    assert "<address>Example College<br>1 High Street<br>Durham DH1 3LH</address>" in content
    assert '<a href="tel:01914960000">0191 496 0000</a>' in content
    assert '<a href="mailto:hello@iot.example.org">hello@iot.example.org</a>' in content
    assert 'href="https://iot.example.org"' in content


def test_institute_without_contact_details_points_to_the_network(client):
    content = client.get(InstituteFactory().get_absolute_url()).content.decode()
    assert "has not added its contact details yet" in content
    assert 'href="/contact/"' in content


def test_institute_page_has_its_courses_events_opportunities_and_calendar_feed(client):
    institute = InstituteFactory()
    CourseFactory(institute=institute, title="Robotics HNC")
    EventFactory(institute=institute, title="Open evening")
    OpportunityFactory(institute=institute, title="Summer placement")
    content = client.get(institute.get_absolute_url()).content.decode()
    assert "Robotics HNC" in content
    assert "Open evening" in content
    assert "Summer placement" in content
    feed = reverse("events:institute_calendar", args=[institute.slug])
    assert f'href="{feed}"' in content
    assert client.get(feed)["Content-Type"].startswith("text/calendar")


def test_an_enquiry_goes_to_the_institutes_own_address_when_it_has_one(
    client, deliver_on_commit, django_capture_on_commit_callbacks, mailoutbox
):
    course = CourseFactory(institute=InstituteFactory(contact_email="courses@iot.example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        assert enquire(client, course).status_code == 302
    assert sorted(m.to[0] for m in mailoutbox) == ["courses@iot.example.org", "sam@example.com"]


def test_an_enquiry_goes_to_the_networks_address_when_the_institute_has_none(
    client, settings, deliver_on_commit, django_capture_on_commit_callbacks, mailoutbox
):
    settings.CONTACT_EMAIL = "network@example.org"
    course = CourseFactory(institute=InstituteFactory(contact_email=""))
    with django_capture_on_commit_callbacks(execute=True):
        assert enquire(client, course).status_code == 302
    assert sorted(m.to[0] for m in mailoutbox) == ["network@example.org", "sam@example.com"]


def test_iot_staff_keep_their_institutes_contact_details_in_the_workspace(client):
    home, away = InstituteFactory(), InstituteFactory()
    user = staff_user("iot-staff", [home])
    client.force_login(user)
    change = reverse("admin:institutes_institute_change", args=[home.pk])
    response = client.post(
        change,
        {
            "address": "Example College\nDurham DH1 3LH",
            "phone": "0191 496 0001",
            "contact_email": "team@iot.example.org",
            "website": "iot.example.org",
            "summary": "What we teach.",
            "name": "A new name",  # the Department's facts are read-only for an IoT
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    home.refresh_from_db()
    assert (home.phone, home.contact_email, home.website) == (
        "0191 496 0001",
        "team@iot.example.org",
        "https://iot.example.org",
    )
    assert home.address.splitlines() == ["Example College", "Durham DH1 3LH"]
    assert home.name.startswith("Test Institute of Technology")
    assert AuditEntry.objects.filter(actor=user, target_id=str(home.pk)).exists()
    other = reverse("admin:institutes_institute_change", args=[away.pk])
    assert client.get(other).status_code == 404
    assert client.post(other, {"phone": "0"}).status_code == 404


def test_demo_institutes_get_contact_details_that_say_they_are_made_up():
    from institutes.models import Institute

    load_demo(password="a-demo-password-1")
    institutes = list(Institute.objects.all())
    assert len(institutes) == 21
    for institute in institutes:
        assert institute.address.startswith("Demo address")
        assert institute.phone.startswith("01632 960")  # Ofcom's numbers for drama
        assert institute.contact_email == ""  # so enquiries reach the network's inbox
    edited = institutes[0]
    Institute.objects.filter(pk=edited.pk).update(phone="0191 496 0002")
    load_demo(password="a-demo-password-1")
    edited.refresh_from_db()
    assert edited.phone == "0191 496 0002"  # staff's own details are kept
