"""Partner writes with side effects: applications, decisions, members, opportunities, skills needs
and renewal reminders. Each one is atomic and queues its mail in the outbox on commit."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from institutes.models import Institute
from iot_network.staff import audit

from . import notices
from .models import (
    Engagement,
    Interest,
    Invitation,
    Opportunity,
    Organisation,
    OrganisationMember,
    SkillsNeed,
)

PARTNERSHIP_TERM = timedelta(days=365)
RENEWAL_REMINDER_DAYS = (30, 7)


class PartnerError(Exception):
    """A rule stopped the change; the message is fit to show the person."""


# Slugs that would be shadowed by fixed URLs under /partners/ and /partner-area/.
RESERVED_SLUGS = {"apply", "become-a-partner", "opportunities", "invitations"}


def _unique_slug(name: str) -> str:
    base = slugify(name)[:200] or "organisation"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _audit(actor, action: str, target, detail: str = "") -> None:
    audit.record(actor=actor, action=action, target=target, detail=detail)


@transaction.atomic
def submit_application(
    *,
    applicant,
    organisation: Organisation,
    institutes: list[Institute],
    interests: list[Interest],
    job_title: str = "",
) -> Organisation:
    """Record an application; the applicant becomes its owner; the chosen IoTs' staff are told."""
    organisation.slug = _unique_slug(organisation.name)
    organisation.status = Organisation.Status.PENDING
    organisation.consent_at = timezone.now()
    organisation.save()
    organisation.institutes.set(institutes)
    organisation.interests.set(interests)
    OrganisationMember.objects.create(
        organisation=organisation,
        user=applicant,
        role=OrganisationMember.Role.OWNER,
        job_title=job_title,
    )
    key = f"partner-application:{organisation.pk}"
    application = {
        "organisation": organisation.name,
        "institutes": notices.institute_names(institutes),
    }
    notices.send(
        notices.to_staff(
            institutes,
            kind="partner-application-staff",
            key=f"{key}:staff",
            about=organisation,
            context={
                **application,
                "org_type": organisation.get_org_type_display(),
                "sector": organisation.sector.name,
                "contact_name": organisation.contact_name or notices.user_name(applicant),
                "contact_email": applicant.email,
                "action_url": notices.admin_url(organisation),
            },
        )
        + [
            notices.message(
                applicant.email,
                kind="partner-application-received",
                key=f"{key}:applicant",
                about=organisation,
                context={
                    **application,
                    "action_url": notices.absolute(organisation.get_area_url()),
                },
            )
        ]
    )
    return organisation


@transaction.atomic
def decide_application(
    *, organisation: Organisation, approve: bool, reason: str = "", decided_by
) -> Organisation:
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.status != Organisation.Status.PENDING:
        raise PartnerError(
            f"{organisation} has already been {organisation.get_status_display().lower()}."
        )
    if not approve and not reason.strip():
        raise PartnerError("Give a reason when you decline an application.")
    organisation.status = Organisation.Status.APPROVED if approve else Organisation.Status.DECLINED
    organisation.decision_reason = reason.strip()
    organisation.decided_at = timezone.now()
    organisation.decided_by = decided_by
    if approve:
        organisation.review_date = timezone.localdate() + PARTNERSHIP_TERM
    organisation.save()
    notices.send(
        notices.to_members(
            organisation,
            kind="partner-approved" if approve else "partner-declined",
            key=f"partner-decision:{organisation.pk}",
            about=organisation,
            context={
                "organisation": organisation.name,
                "institutes": notices.institute_names(organisation.institutes.all()),
                "reason": organisation.decision_reason,
                "action_url": notices.absolute(organisation.get_area_url()),
            },
        )
    )
    _audit(
        decided_by,
        "approve partner" if approve else "decline partner",
        organisation,
        organisation.decision_reason,
    )
    return organisation


@transaction.atomic
def invite_member(*, organisation: Organisation, email: str, role: str, invited_by) -> Invitation:
    email = email.strip()
    if organisation.members.filter(user__email__iexact=email).exists():
        raise PartnerError(f"{email} is already a member of {organisation}.")
    token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=token_hash,
        invited_by=invited_by,
    )
    notices.send(
        [
            notices.message(
                email,
                kind="partner-invitation",
                key=f"partner-invitation:{invitation.pk}",
                about=invitation,
                context={
                    "organisation": organisation.name,
                    "inviter": notices.user_name(invited_by),
                    "role": invitation.get_role_display(),
                    "action_url": notices.absolute(
                        reverse("partners:accept-invitation", kwargs={"token": token})
                    ),
                },
            )
        ]
    )
    return invitation


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user) -> OrganisationMember:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise PartnerError("This invitation has already been used.")
    if invitation.email.lower() != user.email.lower():
        raise PartnerError(
            f"This invitation was sent to a different email address. Sign in as that address "
            f"to accept it, or ask {invitation.organisation} to invite {user.email}."
        )
    member, created = OrganisationMember.objects.get_or_create(
        organisation=invitation.organisation, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return member


@transaction.atomic
def remove_member(*, member: OrganisationMember, removed_by) -> None:
    organisation = member.organisation
    owners = organisation.members.filter(role=OrganisationMember.Role.OWNER)
    if member.is_owner and owners.count() <= 1:
        raise PartnerError(
            "An organisation needs at least one owner. Make someone else an owner first."
        )
    _audit(removed_by, "removed partner member", member)
    member.delete()


def _opportunity_to_staff(opportunity: Opportunity, *, key: str, changed: bool) -> None:
    notices.send(
        notices.to_staff(
            [opportunity.institute],
            kind="opportunity-to-approve",
            key=key,
            about=opportunity,
            context={
                "organisation": opportunity.organisation.name,
                "title": opportunity.title,
                "opportunity_kind": opportunity.get_kind_display(),
                "institute": opportunity.institute.name,
                "closing_date": opportunity.closing_date.isoformat(),
                "changed": changed,
                "action_url": notices.admin_url(opportunity),
            },
        )
    )


@transaction.atomic
def post_opportunity(*, opportunity: Opportunity, posted_by) -> Opportunity:
    organisation = opportunity.organisation
    if not organisation.is_approved:
        raise PartnerError("You can post opportunities once your partnership is approved.")
    if not organisation.institutes.filter(pk=opportunity.institute_id).exists():
        raise PartnerError("Choose one of the institutes you partner with.")
    opportunity.status = Opportunity.Status.PENDING
    opportunity.created_by = posted_by
    opportunity.save()
    _opportunity_to_staff(opportunity, key=f"opportunity:{opportunity.pk}:posted", changed=False)
    return opportunity


@transaction.atomic
def update_opportunity(*, opportunity: Opportunity, updated_by) -> Opportunity:
    """A changed opportunity goes back to staff before learners see the new version."""
    if opportunity.status == Opportunity.Status.CLOSED:
        raise PartnerError("This opportunity is closed. Post a new one instead.")
    if not opportunity.organisation.institutes.filter(pk=opportunity.institute_id).exists():
        raise PartnerError("Choose one of the institutes you partner with.")
    was_approved = opportunity.status != Opportunity.Status.PENDING
    opportunity.status = Opportunity.Status.PENDING
    opportunity.save()
    if was_approved:
        stamp = int(timezone.now().timestamp())
        _opportunity_to_staff(
            opportunity, key=f"opportunity:{opportunity.pk}:changed:{stamp}", changed=True
        )
    return opportunity


@transaction.atomic
def close_opportunity(
    *, opportunity: Opportunity, closed_by, positions_filled: int | None = None
) -> Opportunity:
    """Close an opportunity, with how many of its places were filled if the person knows
    (the evaluation report counts them). On one that is already closed, records the number."""
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if positions_filled is not None and not 0 <= positions_filled <= opportunity.positions:
        raise PartnerError(
            f"'{opportunity}' offered {opportunity.positions} "
            f"place{'s' if opportunity.positions != 1 else ''}: the number filled must be "
            f"between 0 and {opportunity.positions}."
        )
    was_closed = opportunity.is_closed
    opportunity.status = Opportunity.Status.CLOSED
    if positions_filled is not None or not was_closed:
        opportunity.positions_filled = positions_filled
    opportunity.save(update_fields=["status", "positions_filled", "updated_at"])
    _audit(
        closed_by,
        "recorded places filled" if was_closed else "closed opportunity",
        opportunity,
        opportunity.filled_summary,
    )
    return opportunity


@transaction.atomic
def decide_opportunity(
    *, opportunity: Opportunity, approve: bool, reason: str = "", decided_by
) -> Opportunity:
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if opportunity.status != Opportunity.Status.PENDING:
        raise PartnerError(
            f"'{opportunity}' is {opportunity.get_status_display().lower()}, "
            "not waiting for approval."
        )
    if not approve and not reason.strip():
        raise PartnerError("Give a reason when you decline an opportunity.")
    opportunity.status = Opportunity.Status.APPROVED if approve else Opportunity.Status.DECLINED
    opportunity.decision_reason = reason.strip()
    opportunity.decided_at = timezone.now()
    opportunity.decided_by = decided_by
    opportunity.save()
    stamp = int(opportunity.decided_at.timestamp())
    shown_at = (
        opportunity.get_absolute_url() if approve else opportunity.organisation.get_area_url()
    )
    notices.send(
        notices.to_members(
            opportunity.organisation,
            kind="opportunity-approved" if approve else "opportunity-declined",
            key=f"opportunity:{opportunity.pk}:decision:{stamp}",
            about=opportunity,
            context={
                "title": opportunity.title,
                "reason": opportunity.decision_reason,
                "action_url": notices.absolute(shown_at),
            },
        )
    )
    _audit(
        decided_by,
        "approve opportunity" if approve else "decline opportunity",
        opportunity,
        opportunity.decision_reason,
    )
    return opportunity


@transaction.atomic
def report_skills_need(*, need: SkillsNeed, reported_by) -> SkillsNeed:
    organisation = need.organisation
    if not organisation.is_approved:
        raise PartnerError("You can tell us about skills needs once your partnership is approved.")
    if not organisation.institutes.filter(pk=need.institute_id).exists():
        raise PartnerError("Choose one of the institutes you partner with.")
    need.created_by = reported_by
    need.save()
    notices.send(
        notices.to_staff(
            [need.institute],
            kind="skills-need-reported",
            key=f"skills-need:{need.pk}",
            about=need,
            context={
                "organisation": organisation.name,
                "people_needed": need.people_needed,
                "needed_by": need.needed_by.isoformat(),
                "skills": need.skills,
                "details": need.details,
                "contact_name": notices.user_name(reported_by),
                "contact_email": reported_by.email,
                "action_url": notices.admin_url(need),
            },
        )
    )
    return need


@transaction.atomic
def acknowledge_skills_needs(*, needs: QuerySet[SkillsNeed], acting_user) -> int:
    """Staff have seen these skills needs: mark the new ones acknowledged; returns how many."""
    new = list(
        SkillsNeed.objects.select_for_update().filter(
            pk__in=needs.values("pk"), acknowledged_at__isnull=True
        )
    )
    now = timezone.now()
    for need in new:
        need.acknowledged_at = now
    SkillsNeed.objects.bulk_update(new, ["acknowledged_at"])
    audit.record_many(actor=acting_user, action="acknowledged skills need", targets=new)
    return len(new)


def send_review_reminders(*, today: date | None = None) -> int:
    """Remind partners and staff that a partnership's review date is near (30 and 7 days
    before). Safe to run more than once a day: each reminder has its own dedupe key."""
    today = today or timezone.localdate()
    sent = 0
    horizon = today + timedelta(days=max(RENEWAL_REMINDER_DAYS))
    due = (
        Organisation.objects.approved()
        .filter(review_date__gte=today, review_date__lte=horizon)
        .prefetch_related("institutes")
    )
    for organisation in due:
        days_left = (organisation.review_date - today).days
        stage = min(d for d in RENEWAL_REMINDER_DAYS if d >= days_left)
        key = f"partner-review:{organisation.pk}:{organisation.review_date}:{stage}"
        review = {
            "organisation": organisation.name,
            "review_date": organisation.review_date.isoformat(),
        }
        with transaction.atomic():
            notices.send(
                notices.to_members(
                    organisation,
                    owners_only=True,
                    kind="partner-review-due",
                    key=key,
                    about=organisation,
                    context={
                        **review,
                        "action_url": notices.absolute(organisation.get_area_url()),
                    },
                )
                + notices.to_staff(
                    organisation.institutes.all(),
                    kind="partner-review-due-staff",
                    key=f"{key}:staff",
                    about=organisation,
                    context={**review, "action_url": notices.admin_url(organisation)},
                )
            )
        sent += 1
    return sent


@transaction.atomic
def update_profile(*, organisation: Organisation, interests, updated_by) -> Organisation:
    """A partner's own changes to its public profile (validated by ProfileForm); audited."""
    organisation.save()
    organisation.interests.set(interests)
    _audit(updated_by, "updated partner profile", organisation)
    return organisation


@transaction.atomic
def save_partner_records(*, saved, deleted, acting_user) -> None:
    """Members and engagements staff add, change or remove on an organisation's admin page
    (the admin audits the organisation's change with the list of what changed). A new
    engagement records who logged it."""
    for record in saved:
        if isinstance(record, Engagement) and record.logged_by_id is None:
            record.logged_by = acting_user
        record.save()
    for record in deleted:
        record.delete()
