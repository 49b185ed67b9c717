from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.utils import timezone

from iot_network.staff.models import AuditEntry
from partners.models import Engagement, Opportunity, Organisation
from partners.services import send_review_reminders
from tests.factories import (
    InstituteFactory,
    MemberFactory,
    OpportunityFactory,
    OrganisationFactory,
    UserFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = staff_user(email="staff@network.example")
    client.force_login(user)
    return user


@pytest.fixture
def application():
    owner = MemberFactory(
        organisation=OrganisationFactory(status="pending", name="Acme Ltd"),
        user=UserFactory(email="owner@acme.example"),
    )
    return owner.organisation


def review(client, obj, **data):
    meta = obj._meta
    return client.post(f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/review/", data)


def test_staff_approve_an_application_in_one_click_and_the_applicant_is_told(
    client, staff, application, deliver_on_commit, django_capture_on_commit_callbacks, mailoutbox
):
    change_page = client.get(f"/admin/partners/organisation/{application.pk}/change/")
    approve = f"/admin/partners/organisation/{application.pk}/do/approve_one/"
    assert f'action="{approve}"' in change_page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(approve)
    assert response.status_code == 302
    assert response["Location"].endswith("?status__exact=pending")
    assert "“Acme Ltd” approved" in client.get(response["Location"]).content.decode()
    application.refresh_from_db()
    assert application.status == Organisation.Status.APPROVED
    assert application.decided_by == staff
    assert application.review_date == timezone.localdate() + timedelta(days=365)
    [mail] = mailoutbox
    assert mail.to == ["owner@acme.example"]
    assert "approved" in mail.subject


def test_declining_needs_a_reason_which_the_applicant_reads(
    client, staff, application, deliver_on_commit, django_capture_on_commit_callbacks, mailoutbox
):
    response = review(client, application, decision="decline", reason="  ")
    assert response.status_code == 400
    assert "Give a reason when you decline" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Organisation.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        review(client, application, decision="decline", reason="We only work with STEM employers.")
    application.refresh_from_db()
    assert application.status == Organisation.Status.DECLINED
    [mail] = mailoutbox
    assert "We only work with STEM employers." in mail.body


def test_a_decided_application_is_not_decided_again(client, staff, application, mailoutbox):
    review(client, application, decision="approve")
    review(client, application, decision="decline", reason="Changed my mind")
    application.refresh_from_db()
    assert application.status == Organisation.Status.APPROVED


def test_bulk_approve_and_bulk_decline_with_a_reason(client, staff):
    first, second, third = (OrganisationFactory(status="pending") for _ in range(3))
    client.post(
        "/admin/partners/organisation/",
        {"action": "approve_selected", ACTION_CHECKBOX_NAME: [first.pk]},
    )
    page = client.post(
        "/admin/partners/organisation/",
        {"action": "decline_selected", ACTION_CHECKBOX_NAME: [second.pk, third.pk]},
    )
    assert "Decline these, with a reason" in page.content.decode()
    client.post(
        "/admin/partners/organisation/",
        {
            "action": "decline_selected",
            ACTION_CHECKBOX_NAME: [second.pk, third.pk],
            "reason": "Not in England",
            "decision": "decline",
        },
    )
    statuses = dict(Organisation.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "approved", second.pk: "declined", third.pk: "declined"}


def test_staff_approve_opportunities_before_learners_see_them(
    client, staff, deliver_on_commit, django_capture_on_commit_callbacks, mailoutbox
):
    owner = MemberFactory(user=UserFactory(email="owner@firm.example"))
    opportunity = OpportunityFactory(organisation=owner.organisation, status="pending")
    assert client.get(opportunity.get_absolute_url()).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        review(client, opportunity, decision="approve")
    opportunity.refresh_from_db()
    assert opportunity.status == Opportunity.Status.APPROVED
    assert client.get(opportunity.get_absolute_url()).status_code == 200
    assert [m.to for m in mailoutbox] == [["owner@firm.example"]]


def test_engagement_logged_in_the_admin_records_who_logged_it(client, staff):
    organisation = OrganisationFactory()
    Engagement.objects.create(
        organisation=organisation,
        institute=organisation.institutes.first(),
        kind="talk",
        occurred_on=timezone.localdate(),
    )
    response = client.post(
        "/admin/partners/engagement/add/",
        {
            "organisation": organisation.pk,
            "institute": organisation.institutes.first().pk,
            "kind": "placements",
            "occurred_on": timezone.localdate().isoformat(),
            "quantity": "3",
            "notes": "",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert Engagement.objects.get(kind="placements").logged_by == staff


def test_review_reminders_go_30_and_7_days_before_once_each(
    deliver_on_commit, django_capture_on_commit_callbacks, mailoutbox
):
    today = timezone.localdate()
    organisation = OrganisationFactory(review_date=today + timedelta(days=30))
    institute = organisation.institutes.first()
    institute.contact_email = "staff@iot.example.org"
    institute.save()
    MemberFactory(organisation=organisation, user=UserFactory(email="boss@firm.example"))
    MemberFactory(organisation=organisation, role="member")  # members don't get reminders
    OrganisationFactory(review_date=today + timedelta(days=60))  # not yet
    with django_capture_on_commit_callbacks(execute=True):
        assert send_review_reminders(today=today) == 1
        send_review_reminders(today=today)  # a second run sends nothing new
    assert sorted(m.to[0] for m in mailoutbox) == ["boss@firm.example", "staff@iot.example.org"]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_review_reminders(today=today + timedelta(days=23))  # 7 days before
    assert sorted(m.to[0] for m in mailoutbox) == ["boss@firm.example", "staff@iot.example.org"]


def test_staff_close_an_opportunity_with_the_number_of_places_filled(client, staff):
    opportunity = OpportunityFactory(positions=3)
    url = f"/admin/partners/opportunity/{opportunity.pk}/close/"
    change_page = client.get(f"/admin/partners/opportunity/{opportunity.pk}/change/")
    assert url in change_page.content.decode()
    assert "Close, with the number of places filled…" in change_page.content.decode()
    page = client.get(url).content.decode()
    assert "How many places were filled, out of 3?" in page
    refused = client.post(url, {"positions_filled": "5"})
    assert refused.status_code == 400
    assert "It offered 3 places, so no more than 3 can have been filled." in (
        refused.content.decode()
    )
    opportunity.refresh_from_db()
    assert opportunity.status == Opportunity.Status.APPROVED
    response = client.post(url, {"positions_filled": "3"})
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.positions_filled) == ("closed", 3)
    entry = AuditEntry.objects.get(action="closed opportunity")
    assert (entry.actor, entry.detail) == (staff, "3 of 3 places filled")
    followed = client.get(response["Location"]).content.decode()
    assert "closed: 3 of 3 places filled." in followed


def test_bulk_closed_opportunities_ask_for_the_number_on_each_page(client, staff):
    opportunity = OpportunityFactory(positions=2)
    response = client.post(
        "/admin/partners/opportunity/",
        {"action": "close_selected", ACTION_CHECKBOX_NAME: [opportunity.pk]},
        follow=True,
    )
    assert "1 closed. Record how many places each one filled from its page" in (
        response.content.decode()
    )
    change_page = client.get(f"/admin/partners/opportunity/{opportunity.pk}/change/")
    assert "Record the number of places filled…" in change_page.content.decode()
    client.post(f"/admin/partners/opportunity/{opportunity.pk}/close/", {"positions_filled": "0"})
    opportunity.refresh_from_db()
    assert opportunity.positions_filled == 0
    assert AuditEntry.objects.get(action="recorded places filled").detail == "0 of 2 places filled"


def test_another_iots_staff_cannot_close_its_opportunity(client):
    opportunity = OpportunityFactory()
    client.force_login(staff_user("iot-staff", institutes=[InstituteFactory()]))
    url = f"/admin/partners/opportunity/{opportunity.pk}/close/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"positions_filled": "1"}).status_code == 404
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.positions_filled) == ("approved", None)


def test_once_places_filled_are_recorded_the_places_offered_cannot_drop_below_them(client, staff):
    opportunity = OpportunityFactory(positions=3)
    client.post(f"/admin/partners/opportunity/{opportunity.pk}/close/", {"positions_filled": "3"})
    page = client.get(f"/admin/partners/opportunity/{opportunity.pk}/change/").content.decode()
    assert 'name="positions"' not in page  # shown, not editable: no save can break the check
    assert 'name="title"' in page
