"""Clearly fictional but realistic demo data for the quick start and for demonstrations.

The content (courses, events, partners, people) lives in data/*.toml; the modules here turn it
into rows: dated relative to the day it is loaded, linked to the real institutes and routes by
slug, and keyed on a slug or an email address, so loading twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from institutes.models import Institute, Route
from institutes.services import load_reference_data
from iot_network.staff.models import Role, StaffMembership
from partners.models import Organisation, OrganisationMember
from partners.reference import load_interests

from .content import read
from .courses import load_courses
from .events import load_events
from .institutes import load_institute_contacts
from .partners import load_partner_activity, load_partners
from .stories import load_stories
from .workload import load_staff_workload


@dataclass
class DemoSummary:
    courses: int = 0
    runs: int = 0
    events: int = 0
    partners: int = 0
    stories: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)


def _ensure_user(email: str, password: str, **fields):
    User = get_user_model()
    user, _ = User.objects.update_or_create(email=email, defaults=fields)
    user.set_password(password)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


@transaction.atomic
def load_demo(*, password: str, totp_secret: str = "", today: date | None = None) -> DemoSummary:
    today = today or timezone.localdate()
    load_reference_data()
    load_interests()
    people = read("people.toml")
    institutes = list(Institute.objects.order_by("name"))
    by_slug = {institute.slug: institute for institute in institutes}
    routes = {route.slug: route for route in Route.objects.all()}
    load_institute_contacts(institutes)
    summary = DemoSummary(
        events=load_events(institutes, today),
        partners=load_partners(institutes, routes, today),
    )
    partners = list(Organisation.objects.approved().order_by("name"))
    summary.courses, summary.runs = load_courses(institutes, routes, partners, today)
    staff_institutes = [
        by_slug[spec["institute"]] for spec in people["staff"] if "institute" in spec
    ]
    summary.partners += load_staff_workload(
        staff_institutes, routes=routes, partner=partners[0], now=timezone.now(), people=people
    )
    for spec in people["staff"]:
        role = Role(spec["role"])
        institute = by_slug[spec["institute"]] if "institute" in spec else None
        user = _ensure_user(
            spec["email"],
            password,
            full_name=spec["name"],
            is_staff=True,
            is_superuser=role == Role.NATIONAL_ADMIN,
        )
        StaffMembership.objects.get_or_create(user=user, role=role, institute=institute)
        if (
            totp_secret
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            TOTP.activate(user, totp_secret)
        summary.logins.append((spec["label"].format(institute=institute), spec["email"]))
    learner = people["learner"]
    _ensure_user(learner["email"], password, full_name=learner["name"])
    summary.logins.append((learner["label"], learner["email"]))
    load_partner_activity(today)
    summary.stories = load_stories(today)
    employer = people["employer"]
    _ensure_user(employer["email"], password, full_name=employer["name"])
    OrganisationMember.objects.get_or_create(
        organisation=partners[0],
        user=get_user_model().objects.get(email=employer["email"]),
        defaults={
            "role": OrganisationMember.Role(employer["role"]),
            "job_title": employer["job_title"],
        },
    )
    summary.logins.append(
        (employer["label"].format(organisation=partners[0].name), employer["email"])
    )
    return summary
