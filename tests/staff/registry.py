"""The admin registry, and one row per registered model "in" an IoT: shared by the tests that
are generated from the registry (permissions, actions and their audit, filter choices, CSV)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from courses.models import Course, Enquiry, SavedSearch, SectorTag
from events.models import Event, Registration, Session, Speaker
from institutes.models import Institute, Route
from iot_network.impact.models import EvaluationReport
from iot_network.notifications.models import Consent, ConsentChange, Message
from iot_network.staff.models import AuditEntry, StaffMembership
from newsletter.models import Issue, Subscriber
from partners.models import Engagement, Interest, Opportunity, Organisation, SkillsNeed
from stories.models import Story
from tests.factories import (
    CourseFactory,
    EventFactory,
    OpportunityFactory,
    OrganisationFactory,
    RouteFactory,
    SessionFactory,
    UserFactory,
)


def _uid() -> str:
    return uuid.uuid4().hex[:10]


def _organisation(institute):
    return OrganisationFactory(institutes=[institute], status="pending")


# How to make one row "in" an institute. National and shared rows ignore the institute.
def _linked(row, institute):
    """An outbox message or audit entry about ``institute``."""
    row.institutes.add(institute)
    return row


def _audience(issue, institute):
    issue.audience_institutes.add(institute)
    return issue


MAKERS = {
    Course: lambda i: CourseFactory(institute=i),
    Enquiry: lambda i: Enquiry.objects.create(
        course=CourseFactory(institute=i),
        name="Sam",
        email="sam@example.com",
        message="Hello",
        consent_to_contact=True,
    ),
    Event: lambda i: EventFactory(institute=i),
    Registration: lambda i: Registration.objects.create(
        event=EventFactory(institute=i),
        name="Sam",
        email=f"{_uid()}@example.com",
        status="confirmed",
    ),
    Session: lambda i: SessionFactory(event=EventFactory(institute=i)),
    Institute: lambda i: i,
    Organisation: _organisation,
    Opportunity: lambda i: OpportunityFactory(
        organisation=OrganisationFactory(institutes=[i]), institute=i, status="pending"
    ),
    SkillsNeed: lambda i: SkillsNeed.objects.create(
        organisation=OrganisationFactory(institutes=[i]),
        institute=i,
        skills="CAD",
        people_needed=3,
        needed_by=timezone.localdate() + timedelta(days=90),
    ),
    Engagement: lambda i: Engagement.objects.create(
        organisation=OrganisationFactory(institutes=[i]),
        institute=i,
        kind="talk",
        occurred_on=timezone.localdate(),
    ),
    Message: lambda i: _linked(
        Message.objects.create(
            recipient="a@example.com",
            kind="generic",
            category="transactional",
            dedupe_key=_uid(),
            message_id=f"<{_uid()}@example.org>",
            status="failed",
            batch=f"send-{_uid()}",
        ),
        i,
    ),
    AuditEntry: lambda i: _linked(AuditEntry.objects.create(action="changed"), i),
    EvaluationReport: lambda i: EvaluationReport.objects.create(
        institute=i,
        period_start=timezone.localdate() - timedelta(days=30),
        period_end=timezone.localdate(),
        status="ready",
        data={"sections": [], "equality_note": ""},
    ),
    Story: lambda i: _linked(
        Story.objects.create(
            title="A story",
            slug=_uid(),
            standfirst="In short.",
            body="At length.",
            status="pending",
            proposed_by=OrganisationFactory(institutes=[i]),
        ),
        i,
    ),  # fmt: skip
    Subscriber: lambda i: _linked(Subscriber.objects.create(email=f"{_uid()}@example.com"), i),
    Issue: lambda i: _audience(Issue.objects.create(subject="News", introduction="Hello"), i),
    # Shared reference lists and national records.
    Route: lambda i: RouteFactory(),
    SectorTag: lambda i: SectorTag.objects.create(name=_uid(), slug=_uid()),
    Interest: lambda i: Interest.objects.create(slug=_uid(), name=_uid(), description="x"),
    Speaker: lambda i: Speaker.objects.create(name="Priya Nair"),
    SavedSearch: lambda i: SavedSearch.objects.create(
        user=UserFactory(), name="Cyber", query="q=cyber"
    ),
    Consent: lambda i: Consent.objects.create(email=f"{_uid()}@example.com", category="news"),
    ConsentChange: lambda i: ConsentChange.objects.create(
        email="c@example.com", category="news", granted=True, source="preferences"
    ),
    StaffMembership: lambda i: StaffMembership.objects.create(
        user=UserFactory(), role="viewer", institute=i
    ),
    Group: lambda i: Group.objects.create(name=_uid()),
    EmailAddress: lambda i: EmailAddress.objects.create(
        user=UserFactory(), email=f"{_uid()}@example.com"
    ),
    Authenticator: lambda i: Authenticator.objects.create(
        user=UserFactory(), type="recovery_codes", data={"seed": "x"}
    ),
}
MAKERS[get_user_model()] = lambda i: UserFactory()

REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def kind_of(model_admin) -> str:
    if model_admin.shared_reference:
        return "shared"
    return "national" if model_admin.institute_path is None else "scoped"
