import time
from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from events.models import Registration
from iot_network.staff.models import AuditEntry
from partners.models import Organisation
from tests.factories import (
    CourseFactory,
    EventFactory,
    InstituteFactory,
    MemberFactory,
    OrganisationFactory,
    UserFactory,
    staff_user,
    with_totp,
)

pytestmark = pytest.mark.django_db


def admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    return urls


def test_staff_without_an_authenticator_app_cannot_open_any_admin_page(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for url in admin_urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp")


def test_staff_with_an_authenticator_app_reach_the_admin(client):
    client.force_login(staff_user())
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_signs_in_through_the_sites_login(client):
    response = client.get(reverse("admin:login") + "?next=/admin/courses/course/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/admin/courses/course/"
    response = client.get("/admin/courses/course/")
    assert response["Location"].startswith("/admin/login/")


def test_signed_in_learners_are_not_let_into_the_admin(client):
    client.force_login(with_totp(UserFactory()))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_twenty_wrong_passwords_in_a_row_are_throttled(client):
    staff = staff_user(email="staff@network.example", password="the-right-password-1")
    for _ in range(20):
        client.post("/account/login/", {"login": staff.email, "password": "wrong"})
    response = client.post(
        "/account/login/", {"login": staff.email, "password": "the-right-password-1"}
    )
    assert "Too many failed login attempts" in response.content.decode()


def test_guessing_the_second_factor_is_throttled(client):
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    staff = staff_user(email="staff@network.example", password="the-right-password-1")
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    response = client.post(
        "/account/login/", {"login": staff.email, "password": "the-right-password-1"}
    )
    assert response.url.startswith("/account/2fa/authenticate/")
    right = format_hotp_value(hotp_value("JBSWY3DPEHPK3PXP", int(time.time()) // 30))
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    for _ in range(5):
        page = client.post("/account/2fa/authenticate/", {"code": wrong})
        assert page.status_code == 200 and "The code is not correct" in page.content.decode()
    page = client.post("/account/2fa/authenticate/", {"code": right})
    assert "Too many failed login attempts" in page.content.decode()
    assert "_auth_user_id" not in client.session


def _activity(institute, n: int) -> None:
    for i in range(n):
        event = EventFactory(institute=institute, capacity=50)
        for j in range(3):
            Registration.objects.create(
                event=event, name="Sam", email=f"p{i}-{j}@example.com", status="confirmed"
            )
        OrganisationFactory(institutes=[institute], status="pending")
        CourseFactory(institute=institute).enquiries.create(
            name="Sam", email="s@example.com", message="Hi", consent_to_contact=True
        )


def test_national_dashboard_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    client.force_login(staff_user())
    _activity(InstituteFactory(), 1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get("/admin/").status_code == 200
    _activity(InstituteFactory(), 6)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get("/admin/")


def test_dashboard_counts_only_the_users_institutes(client):
    home, away = InstituteFactory(), InstituteFactory()
    _activity(home, 2)
    _activity(away, 3)
    client.force_login(staff_user("iot-staff", [home]))
    dashboard = client.get("/admin/").context["dashboard"]
    assert dashboard["pending_applications"] == 2
    assert dashboard["open_enquiries"] == 2
    assert dashboard["registrations_total"] == 6
    assert {event.institute for event in dashboard["events"]} == {home}
    chart = client.get("/admin/").content.decode()
    assert "<svg" in chart and "Bar chart of registrations per week" in chart


def test_admin_changes_and_staff_actions_are_audited(client):
    home = InstituteFactory()
    staff = staff_user("iot-staff", [home])
    client.force_login(staff)
    course = CourseFactory(institute=home)
    client.post(
        reverse("admin:courses_course_changelist"),
        {"action": "unpublish", "_selected_action": [course.pk]},
    )
    organisation = MemberFactory(organisation=OrganisationFactory(
        institutes=[home], status="pending"
    )).organisation  # fmt: skip
    client.post(
        reverse("admin:partners_organisation_review", args=[organisation.pk]),
        {"decision": "approve"},
    )
    event = EventFactory(institute=home, starts_at=timezone.now() + timedelta(days=9))
    client.post(reverse("admin:events_event_cancel", args=[event.pk]), {"reason": "Snow"})
    actions = set(AuditEntry.objects.filter(actor=staff).values_list("action", flat=True))
    assert {"approve partner", "cancelled event"} <= actions
    entry = AuditEntry.objects.get(action="cancelled event")
    assert (list(entry.institutes.all()), entry.detail, entry.target_repr) == (
        [home],
        "Snow",
        str(event),
    )
    assert Organisation.objects.get(pk=organisation.pk).status == "approved"


def test_csv_export_has_only_the_users_rows_and_defuses_formulas(client):
    home, away = InstituteFactory(), InstituteFactory()
    mine = CourseFactory(institute=home, title="=HYPERLINK(evil)")
    theirs = CourseFactory(institute=away, title="Their course")
    viewer = staff_user("viewer", [home])
    client.force_login(viewer)
    response = client.post(
        reverse("admin:courses_course_changelist"),
        {"action": "export_as_csv", "_selected_action": [mine.pk, theirs.pk]},
    )
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert "'=HYPERLINK(evil)" in body
    assert "Their course" not in body
    assert AuditEntry.objects.filter(actor=viewer, action="exported CSV").exists()


def test_dashboard_leaves_cancelled_events_out_of_upcoming_events(client):
    EventFactory(title="Robotics open day", capacity=40)
    EventFactory(title="Employer breakfast", capacity=40, status="cancelled")
    client.force_login(staff_user())
    response = client.get("/admin/")
    assert [event.title for event in response.context["dashboard"]["events"]] == [
        "Robotics open day"
    ]
    assert "Employer breakfast" not in response.content.decode()
