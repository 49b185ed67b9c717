"""The impact figures: counted from the records, shown on /impact/ and each institute's page as
SVG charts with their tables and CSV downloads, read from the nightly snapshot in a fixed number
of queries whatever the volume."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.models import Enquiry
from events.models import Event, Feedback, Registration, RegistrationEquality
from iot_network.impact import services
from iot_network.impact.models import ImpactSnapshot
from iot_network.impact.periods import academic_year_of, current_and_previous
from partners.models import Engagement, Organisation
from tests.factories import (
    CourseFactory,
    EventFactory,
    InstituteFactory,
    OpportunityFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 0


def held_event(institute, *, days_ago=0, people=(), **fields):
    start = timezone.now() - timedelta(hours=3, days=days_ago)
    event = EventFactory(
        institute=institute, starts_at=start, ends_at=start + timedelta(hours=2), **fields
    )
    for n, status in enumerate(people):
        Registration.objects.create(
            event=event, name=f"Person {n}", email=f"p{n}-{event.pk}@example.com", status=status
        )
    return event


def network_figures():
    return ImpactSnapshot.objects.get(scope="network").figures


def this_year(figures):
    return figures["periods"][0]["key"]


@pytest.fixture
def records():
    durham, leeds = InstituteFactory(name="Durham IoT", slug="durham"), InstituteFactory()
    event = held_event(durham, people=["attended", "attended", "confirmed", "cancelled"])
    for registration, rating in zip(
        event.registrations.filter(status="attended"), [4, 5], strict=True
    ):
        Feedback.objects.create(registration=registration, rating=rating, useful=True)
    EventFactory(institute=durham)  # upcoming: not held yet
    held_event(durham, event_type=Event.Type.WEBINAR, status=Event.Status.CANCELLED)
    partner = OrganisationFactory(institutes=[durham, leeds])
    OrganisationFactory(institutes=[durham], status=Organisation.Status.PENDING)
    OpportunityFactory(organisation=partner, institute=durham, kind="placement")
    OpportunityFactory(organisation=partner, institute=durham, status="pending")
    Engagement.objects.create(
        organisation=partner, institute=durham, kind="talk", occurred_on=timezone.localdate()
    )
    course = CourseFactory(institute=leeds, level=5)
    Enquiry.objects.create(
        course=course, name="Sam", email="sam@example.com", message="Hi", consent_to_contact=True
    )
    return durham, leeds


def test_figures_are_counted_from_the_records(records):
    durham, leeds = records
    services.compute_snapshots()
    network = network_figures()
    key = this_year(network)
    headline = network["headline"][key]
    assert headline["events_held"] == 1  # not the upcoming one, not the cancelled one
    assert headline["places_booked"] == 3 and headline["attended"] == 2
    assert headline["feedback_average"] == 4.5 and headline["feedback_responses"] == 2
    assert headline["partners"] == 1  # approved only, counted once though with two IoTs
    assert headline["opportunities"] == 1 and headline["engagements"] == 1
    assert headline["enquiries"] == 1 and headline["courses"] == 1
    assert network["tables"]["opportunities_by_kind"]["values"][key]["placement"] == 1
    assert network["tables"]["courses_by_level"]["values"][key]["5"] == 1
    durham_figures = ImpactSnapshot.objects.get(scope=str(durham.pk)).figures
    assert durham_figures["headline"][key]["events_held"] == 1
    assert durham_figures["headline"][key]["enquiries"] == 0
    leeds_figures = ImpactSnapshot.objects.get(scope=str(leeds.pk)).figures
    assert leeds_figures["headline"][key]["partners"] == 1
    assert leeds_figures["headline"][key]["enquiries"] == 1


def test_last_academic_year_is_counted_beside_this_one():
    institute = InstituteFactory()
    current, previous = current_and_previous()
    days_into_year = (timezone.localdate() - current.start).days
    held_event(institute, days_ago=days_into_year + 30)  # in the previous academic year
    held_event(institute)
    services.compute_snapshots()
    headline = network_figures()["headline"]
    assert headline[current.key]["events_held"] == 1
    assert headline[previous.key]["events_held"] == 1
    assert academic_year_of(current.start).label == current.label
    assert current.start.month == 8 and current.end.month == 7


def test_the_impact_page_shows_charts_with_tables_csv_links_and_when_it_was_computed(
    client, records
):
    services.compute_snapshots()
    page = client.get("/impact/").content.decode()
    assert "<h1>Our impact</h1>" in page
    assert page.count("<svg") == 7 and page.count('role="img"') == 7
    assert "Figures worked out on" in page
    assert "Events held by type: the figures in the chart" in page
    assert "/impact/network/events_by_type.csv" in page
    assert "<script" not in page.split("</footer>")[0].split("<main")[1]
    assert " style=" not in page


def test_the_page_works_out_the_figures_itself_the_first_time(client):
    assert not ImpactSnapshot.objects.exists()
    assert client.get("/impact/").status_code == 200
    assert ImpactSnapshot.objects.filter(scope="network").exists()


def test_a_chart_downloads_as_csv(client, records):
    services.compute_snapshots()
    response = client.get("/impact/network/headline.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Figure"
    assert ["Events held", "1", "0"] in rows
    durham, _ = records
    rows = list(
        csv.reader(
            io.StringIO(client.get("/impact/durham/engagement_by_kind.csv").content.decode())
        )
    )
    assert ["Talk or guest lecture given", "1", "0"] in rows


@pytest.mark.parametrize(
    "url", ["/impact/network/nonsense.csv", "/impact/no-such-iot/headline.csv"]
)
def test_unknown_downloads_are_404(client, records, url):
    services.compute_snapshots()
    assert client.get(url).status_code == 404


def test_each_institute_page_shows_its_own_figures(client, records):
    durham, _ = records
    services.compute_snapshots()
    page = client.get("/institutes/durham/").content.decode()
    assert "Impact of Durham IoT" in page
    assert "/impact/durham/events_by_type.csv" in page


def test_the_impact_page_reads_a_fixed_number_of_queries_whatever_the_volume(
    client, django_assert_max_num_queries
):
    institute = InstituteFactory()
    held_event(institute, people=["attended"] * 2)
    services.compute_snapshots()
    with CaptureQueriesContext(connection) as few:
        assert client.get("/impact/").status_code == 200
    for _ in range(3):
        held_event(institute, people=["attended"] * 30)
    services.compute_snapshots()
    with django_assert_max_num_queries(len(few)), CaptureQueriesContext(connection) as many:
        page = client.get("/impact/").content.decode()
    assert len(many) == len(few)
    assert '<td class="numeric">4</td>' in page  # the 4 events held


def test_the_institute_page_adds_one_query_for_its_figures(client, records):
    durham, _ = records
    services.compute_snapshots()
    with CaptureQueriesContext(connection) as queries:
        client.get("/institutes/durham/")
    impact_queries = [q for q in queries if "impact_impactsnapshot" in q["sql"]]
    assert len(impact_queries) == 1


def answer(event, n, **answers):
    for i in range(n):
        registration = Registration.objects.create(
            event=event,
            name="x",
            email=f"{i}-{answers}-{event.pk}@example.com".replace(" ", ""),
            status="confirmed",
        )
        RegistrationEquality.objects.create(registration=registration, **answers)


def test_equality_figures_are_published_only_in_aggregate_with_small_groups_suppressed(
    client, records
):
    durham, _ = records
    event = EventFactory(institute=durham)
    answer(event, 9, sex="female", ethnic_group="indian")
    answer(event, 2, sex="male", ethnic_group="roma")
    services.compute_snapshots()
    page = client.get("/impact/").content.decode()
    section = page.split("Who takes part")[1]
    assert "People registering for events: Sex" in section
    assert "fewer than 5" in section  # the 2 men
    assert "withheld" in section  # and the 9 women, or 9 - 11 would give them away
    assert ">9<" not in section and ">2<" not in section
    assert ">11<" in section  # the total who answered is safe to show
    data = ImpactSnapshot.objects.get(scope="network").figures["equality"]
    sex = data[this_year(network_figures())]["registrations"]["sex"]
    assert sex["figures"]["male"] == [None, "fewer than 5"]  # no value is even stored
    assert sex["figures"]["female"] == [None, "withheld"]
    institute_page = client.get("/institutes/durham/").content.decode()
    assert "fewer than 5" in institute_page


def test_the_figures_are_worked_out_by_a_beat_task():
    from iot_network.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "iot_network.impact.tasks.compute_impact_figures" in tasks
