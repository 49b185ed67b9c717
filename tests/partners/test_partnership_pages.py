"""Issue 18: a partner is shown their partnership, not asked to become one; the partner area's
wording (totals, wage period, course choices) reads properly."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import Engagement
from tests.factories import CourseFactory, InstituteFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(client):
    member = MemberFactory(user=UserFactory(email="boss@partner.example"))
    client.force_login(member.user)
    return member


@pytest.mark.parametrize("path", ["/", "/partners/", "/partners/become-a-partner/"])
def test_a_signed_in_partner_is_sent_to_their_partner_area_not_asked_to_become_one(
    client, partner, path
):
    page = client.get(path).content.decode()
    assert 'href="/partner-area/"' in page
    assert f'href="{reverse("partners:apply")}"' not in page
    assert ">Become a partner</a>" not in page


@pytest.mark.parametrize("path", ["/", "/partners/"])
def test_everyone_else_is_offered_become_a_partner(client, path):
    client.force_login(UserFactory())
    assert ">Become a partner</a>" in client.get(path).content.decode()


def test_apply_shows_a_partner_their_partnership_and_the_way_to_their_area(client, partner):
    page = client.get("/partners/apply/").content.decode()
    assert "<h1>You already have a partnership</h1>" in page
    assert partner.organisation.name in page
    assert f'href="{partner.organisation.get_area_url()}"' in page
    assert 'href="/partner-area/"' in page
    assert 'name="companies_house_number"' not in page  # no blank form


def test_a_partner_can_still_apply_for_another_organisation(client, partner):
    page = client.get("/partners/apply/?another=1").content.decode()
    assert "<h1>Apply to become a partner</h1>" in page


def test_engagement_totals_count_in_the_singular_and_the_plural(client, partner):
    organisation = partner.organisation
    institute = organisation.institutes.first()
    today = timezone.localdate()
    Engagement.objects.create(
        organisation=organisation, institute=institute, kind="placements", occurred_on=today
    )
    Engagement.objects.create(
        organisation=organisation,
        institute=institute,
        kind="mentoring",
        occurred_on=today,
        quantity=3,
    )
    page = client.get(organisation.get_area_url()).content.decode()
    assert "1 placement hosted" in page
    assert "1 placements" not in page
    assert "3 people mentored" in page


def test_wage_period_offers_hour_week_or_year_and_nothing_is_chosen_for_you(client, partner):
    url = reverse("partners:opportunity-create", args=[partner.organisation.slug])
    page = client.get(url).content.decode()
    assert "---------" not in page
    for unit in ("hour", "week", "year"):
        assert re.search(rf'type="radio" name="wage_unit" value="{unit}"(?![^>]*checked)', page)
        assert f"Per {unit}</label>" in page


def test_course_choices_say_where_each_course_is_taught(client, partner):
    institute = partner.organisation.institutes.first()
    CourseFactory(title="Cyber security HTQ", institute=institute, provider_name="North College")
    CourseFactory(title="Cyber security HTQ", institute=institute, provider_name="South College")
    url = reverse("partners:opportunity-create", args=[partner.organisation.slug])
    page = client.get(url).content.decode()
    assert f"Cyber security HTQ – North College, {institute.name}" in page
    assert f"Cyber security HTQ – South College, {institute.name}" in page


def test_the_applications_postcode_errors_are_about_the_organisation(client):
    client.force_login(UserFactory())
    InstituteFactory()
    page = client.post("/partners/apply/", {"postcode": "not a postcode"}).content.decode()
    assert "Enter your organisation&#x27;s full UK postcode, like SW1A 1AA." in page
    assert "Enter a full UK postcode" not in page  # the course search's words
