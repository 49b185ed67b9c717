"""Who hears about partner business. What they are told is in each kind's template folder
(templates/notifications/email/<kind>/); this module addresses the mail and gathers the data.
Delivered by the outbox."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Model
from django.urls import reverse

from institutes.models import Institute
from iot_network.notifications.services import Notification, notify_many
from iot_network.staff.models import Role

from .models import Organisation, OrganisationMember


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def staff_addresses(institutes: Iterable[Institute]) -> list[str]:
    """The addresses that reach each institute's staff: its team inbox and its staff members'
    accounts; the network's inbox when an institute has neither."""
    institutes = list(institutes)
    addresses: list[str] = []
    for institute in institutes:
        if institute.contact_email:
            addresses.append(institute.contact_email)
    addresses.extend(
        get_user_model()
        .objects.filter(
            is_active=True,
            is_staff=True,
            staff_memberships__institute__in=institutes,
            staff_memberships__role=Role.IOT_STAFF,
        )
        .values_list("email", flat=True)
        .distinct()
    )
    if not addresses:
        addresses.append(settings.CONTACT_EMAIL)
    return sorted({address.lower() for address in addresses})


def member_addresses(organisation: Organisation, *, owners_only: bool = False) -> list[str]:
    members = organisation.members.filter(user__is_active=True)
    if owners_only:
        members = members.filter(role=OrganisationMember.Role.OWNER)
    return sorted(set(members.values_list("user__email", flat=True)))


def message(to: str, *, kind: str, key: str, about: Model, context: dict) -> Notification:
    """One mail of ``kind`` to ``to``; ``context`` is data only (names, ISO dates, URLs): the
    kind's templates word it, and show ``action_url`` as the button when there is one."""
    return Notification(to=to, kind=kind, dedupe_key=f"{key}:{to}", about=about, context=context)


def send(messages: list[Notification]) -> None:
    notify_many(messages)


def to_staff(institutes: Iterable[Institute], **kwargs) -> list[Notification]:
    return [message(address, **kwargs) for address in staff_addresses(institutes)]


def to_members(organisation: Organisation, *, owners_only=False, **kwargs) -> list[Notification]:
    return [
        message(address, **kwargs)
        for address in member_addresses(organisation, owners_only=owners_only)
    ]


def admin_url(obj: Model) -> str:
    meta = obj._meta
    return absolute(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]))


def user_name(user) -> str:
    """The person's name, else their address; empty when nobody is known (the template then
    says "Someone")."""
    if user is None:
        return ""
    return getattr(user, "full_name", "") or user.email


def institute_names(institutes: Iterable[Institute]) -> list[str]:
    return [institute.name for institute in institutes]
