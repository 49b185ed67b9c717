"""What staff are told when a course run or an event breaks a rule the database also checks,
and what a run's postcode does: in words, beside the field where there is one, never the
constraint's name (seen in the admin: "Constraint “courses_run_deadline_before_start” is
violated.")."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.forms import modelform_factory

from courses.models import CourseRun
from tests.factories import CourseRunFactory, EventFactory

pytestmark = pytest.mark.django_db


def messages(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


def test_a_deadline_after_the_start_is_refused_in_words():
    run = CourseRunFactory.build(course=CourseRunFactory().course)
    run.application_deadline = run.start_date + timedelta(days=1)
    assert messages(run)["__all__"] == [
        "The application deadline must be on or before the start date."
    ]


def test_a_negative_fee_is_refused_beside_the_fee():
    run = CourseRunFactory.build(course=CourseRunFactory().course, fee=Decimal("-5"))
    assert messages(run)["fee"] == ["The fee cannot be less than 0: enter 0 for no fee."]


def test_a_postcode_must_be_one_and_is_written_as_one():
    course = CourseRunFactory().course
    run = CourseRunFactory.build(course=course, venue_postcode="NOTAPOST")
    assert messages(run)["venue_postcode"] == ["Enter the venue's full UK postcode, like SW1A 1AA."]
    run = CourseRunFactory.build(course=course, venue_postcode="dy14as")
    run.full_clean()
    assert run.venue_postcode == "DY1 4AS"


def test_a_postcode_without_a_place_is_left_for_the_lookup_job():
    """The staff form (the course's runs in the admin) saves the run marked for the hourly
    lookup when it has a postcode and no coordinates, and not when it has coordinates."""
    course = CourseRunFactory().course
    form_class = modelform_factory(
        CourseRun,
        fields=["start_date", "duration_months", "study_mode", "attendance", "venue_postcode",
                "latitude", "longitude", "fee"],
    )  # fmt: skip
    data = {
        "start_date": "2027-09-06", "duration_months": "12", "study_mode": "full-time",
        "attendance": "campus", "venue_postcode": "DY1 4AS", "latitude": "", "longitude": "",
        "fee": "0",
    }  # fmt: skip
    form = form_class(data, instance=CourseRun(course=course))
    assert form.is_valid(), form.errors
    assert form.save().location_pending is True
    form = form_class(
        {**data, "latitude": "52.51", "longitude": "-2.08"}, instance=CourseRun(course=course)
    )
    assert form.is_valid(), form.errors
    assert form.save().location_pending is False


def test_an_event_ending_before_it_starts_is_refused_in_words():
    event = EventFactory.build(institute=EventFactory().institute)
    event.ends_at = event.starts_at - timedelta(hours=1)
    assert "The event must end after it starts." in messages(event)["__all__"]
