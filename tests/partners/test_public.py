from datetime import timedelta

import pytest
from django.utils import timezone

from partners.models import Interest
from tests.factories import (
    CourseFactory,
    InstituteFactory,
    OpportunityFactory,
    OrganisationFactory,
    RouteFactory,
)

pytestmark = pytest.mark.django_db


def test_directory_filters_by_partnership_type(client):
    mentors = OrganisationFactory(name="Mentoring Ltd")
    mentors.interests.set([Interest.objects.get(slug="mentoring")])
    OrganisationFactory(name="Sponsor Ltd").interests.set(
        [Interest.objects.get(slug="sponsorship")]
    )
    content = client.get("/partners/?interest=mentoring").content.decode()
    assert "Mentoring Ltd" in content and "Sponsor Ltd" not in content
    assert client.get("/partners/?interest=nonsense").status_code == 400


def test_apprenticeships_page_lists_only_live_vacancies(client):
    live = OpportunityFactory(title="Live vacancy")
    hidden = [
        OpportunityFactory(title="Pending vacancy", status="pending"),
        OpportunityFactory(title="Declined vacancy", status="declined"),
        OpportunityFactory(title="Closed vacancy", status="closed"),
        OpportunityFactory(
            title="Past vacancy", closing_date=timezone.localdate() - timedelta(days=1)
        ),
        OpportunityFactory(
            title="Unapproved partner vacancy",
            organisation=OrganisationFactory(status="pending"),
        ),
        OpportunityFactory(title="A guest talk", kind="guest-talk"),
    ]
    content = client.get("/apprenticeships/").content.decode()
    assert live.title in content
    for opportunity in hidden:
        assert opportunity.title not in content
    assert client.get(live.get_absolute_url()).status_code == 200
    for opportunity in hidden[:5]:
        assert client.get(opportunity.get_absolute_url()).status_code == 404


def test_vacancies_follow_the_learners_search(client):
    digital = RouteFactory(slug="digital", name="Digital")
    north = InstituteFactory(region="north-east")
    south = InstituteFactory(region="south-west")
    cyber = OpportunityFactory(
        title="Cyber analyst apprentice",
        organisation=OrganisationFactory(sector=digital, institutes=[north]),
    )
    welder = OpportunityFactory(
        title="Welding apprentice", organisation=OrganisationFactory(institutes=[south])
    )
    linked = OpportunityFactory(
        title="Software apprentice",
        organisation=OrganisationFactory(institutes=[south]),
        course=CourseFactory(route=digital, institute=south),
    )

    def titles(query):
        content = client.get(f"/apprenticeships/?{query}").content.decode()
        return {o.title for o in (cyber, welder, linked) if o.title in content}

    assert titles("q=cyber") == {cyber.title}
    assert titles("route=digital") == {cyber.title, linked.title}
    assert titles("region=south-west") == {welder.title, linked.title}
    assert titles(f"institute={north.slug}") == {cyber.title}


def test_apprenticeships_page_queries_do_not_grow_with_vacancies(
    client, django_assert_max_num_queries
):
    OpportunityFactory()
    with django_assert_max_num_queries(30) as first:
        client.get("/apprenticeships/")
    for _ in range(15):
        OpportunityFactory()
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get("/apprenticeships/")


def test_institute_and_partner_pages_list_live_opportunities(client):
    opportunity = OpportunityFactory(title="Placement in robotics", kind="placement")
    pending = OpportunityFactory(
        title="Not yet approved", organisation=opportunity.organisation, status="pending"
    )
    for url in (
        opportunity.institute.get_absolute_url(),
        opportunity.organisation.get_absolute_url(),
    ):
        content = client.get(url).content.decode()
        assert opportunity.title in content
        assert pending.title not in content


def test_opportunity_page_describes_the_job_for_search_engines(client):
    opportunity = OpportunityFactory(wage_amount="11.50", wage_unit="hour")
    content = client.get(opportunity.get_absolute_url()).content.decode()
    assert '"@type": "JobPosting"' in content
    assert '"unitText": "HOUR"' in content
    assert "£11.50 an hour" in content


def test_apprenticeships_page_counts_every_matching_vacancy_and_shows_those_closing_soonest(
    client,
):
    soon = timezone.localdate() + timedelta(days=2)
    first = OpportunityFactory(title="Closes first", closing_date=soon, wage_amount="350")
    for _ in range(11):
        OpportunityFactory()
    OpportunityFactory(title="Not matching", status="pending")
    content = client.get("/apprenticeships/").content.decode()
    assert "12 open vacancies match your search; the 10 closing soonest are shown." in content
    date = f"{soon.day} {soon:%B %Y}"
    assert f"{first.organisation.name} · Durham · £350 a year · closes {date}</p>" in content
    assert "Not matching" not in content
