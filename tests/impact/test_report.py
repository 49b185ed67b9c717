"""The staff evaluation report: scoped to what the member of staff may see, built in the
request when small and by a real Celery worker when large, downloadable as CSV and XLSX."""

import csv
import io
import time

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from events.models import Feedback, Registration
from iot_network.celery import app
from iot_network.impact import services
from iot_network.impact.models import EvaluationReport
from iot_network.impact.periods import academic_year_of
from iot_network.staff.models import AuditEntry
from partners.models import Engagement, Organisation
from tests.factories import (
    EventFactory,
    InstituteFactory,
    OpportunityFactory,
    OrganisationFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db

ADD = "/admin/impact/evaluationreport/add/"


def this_year() -> str:
    return str(academic_year_of(timezone.localdate()).start.year)


@pytest.fixture
def durham(db):
    institute = InstituteFactory(name="Durham IoT", slug="durham")
    partner = OrganisationFactory(name="=HYPERLINK(evil)", institutes=[institute])
    Engagement.objects.create(
        organisation=partner, institute=institute, kind="talk", occurred_on=timezone.localdate(),
        quantity=3,
    )  # fmt: skip
    start = timezone.now() - timezone.timedelta(hours=3)
    event = EventFactory(
        institute=institute, starts_at=start, ends_at=start + timezone.timedelta(hours=1)
    )
    registration = Registration.objects.create(
        event=event, name="Ann Example", email="ann@example.com", status="attended"
    )
    Feedback.objects.create(registration=registration, rating=5, useful=True, comments="Great labs")
    return institute


def signed_in(client, user):
    client.force_login(user)
    return client


def test_national_staff_build_a_network_report_and_download_it(admin_client, durham):
    response = admin_client.post(ADD, {"scope": "network", "year": this_year()})
    report = EvaluationReport.objects.get()
    assert response.status_code == 302 and report.status == "ready"
    page = admin_client.get(response["Location"]).content.decode()
    for title in [
        "Partner retention",
        "Opportunities filled",
        "Feedback comments",
        "Engagement by partner",
    ]:
        assert title in page
    assert "Great labs" in page and "Ann Example" not in page
    csv_response = admin_client.get(f"/admin/impact/evaluationreport/{report.pk}/download.csv")
    rows = list(csv.reader(io.StringIO(csv_response.content.decode())))
    assert ["'=HYPERLINK(evil)", "1", "3"] in rows  # engagement by partner, never a formula
    assert AuditEntry.objects.filter(action="requested evaluation report").exists()
    xlsx = admin_client.get(f"/admin/impact/evaluationreport/{report.pk}/download.xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert "Engagement by partner" in workbook.sheetnames
    sheet = workbook["Engagement by partner"]
    assert [c.value for c in list(sheet.iter_rows())[2]] == ["'=HYPERLINK(evil)", 1, 3]
    assert AuditEntry.objects.filter(action="downloaded evaluation report (xlsx)").exists()


def test_iot_staff_report_on_their_own_iot_only(client, durham):
    other = InstituteFactory(name="Other IoT")
    user = staff_user("iot-staff", institutes=[durham])
    client = signed_in(client, user)
    form = client.get(ADD).content.decode()
    assert "Durham IoT" in form and "Other IoT" not in form and "The whole network" not in form
    assert client.post(ADD, {"scope": "network", "year": this_year()}).status_code == 400
    assert client.post(ADD, {"scope": str(other.pk), "year": this_year()}).status_code == 400
    assert client.post(ADD, {"scope": str(durham.pk), "year": this_year()}).status_code == 302
    national = services.request_report(
        acting_user=None, institute=None, period=academic_year_of(timezone.localdate())
    )
    assert client.get(f"/admin/impact/evaluationreport/{national.pk}/change/").status_code == 404
    assert (
        client.get(f"/admin/impact/evaluationreport/{national.pk}/download.csv").status_code == 404
    )


def test_a_custom_period_leaves_out_equality_figures_and_says_why(admin_client, durham):
    today = timezone.localdate()
    response = admin_client.post(
        ADD,
        {
            "scope": "network",
            "year": "custom",
            "start": (today - timezone.timedelta(days=30)).isoformat(),
            "end": today.isoformat(),
        },
    )
    report = EvaluationReport.objects.get()
    assert response.status_code == 302
    assert "whole academic years" in report.data["equality_note"]
    assert not any("Sex" in s["title"] for s in report.data["sections"])


@pytest.mark.parametrize(
    "data, message",
    [
        ({"year": "custom", "start": "2026-05-01"}, "Enter the last day"),
        ({"year": "custom", "start": "2026-05-01", "end": "2026-04-01"}, "on or after the first"),
        ({"year": "custom", "start": "not a date", "end": "2026-04-01"}, "Enter a valid date"),
        ({"year": "1999"}, "Select a valid choice"),
    ],
)
def test_a_bad_period_is_a_400_with_the_reason(admin_client, durham, data, message):
    response = admin_client.post(ADD, {"scope": "network", **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not EvaluationReport.objects.exists()


@pytest.mark.postgresql
@pytest.mark.redis
def test_a_large_report_is_built_by_a_celery_worker_with_progress(celery_worker, settings):
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)
    settings.IMPACT_REPORT_INLINE_ROWS = 0  # a report of one row counts as large
    institute = InstituteFactory()
    event = EventFactory(institute=institute)
    Registration.objects.create(event=event, name="Ann", email="a@example.com", status="confirmed")
    celery_worker()
    report = services.request_report(
        acting_user=None, institute=institute, period=academic_year_of(timezone.localdate())
    )
    assert report.status == "queued" and report.progress == 0
    deadline = time.monotonic() + 60
    while EvaluationReport.objects.get(pk=report.pk).status != "ready":
        assert time.monotonic() < deadline, "the worker did not build the report"
        time.sleep(0.2)
    report.refresh_from_db()
    assert report.progress == 100 and report.data["sections"]


def test_a_report_being_built_shows_its_progress_and_refreshes(admin_client, durham):
    report = EvaluationReport.objects.create(
        institute=durham, period_start="2025-08-01", period_end="2026-07-31",
        status="building", progress=40,
    )  # fmt: skip
    page = admin_client.get(f"/admin/impact/evaluationreport/{report.pk}/change/").content.decode()
    assert '<progress max="100" value="40">' in page
    assert 'http-equiv="refresh"' in page
    assert (
        admin_client.get(f"/admin/impact/evaluationreport/{report.pk}/download.csv").status_code
        == 404
    )


def section(report: EvaluationReport, title: str) -> dict:
    [found] = [s for s in report.data["sections"] if s["title"].startswith(title)]
    return found


def test_opportunities_filled_counts_recorded_places_and_says_not_recorded(admin_client, durham):
    partner = OrganisationFactory(name="Filled Ltd", institutes=[durham])
    today = timezone.localdate()
    closed = {"organisation": partner, "institute": durham, "status": "closed"}
    OpportunityFactory(**closed, kind="apprenticeship", positions=3, positions_filled=2)
    OpportunityFactory(**closed, kind="apprenticeship", positions=2)  # number not recorded
    OpportunityFactory(**closed, kind="placement", positions=4)  # number not recorded
    OpportunityFactory(**closed, kind="guest-talk", positions=1, positions_filled=0)
    OpportunityFactory(organisation=partner, institute=durham, positions=9)  # still open
    OpportunityFactory(  # closed before the period
        **closed, kind="placement", positions=5, positions_filled=5,
        closing_date=today - timezone.timedelta(days=800),
    )  # fmt: skip
    response = admin_client.post(ADD, {"scope": str(durham.pk), "year": this_year()})
    assert response.status_code == 302
    report = EvaluationReport.objects.get()
    filled = section(report, "Opportunities filled")
    assert filled["header"] == [
        "Kind of opportunity",
        "Closed",
        "Closed without the number filled",
        "Places offered (where recorded)",
        "Places filled",
    ]
    rows = {row[0]: row[1:] for row in filled["rows"]}
    assert rows["Apprenticeship vacancy"] == [2, 1, 3, 2]
    assert rows["Work placement"] == [1, 1, "not recorded", "not recorded"]
    assert rows["Guest talk"] == [1, 0, 1, 0]
    assert rows["Internship"] == [0, 0, 0, 0]
    assert rows["All kinds"] == [4, 2, 4, 2]
    page = admin_client.get(response["Location"]).content.decode()
    assert "<td>not recorded</td>" in page
    assert "“not recorded” means none of them has the number yet" in page
    rows = list(csv.reader(io.StringIO(admin_client.get(
        f"/admin/impact/evaluationreport/{report.pk}/download.csv"
    ).content.decode())))  # fmt: skip
    assert ["Work placement", "1", "1", "not recorded", "not recorded"] in rows


def test_partner_retention_is_worked_out_from_review_dates_and_says_so(admin_client, durham):
    now = timezone.now()
    today = timezone.localdate()
    year = academic_year_of(today)
    OrganisationFactory(  # approved long ago, review date moved on beyond the year: renewed
        name="Renewed Ltd", institutes=[durham], decided_at=now - timezone.timedelta(days=500),
        review_date=year.end + timezone.timedelta(days=30),
    )  # fmt: skip
    OrganisationFactory(  # review date passed this year and not moved on: lapsed
        name="Lapsed Ltd", institutes=[durham], decided_at=now - timezone.timedelta(days=400),
        review_date=today - timezone.timedelta(days=1),
    )  # fmt: skip
    OrganisationFactory(  # approved this term: no review has fallen due yet
        name="New Ltd", institutes=[durham], decided_at=now,
        review_date=year.end + timezone.timedelta(days=30),
    )  # fmt: skip
    OrganisationFactory(  # another IoT's partner
        decided_at=now - timezone.timedelta(days=500),
        review_date=today - timezone.timedelta(days=1),
    )
    added = OrganisationFactory(  # added by staff, not through an application
        name="Added Ltd", institutes=[durham], review_date=year.end + timezone.timedelta(days=1)
    )
    Organisation.objects.filter(pk=added.pk).update(created_at=now - timezone.timedelta(days=500))
    admin_client.post(ADD, {"scope": str(durham.pk), "year": this_year()})
    retention = section(EvaluationReport.objects.get(), "Partner retention")
    assert retention["rows"] == [
        ["Renewed: review date moved on beyond the period", 2],
        ["Lapsed: review date passed in the period and not moved on", 1],
    ]
    assert retention["note"].startswith(
        "Worked out from review dates, because the portal does not record renewals as such"
    )
