"""The partner area: signed-in members manage their own organisation, and nothing else.

Every view looks the organisation up through the signed-in user's memberships, so another
organisation's URL is a 404, never a 403 that would confirm it exists.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from iot_network.web import ratelimit

from . import services
from .forms import (
    CloseOpportunityForm,
    InvitationForm,
    OpportunityForm,
    ProfileForm,
    SkillsNeedForm,
)
from .models import Engagement, Invitation, Opportunity, Organisation, OrganisationMember


def _membership(request, slug: str, *, owner: bool = False) -> OrganisationMember:
    membership = (
        OrganisationMember.objects.select_related("organisation")
        .filter(user=request.user, organisation__slug=slug)
        .first()
    )
    if membership is None:
        raise Http404("No such organisation in your partner area.")
    if owner and not membership.is_owner:
        raise Http404("Only owners can do this.")
    return membership


def _approved_only(request, organisation: Organisation):
    if organisation.is_approved:
        return None
    messages.info(request, "You can do this once your partnership is approved.")
    return redirect(organisation.get_area_url())


def _form_response(request, template: str, context: dict):
    form = context["form"]
    return render(request, template, context, status=400 if form.is_bound else 200)


@login_required
@require_safe
def area_home(request):
    memberships = list(
        OrganisationMember.objects.filter(user=request.user)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    if len(memberships) == 1:
        return redirect(memberships[0].organisation.get_area_url())
    return render(request, "partners/area/home.html", {"memberships": memberships})


@login_required
@require_safe
def dashboard(request, slug: str):
    membership = _membership(request, slug)
    organisation = membership.organisation
    opportunities = organisation.opportunities.select_related("institute").order_by(
        "status", "closing_date"
    )
    engagements = organisation.engagements.select_related("institute")
    engagement_totals = (
        engagements.order_by().values("kind").annotate(times=Count("id"), total=Sum("quantity"))
    )
    return render(
        request,
        "partners/area/dashboard.html",
        {
            "membership": membership,
            "organisation": organisation,
            "institutes": organisation.institutes.order_by("name"),
            "opportunities": opportunities,
            "skills_needs": organisation.skills_needs.select_related("institute", "route")[:20],
            "engagements": engagements[:50],
            "engagement_totals": [
                {**row, "label": Engagement.describe_total(row["kind"], row["total"])}
                for row in engagement_totals
            ],
        },
    )


@login_required
def profile(request, slug: str):
    membership = _membership(request, slug)
    organisation = membership.organisation
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        # is_valid() has put the cleaned values on form.instance; the service saves them.
        services.update_profile(
            organisation=form.instance,
            interests=form.cleaned_data["interests"],
            updated_by=request.user,
        )
        messages.success(request, "Profile saved.")
        return redirect(organisation.get_area_url())
    return _form_response(
        request, "partners/area/profile.html", {"organisation": organisation, "form": form}
    )


@login_required
def members(request, slug: str):
    membership = _membership(request, slug)
    organisation = membership.organisation
    form = None
    if membership.is_owner:
        form = InvitationForm(
            request.POST if request.method == "POST" else None, organisation=organisation
        )
    elif request.method == "POST":
        raise Http404("Only owners can invite colleagues.")
    if request.method == "POST":
        if response := _approved_only(request, organisation):
            return response
        if ratelimit.too_many(request, scope="partner-invitation", limit=30, window=3600):
            return ratelimit.too_many_response(request)
        if form.is_valid():
            try:
                services.invite_member(
                    organisation=organisation,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    invited_by=request.user,
                )
            except services.PartnerError as exc:
                form.add_error("email", str(exc))
            else:
                messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
                return redirect("partners:members", slug=organisation.slug)
    context = {
        "membership": membership,
        "organisation": organisation,
        "members": organisation.members.select_related("user"),
        "invitations": organisation.invitations.open(),
        "form": form,
    }
    status = 400 if form is not None and form.is_bound else 200
    return render(request, "partners/area/members.html", context, status=status)


@login_required
@require_POST
def remove_member(request, slug: str, pk: int):
    membership = _membership(request, slug, owner=True)
    member = get_object_or_404(membership.organisation.members.select_related("user"), pk=pk)
    try:
        services.remove_member(member=member, removed_by=request.user)
    except services.PartnerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{member.user.email} removed.")
    return redirect("partners:members", slug=slug)


def _too_many_opportunities(request) -> bool:
    """Each post or change mails the institute's staff: 30 an hour per person is plenty."""
    return ratelimit.too_many(
        request, scope="partner-opportunity", limit=120, window=3600,
        per=str(request.user.pk), per_limit=30,
    )  # fmt: skip


@login_required
def opportunity_create(request, slug: str):
    membership = _membership(request, slug)
    organisation = membership.organisation
    if response := _approved_only(request, organisation):
        return response
    form = OpportunityForm(
        request.POST if request.method == "POST" else None, organisation=organisation
    )
    if request.method == "POST" and _too_many_opportunities(request):
        return ratelimit.too_many_response(request)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_opportunity(opportunity=form.instance, posted_by=request.user)
        except services.PartnerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                "Sent to the institute's staff. It will be shown to learners once they approve it.",
            )
            return redirect(organisation.get_area_url())
    return _form_response(
        request,
        "partners/area/opportunity_form.html",
        {"organisation": organisation, "form": form, "opportunity": None},
    )


@login_required
def opportunity_edit(request, slug: str, pk: int):
    membership = _membership(request, slug)
    organisation = membership.organisation
    opportunity = get_object_or_404(
        organisation.opportunities.exclude(status=Opportunity.Status.CLOSED), pk=pk
    )
    form = OpportunityForm(
        request.POST if request.method == "POST" else None,
        instance=opportunity,
        organisation=organisation,
    )
    if request.method == "POST" and _too_many_opportunities(request):
        return ratelimit.too_many_response(request)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_opportunity(opportunity=form.instance, updated_by=request.user)
        except services.PartnerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, "Saved. Staff will check the changes before learners see them."
            )
            return redirect(organisation.get_area_url())
    return _form_response(
        request,
        "partners/area/opportunity_form.html",
        {"organisation": organisation, "form": form, "opportunity": opportunity},
    )


@login_required
def opportunity_close(request, slug: str, pk: int):
    """Close an opportunity (or, once closed, record how many of its places were filled)."""
    membership = _membership(request, slug)
    organisation = membership.organisation
    opportunity = get_object_or_404(organisation.opportunities, pk=pk)
    was_closed = opportunity.is_closed
    form = CloseOpportunityForm(
        request.POST if request.method == "POST" else None, opportunity=opportunity
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.close_opportunity(
                opportunity=opportunity,
                closed_by=request.user,
                positions_filled=form.cleaned_data["positions_filled"],
            )
        except services.PartnerError as exc:
            form.add_error("positions_filled", str(exc))
        else:
            messages.success(
                request,
                f"Saved the number of places filled for '{opportunity.title}'."
                if was_closed
                else f"'{opportunity.title}' is closed and no longer shown to learners.",
            )
            return redirect(organisation.get_area_url())
    return _form_response(
        request,
        "partners/area/opportunity_close.html",
        {"organisation": organisation, "form": form, "opportunity": opportunity},
    )


@login_required
def skills_need_create(request, slug: str):
    membership = _membership(request, slug)
    organisation = membership.organisation
    if response := _approved_only(request, organisation):
        return response
    form = SkillsNeedForm(
        request.POST if request.method == "POST" else None, organisation=organisation
    )
    if request.method == "POST":
        if ratelimit.too_many(request, scope="skills-need", limit=20, window=3600):
            return ratelimit.too_many_response(request)
        if form.is_valid():
            try:
                services.report_skills_need(need=form.instance, reported_by=request.user)
            except services.PartnerError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Sent to the institute's staff. They will be in touch.")
                return redirect(organisation.get_area_url())
    return _form_response(
        request, "partners/area/skills_need_form.html", {"organisation": organisation, "form": form}
    )


@login_required
def accept_invitation(request, token: str):
    invitation = (
        Invitation.objects.open()
        .select_related("organisation")
        .filter(token_hash=Invitation.hash_token(token))
        .first()
    )
    if invitation is None:
        return render(request, "partners/area/invitation_invalid.html", status=404)
    if request.method == "POST":
        try:
            services.accept_invitation(invitation=invitation, user=request.user)
        except services.PartnerError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"You are now a member of {invitation.organisation}.")
            return redirect(invitation.organisation.get_area_url())
    return render(
        request,
        "partners/area/invitation.html",
        {
            "invitation": invitation,
            "email_matches": invitation.email.lower() == request.user.email.lower(),
            "action": reverse("partners:accept-invitation", kwargs={"token": token}),
        },
    )
