"""The staff workspace's own pages: the dashboard chart's scale, the review page's whole
application, the daily lists' columns and filters, and the admin's icon."""

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.models import Enquiry
from events.models import Registration
from iot_network.portal.admin_site import nice_scale
from tests.factories import (
    CourseFactory,
    EventFactory,
    MemberFactory,
    OpportunityFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "top, scale",
    [(0, [0, 1, 2, 3, 4]), (3, [0, 1, 2, 3, 4]), (7, [0, 2, 4, 6, 8]), (40, [0, 10, 20, 30, 40])],
)
def test_the_chart_scale_runs_in_round_steps_to_at_least_the_highest_bar(top, scale):
    assert nice_scale(max(top, 1)) == scale


def test_the_dashboard_chart_has_a_scale_and_labelled_axes(client, world):
    home, _, people = world
    event = EventFactory(institute=home)
    for n in range(3):
        Registration.objects.create(
            event=event, name=f"P{n}", email=f"p{n}@example.com", status="confirmed"
        )
    client.force_login(people["iot-staff"])
    page = client.get("/admin/").content.decode()
    assert "scale 0 to 4" in page
    assert 'class="dashboard__tick"' in page and "Registrations</text>" in page
    assert "Week starting (day/month)" in page


def test_admin_pages_name_the_sites_icon(client, world):
    client.force_login(world[2]["iot-staff"])
    assert 'rel="icon"' in client.get("/admin/").content.decode()


def test_the_review_page_shows_the_whole_application_and_possible_duplicates(client, world):
    home, away, people = world
    application = OrganisationFactory(
        name="Acme Robotics Ltd",
        institutes=[home],
        status="pending",
        companies_house_number="01234567",
        postcode="S1 2HH",
    )
    MemberFactory(organisation=application, user=UserFactory(email="jo@acme.example"))
    OrganisationFactory(name="acme robotics ltd", institutes=[home], status="declined")
    OrganisationFactory(name="Elsewhere Ltd", institutes=[away], postcode="S1 2HH")
    client.force_login(people["iot-staff"])
    page = client.get(f"/admin/partners/organisation/{application.pk}/review/").content.decode()
    assert "https://find-and-update.company-information.service.gov.uk/company/01234567" in page
    assert "jo@acme.example" in page and home.name in page
    assert "acme robotics ltd</a> (declined" in page
    assert "Elsewhere Ltd" not in page  # another IoT's partner is not named...
    assert "1 organisation working with other Institutes of Technology" in page  # ...only counted
    assert 'class="button default"' in page


def test_the_registration_list_shows_what_staff_check_before_an_event(
    client, world, django_assert_max_num_queries
):
    home, _, people = world
    soon, past = (
        EventFactory(institute=home, starts_at=timezone.now() + timedelta(days=d)) for d in (3, -3)
    )
    for n, event in enumerate([soon, past] * 5):
        Registration.objects.create(
            event=event,
            name=f"Person {n}",
            email=f"p{n}@example.com",
            status="confirmed",
            dietary_needs="Vegan" if n == 0 else "",
        )
    client.force_login(people["iot-staff"])
    with django_assert_max_num_queries(20):
        page = client.get("/admin/events/registration/?when=upcoming&needs=yes").content.decode()
    assert "Person 0" in page and "Person 2" not in page and "Person 1" not in page
    assert "Dietary" in page


def test_the_enquiry_list_puts_the_oldest_waiting_first(client, world):
    home, _, people = world
    course = CourseFactory(institute=home)
    for name, age, replied in (("Old", 5, False), ("New", 1, False), ("Done", 9, True)):
        enquiry = Enquiry.objects.create(
            course=course, name=name, email="e@example.com", message="Hi", consent_to_contact=True
        )
        Enquiry.objects.filter(pk=enquiry.pk).update(
            created_at=timezone.now() - timedelta(days=age),
            replied_at=timezone.now() if replied else None,
        )
    client.force_login(people["iot-staff"])
    page = client.get("/admin/courses/enquiry/?replied_at__isempty=1").content.decode()
    assert page.index(">Old<") < page.index(">New<") and ">Done<" not in page
    assert "Waiting for a reply" in page
    assert "Days waiting" in page


def test_the_opportunity_list_filters_those_closing_soon(client, world):
    home, _, people = world
    today = timezone.localdate()
    for title, days in (("Soon", 5), ("Later", 60), ("Gone", -1)):
        OpportunityFactory(
            title=title,
            institute=home,
            organisation=OrganisationFactory(institutes=[home]),
            closing_date=today + timedelta(days=days),
        )
    client.force_login(people["iot-staff"])
    page = client.get("/admin/partners/opportunity/?closing=soon").content.decode()
    assert ">Soon<" in page and ">Later<" not in page and ">Gone<" not in page
