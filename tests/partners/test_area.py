from datetime import timedelta

import pytest
from django.urls import URLPattern, reverse
from django.utils import timezone

from iot_network.staff.models import AuditEntry
from partners import urls as partner_urls
from partners.models import Interest, Invitation, Opportunity, OrganisationMember, SkillsNeed
from tests.factories import (
    CourseFactory,
    InstituteFactory,
    MemberFactory,
    OpportunityFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def own():
    """An approved organisation, its owner, a plain member and an opportunity."""
    owner = MemberFactory(role="owner", user=UserFactory(email="owner@own.example"))
    organisation = owner.organisation
    member = MemberFactory(organisation=organisation, role="member")
    opportunity = OpportunityFactory(organisation=organisation)
    return organisation, owner, member, opportunity


@pytest.fixture
def outsider(client):
    """A signed-in owner of a different organisation."""
    member = MemberFactory(user=UserFactory(email="other@rival.example"))
    client.force_login(member.user)
    return member


def area_urls(organisation, member, opportunity) -> dict[str, str]:
    """Every partner-area URL, built for ``organisation``. A new URL must be added here."""
    slug = organisation.slug
    return {
        "area": reverse("partners:area", args=[slug]),
        "profile": reverse("partners:profile", args=[slug]),
        "members": reverse("partners:members", args=[slug]),
        "remove-member": reverse("partners:remove-member", args=[slug, member.pk]),
        "opportunity-create": reverse("partners:opportunity-create", args=[slug]),
        "opportunity-edit": reverse("partners:opportunity-edit", args=[slug, opportunity.pk]),
        "opportunity-close": reverse("partners:opportunity-close", args=[slug, opportunity.pk]),
        "skills-need-create": reverse("partners:skills-need-create", args=[slug]),
    }


ORGANISATION_URL_NAMES = [
    p.name
    for p in partner_urls.urlpatterns
    if isinstance(p, URLPattern) and str(p.pattern).startswith("partner-area/<slug:slug>/")
]


def test_every_organisation_url_in_the_partner_area_is_covered(own):
    organisation, _, member, opportunity = own
    assert sorted(ORGANISATION_URL_NAMES) == sorted(area_urls(organisation, member, opportunity))


GET_ONLY = {"area"}
POST_ONLY = {"remove-member"}


@pytest.mark.parametrize("name", ORGANISATION_URL_NAMES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_organisations_member_gets_404(client, own, outsider, name, method):
    organisation, _, member, opportunity = own
    url = area_urls(organisation, member, opportunity)[name]
    response = getattr(client, method)(url, {"name": "Hijacked", "email": "x@evil.example"})
    refused = (method == "get" and name in POST_ONLY) or (method == "post" and name in GET_ONLY)
    assert response.status_code == (405 if refused else 404)
    organisation.refresh_from_db()
    opportunity.refresh_from_db()
    assert organisation.name != "Hijacked"
    assert opportunity.status == Opportunity.Status.APPROVED
    assert OrganisationMember.objects.filter(pk=member.pk).exists()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("name", ORGANISATION_URL_NAMES + ["area-home", "accept-invitation"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_signed_out_visitors_are_sent_to_sign_in(client, own, name, method):
    organisation, _, member, opportunity = own
    urls = area_urls(organisation, member, opportunity)
    urls["area-home"] = reverse("partners:area-home")
    urls["accept-invitation"] = reverse("partners:accept-invitation", args=["some-token"])
    response = getattr(client, method)(urls[name])
    if response.status_code == 405:  # POST-only URLs refuse a GET before anything else
        return
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=")


def test_signed_in_learner_without_organisation_is_told_how_to_join(client):
    client.force_login(UserFactory())
    content = client.get("/partner-area/").content.decode()
    assert "not linked to a partner organisation" in content


def test_member_with_one_organisation_goes_straight_to_it(client, own):
    organisation, owner, _, _ = own
    client.force_login(owner.user)
    response = client.get("/partner-area/")
    assert response.status_code == 302
    assert response["Location"] == organisation.get_area_url()


def test_dashboard_shows_own_opportunities_and_engagement(client, own):
    organisation, owner, _, opportunity = own
    from partners.models import Engagement

    Engagement.objects.create(
        organisation=organisation,
        institute=organisation.institutes.first(),
        kind="talk",
        occurred_on=timezone.localdate(),
        quantity=3,
        notes="Robotics talks",
    )
    other = OpportunityFactory(title="Someone else's vacancy")
    client.force_login(owner.user)
    content = client.get(organisation.get_area_url()).content.decode()
    assert opportunity.title in content
    assert "Robotics talks" in content
    assert other.title not in content


def test_profile_edits_are_saved_and_escaped(client, own):
    organisation, owner, _, _ = own
    client.force_login(owner.user)
    response = client.post(
        reverse("partners:profile", args=[organisation.slug]),
        {
            "name": "Renamed Ltd",
            "sector": organisation.sector_id,
            "size": "medium",
            "postcode": "sw1a1aa",
            "summary": "<img src=x onerror=alert(1)>",
            "interests": [Interest.objects.first().pk],
            "listed_in_directory": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    organisation.refresh_from_db()
    assert (organisation.name, organisation.postcode) == ("Renamed Ltd", "SW1A 1AA")
    assert list(organisation.interests.all()) == [Interest.objects.first()]
    entry = AuditEntry.objects.get(action="updated partner profile")
    assert (entry.actor, entry.target_repr) == (owner.user, "Renamed Ltd")
    page = client.get(organisation.get_absolute_url()).content.decode()
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_owner_invites_a_colleague_who_accepts(
    client, own, deliver_on_commit, django_capture_on_commit_callbacks, mailoutbox
):
    organisation, owner, _, _ = own
    client.force_login(owner.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partners:members", args=[organisation.slug]),
            {"email": "new@own.example", "role": "member"},
        )
    assert response.status_code == 302
    [mail] = mailoutbox
    assert mail.to == ["new@own.example"]
    link = next(w for w in mail.body.split() if "/partner-area/invitations/" in w)
    path = link[link.index("/partner-area/") :]
    invitation = Invitation.objects.get()
    assert invitation.token_hash not in mail.body  # only the token is sent, only its hash kept

    client.force_login(UserFactory(email="someone@else.example"))
    assert "different email address" in client.get(path).content.decode()
    client.post(path)
    assert not organisation.members.filter(user__email="someone@else.example").exists()

    newcomer = UserFactory(email="NEW@own.example")
    client.force_login(newcomer)
    response = client.post(path)
    assert response.status_code == 302
    assert organisation.members.get(user=newcomer).role == "member"
    assert client.get(path).status_code == 404  # used


def test_expired_or_made_up_invitations_do_not_work(client, own):
    organisation, owner, _, _ = own
    token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        organisation=organisation, email="late@own.example", token_hash=token_hash
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(days=15)
    )
    client.force_login(UserFactory(email="late@own.example"))
    assert client.get(f"/partner-area/invitations/{token}/").status_code == 404
    assert client.get("/partner-area/invitations/made-up/").status_code == 404


def test_only_owners_invite_and_remove_and_the_last_owner_stays(client, own):
    organisation, owner, member, _ = own
    client.force_login(member.user)
    members_url = reverse("partners:members", args=[organisation.slug])
    assert client.post(members_url, {"email": "x@own.example", "role": "owner"}).status_code == 404
    remove_owner = reverse("partners:remove-member", args=[organisation.slug, owner.pk])
    assert client.post(remove_owner).status_code == 404

    client.force_login(owner.user)
    client.post(reverse("partners:remove-member", args=[organisation.slug, owner.pk]))
    assert organisation.members.filter(pk=owner.pk).exists()  # the only owner
    client.post(reverse("partners:remove-member", args=[organisation.slug, member.pk]))
    assert not organisation.members.filter(pk=member.pk).exists()
    [entry] = AuditEntry.objects.filter(action="removed partner member")
    assert (entry.actor, entry.target_id) == (owner.user, str(member.pk))


def opportunity_data(organisation, **overrides):
    data = {
        "kind": "apprenticeship",
        "institute": organisation.institutes.first().pk,
        "title": "Maintenance engineer apprentice",
        "description": "Keep the production line running.",
        "location": "Sheffield",
        "wage_amount": "22000",
        "wage_unit": "year",
        "hours_per_week": "37.5",
        "positions": "2",
        "closing_date": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "how_to_apply": "Email your CV.",
    }
    data.update(overrides)
    return data


def test_posting_an_opportunity_waits_for_staff_approval(
    client, own, deliver_on_commit, django_capture_on_commit_callbacks, mailoutbox
):
    organisation, owner, _, _ = own
    institute = organisation.institutes.first()
    institute.contact_email = "staff@iot.example.org"
    institute.save()
    client.force_login(owner.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partners:opportunity-create", args=[organisation.slug]),
            opportunity_data(organisation),
        )
    assert response.status_code == 302, response.content.decode()
    opportunity = Opportunity.objects.get(title="Maintenance engineer apprentice")
    assert opportunity.status == Opportunity.Status.PENDING
    assert opportunity.created_by == owner.user
    assert [m.to for m in mailoutbox] == [["staff@iot.example.org"]]
    assert client.get(opportunity.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"wage_amount": ""}, "Enter the wage"),
        ({"closing_date": "2000-01-01"}, "must be today or in the future"),
        ({"closing_date": "31/02/2030"}, "must be a real date"),
        ({"standard_reference": "ST12"}, "ST followed by 4 digits"),
        ({"title": ""}, "Enter a title."),
        ({"description": "x" * 5001}, "5000 characters or fewer"),
        ({"positions": "0"}, "must be 1 or more"),
        ({"apply_url": "ftp://example.com"}, "Enter the full website address"),
    ],
)
def test_bad_opportunity_input_is_explained(client, own, overrides, message):
    organisation, owner, _, _ = own
    client.force_login(owner.user)
    response = client.post(
        reverse("partners:opportunity-create", args=[organisation.slug]),
        opportunity_data(organisation, **overrides),
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Opportunity.objects.count() == 1  # only the fixture's


def test_opportunity_cannot_be_posted_for_an_institute_the_partner_does_not_work_with(client, own):
    organisation, owner, _, _ = own
    stranger = OrganisationFactory().institutes.first()
    client.force_login(owner.user)
    response = client.post(
        reverse("partners:opportunity-create", args=[organisation.slug]),
        opportunity_data(organisation, institute=stranger.pk),
    )
    assert response.status_code == 400
    assert not Opportunity.objects.filter(institute=stranger).exists()


def test_changing_an_approved_opportunity_hides_it_until_approved_again(client, own):
    organisation, owner, _, opportunity = own
    client.force_login(owner.user)
    assert client.get(opportunity.get_absolute_url()).status_code == 200
    response = client.post(
        reverse("partners:opportunity-edit", args=[organisation.slug, opportunity.pk]),
        opportunity_data(organisation, title="Changed title"),
    )
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.title, opportunity.status) == ("Changed title", "pending")
    assert client.get(opportunity.get_absolute_url()).status_code == 404


def test_closing_an_opportunity_takes_it_down(client, own):
    organisation, owner, _, opportunity = own
    client.force_login(owner.user)
    client.post(reverse("partners:opportunity-close", args=[organisation.slug, opportunity.pk]))
    opportunity.refresh_from_db()
    assert opportunity.status == Opportunity.Status.CLOSED
    assert client.get(opportunity.get_absolute_url()).status_code == 404
    [entry] = AuditEntry.objects.filter(action="closed opportunity")
    assert (entry.actor, entry.target_id) == (owner.user, str(opportunity.pk))


def close_url(organisation, opportunity) -> str:
    return reverse("partners:opportunity-close", args=[organisation.slug, opportunity.pk])


def test_closing_an_opportunity_records_how_many_places_were_filled(client, own):
    organisation, owner, _, opportunity = own
    Opportunity.objects.filter(pk=opportunity.pk).update(positions=3)
    client.force_login(owner.user)
    dashboard = client.get(organisation.get_area_url()).content.decode()
    assert close_url(organisation, opportunity) in dashboard
    page = client.get(close_url(organisation, opportunity)).content.decode()
    assert f"Close “{opportunity.title}”" in page
    assert "How many places were filled, out of 3?" in page
    assert "Optional. Leave it empty if you do not know yet." in page
    response = client.post(close_url(organisation, opportunity), {"positions_filled": "2"})
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.positions_filled) == ("closed", 2)
    [entry] = AuditEntry.objects.filter(action="closed opportunity")
    assert entry.detail == "2 of 3 places filled"
    dashboard = client.get(organisation.get_area_url()).content.decode()
    assert "is closed and no longer shown to learners" in dashboard
    assert "2 of 3 places filled" in dashboard


@pytest.mark.parametrize(
    "value, message",
    [
        ("4", "It offered 3 places, so no more than 3 can have been filled."),
        ("-1", "The number of places filled cannot be less than 0."),
        ("two", "Enter the number of places filled as a whole number, like 2."),
        ("1.5", "Enter the number of places filled as a whole number, like 2."),
    ],
)
def test_places_filled_must_be_a_whole_number_up_to_the_places_offered(client, own, value, message):
    organisation, owner, _, opportunity = own
    Opportunity.objects.filter(pk=opportunity.pk).update(positions=3)
    client.force_login(owner.user)
    response = client.post(close_url(organisation, opportunity), {"positions_filled": value})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "<title>Error:" in page
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.positions_filled) == ("approved", None)


def test_a_closed_opportunity_can_have_its_places_filled_recorded_later(client, own):
    organisation, owner, _, opportunity = own
    client.force_login(owner.user)
    client.post(close_url(organisation, opportunity), {"positions_filled": ""})
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.positions_filled) == ("closed", None)
    dashboard = client.get(organisation.get_area_url()).content.decode()
    assert "Places filled not recorded: " in dashboard and ">record it<" in dashboard
    page = client.get(close_url(organisation, opportunity)).content.decode()
    assert "This opportunity is closed. Places filled not recorded." in page
    assert "Save the number" in page
    response = client.post(close_url(organisation, opportunity), {"positions_filled": "1"})
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.positions_filled) == ("closed", 1)
    assert AuditEntry.objects.get(action="recorded places filled").detail == "1 of 1 place filled"
    # Leaving the box empty later does not wipe a number already recorded.
    client.post(close_url(organisation, opportunity), {"positions_filled": ""})
    opportunity.refresh_from_db()
    assert opportunity.positions_filled == 1


def test_pending_partner_cannot_post_or_invite_yet(client):
    owner = MemberFactory(organisation=OrganisationFactory(status="pending"))
    organisation = owner.organisation
    client.force_login(owner.user)
    for name in ("opportunity-create", "skills-need-create"):
        response = client.get(reverse(f"partners:{name}", args=[organisation.slug]))
        assert response.status_code == 302
        assert response["Location"] == organisation.get_area_url()
    client.post(
        reverse("partners:members", args=[organisation.slug]),
        {"email": "early@own.example", "role": "member"},
    )
    assert not Invitation.objects.exists()


def test_skills_needs_reach_the_institutes_staff(
    client, own, deliver_on_commit, django_capture_on_commit_callbacks, mailoutbox
):
    organisation, owner, _, _ = own
    institute = organisation.institutes.first()
    institute.contact_email = "skills@iot.example.org"
    institute.save()
    client.force_login(owner.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partners:skills-need-create", args=[organisation.slug]),
            {
                "institute": institute.pk,
                "skills": "PLC programming",
                "people_needed": "12",
                "needed_by": (timezone.localdate() + timedelta(days=200)).isoformat(),
            },
        )
    assert response.status_code == 302, response.content.decode()
    need = SkillsNeed.objects.get()
    assert (need.people_needed, need.created_by) == (12, owner.user)
    [mail] = mailoutbox
    assert mail.to == ["skills@iot.example.org"]
    assert "needs 12 people with these skills" in mail.body


def test_opportunity_posts_and_changes_are_rate_limited(client, own):
    organisation, owner, _, opportunity = own
    client.force_login(owner.user)
    new = f"/partner-area/{organisation.slug}/opportunities/new/"
    edit = f"/partner-area/{organisation.slug}/opportunities/{opportunity.pk}/"
    for n in range(15):
        assert (
            client.post(new, opportunity_data(organisation, title=f"Post {n}")).status_code == 302
        )
        assert client.post(edit, opportunity_data(organisation)).status_code == 302
    response = client.post(new, opportunity_data(organisation, title="One too many"))
    assert response.status_code == 429
    assert not organisation.opportunities.filter(title="One too many").exists()
    client.force_login(MemberFactory(organisation=organisation, role="owner").user)
    assert client.post(new, opportunity_data(organisation, title="A colleague")).status_code == 302


def test_an_opportunity_links_only_a_course_of_the_institute_chosen(client, own):
    """The menu lists the courses of every IoT the partner works with; a course of another IoT
    than the one chosen is refused in words (its staff could neither vouch for it nor keep it),
    and one of the chosen IoT is linked."""
    organisation, owner, _, _ = own
    chosen, other = InstituteFactory(), InstituteFactory()
    organisation.institutes.set([chosen, other])
    elsewhere = CourseFactory(institute=other, status="published", title="Elsewhere HNC")
    here = CourseFactory(institute=chosen, status="published", title="Here HNC")
    client.force_login(owner.user)
    new = f"/partner-area/{organisation.slug}/opportunities/new/"
    data = opportunity_data(organisation, institute=chosen.pk, title="Linked apprentice")
    response = client.post(new, {**data, "course": elsewhere.pk})
    assert response.status_code == 400
    assert "Choose a course taught at the Institute of Technology you chose" in (
        response.content.decode()
    )
    assert not Opportunity.objects.filter(title="Linked apprentice").exists()
    response = client.post(new, {**data, "course": here.pk})
    assert response.status_code == 302
    assert Opportunity.objects.get(title="Linked apprentice").course == here
