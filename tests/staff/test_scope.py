"""Scope declared once per model: a row of two IoTs belongs to both, and to nobody else."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse

from courses.models import Course, CourseImport, CourseRun, Enquiry
from events.models import Event, Feedback, Registration, Session
from institutes.models import Institute
from iot_network.impact.models import EvaluationReport
from iot_network.notifications.models import Message
from iot_network.notifications.services import notify
from iot_network.staff import audit
from iot_network.staff.models import AuditEntry, StaffMembership
from iot_network.staff.scoping import institute_ids, institute_path_of
from newsletter.models import Subscriber
from partners.models import (
    Engagement,
    Invitation,
    Opportunity,
    Organisation,
    OrganisationMember,
    SkillsNeed,
)
from stories.models import Story
from tests.factories import InstituteFactory, OrganisationFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner_of_two():
    first, second, third = InstituteFactory(), InstituteFactory(), InstituteFactory()
    organisation = OrganisationFactory(institutes=[first, second], name="Two-IoT Engineering Ltd")
    message = notify(
        to="contact@example.com", kind="generic", dedupe_key="two-iots", about=organisation,
        context={"subject": "Hello", "paragraphs": ["Hi"]},
    )  # fmt: skip
    entry = audit.record(actor=None, action="approved partner", target=organisation)
    return first, second, third, message, entry


@pytest.mark.parametrize("model", [Message, AuditEntry])
def test_both_iots_staff_see_a_two_iot_partners_outbox_rows_and_audit_entries(
    client, partner_of_two, model
):
    first, second, third, message, entry = partner_of_two
    row = message if model is Message else entry
    meta = model._meta
    change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[row.pk])
    changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    for institute in (first, second):
        client.force_login(staff_user("iot-staff", [institute]))
        assert client.get(change).status_code == 200
        assert list(client.get(changelist).context["cl"].result_list) == [row]
    client.force_login(staff_user("iot-staff", [third]))
    assert client.get(change).status_code == 404
    assert list(client.get(changelist).context["cl"].result_list) == []


def test_a_row_of_two_of_my_iots_counts_once(partner_of_two):
    first, second, _, message, entry = partner_of_two
    both = staff_user("iot-staff", [first, second])
    assert Message.objects.for_staff(both).count() == 1
    assert AuditEntry.objects.for_staff(both).count() == 1
    assert set(message.institutes.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert set(entry.institutes.values_list("pk", flat=True)) == {first.pk, second.pk}


# Every model with an IoT says how it reaches it, once, on its QuerySet.
DECLARED = {
    Institute: "pk",
    Course: "institute",
    CourseRun: "course__institute",
    Enquiry: "course__institute",
    Event: "institute",
    Session: "event__institute",
    Registration: "event__institute",
    Feedback: "registration__event__institute",
    Organisation: "institutes",
    OrganisationMember: "organisation__institutes",
    Invitation: "organisation__institutes",
    Opportunity: "institute",
    SkillsNeed: "institute",
    Engagement: "institute",
    Message: "institutes",
    AuditEntry: "institutes",
    StaffMembership: "institute",
    CourseImport: "institute",
    EvaluationReport: "institute",
    Story: "institutes",
    Subscriber: "institutes",
}


def test_every_model_that_belongs_to_an_iot_declares_its_path():
    for model in apps.get_models():
        fields = {f.name for f in model._meta.get_fields()}
        path = institute_path_of(model)
        if model in DECLARED:
            assert path == DECLARED[model], model
        else:
            # A new model pointing at an IoT (directly) must declare its path too.
            assert not ({"institute", "institutes"} & fields) or model is Institute, model


def test_an_objects_iots_follow_the_declared_path(partner_of_two):
    first, second, _, _, _ = partner_of_two
    organisation = Organisation.objects.get(name="Two-IoT Engineering Ltd")
    assert institute_ids(organisation) == {first.pk, second.pk}
    assert institute_ids(first) == {first.pk}
