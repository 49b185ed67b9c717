"""Partners propose case studies from the partner area; their IoT's staff review them.

As in the rest of the partner area, the organisation is looked up through the signed-in
user's memberships, so another organisation's URL is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from iot_network.web import ratelimit
from partners.models import OrganisationMember

from . import services
from .forms import CaseStudyForm
from .models import Story


def _organisation(request, slug: str):
    membership = (
        OrganisationMember.objects.select_related("organisation")
        .filter(user=request.user, organisation__slug=slug)
        .first()
    )
    if membership is None:
        raise Http404("No such organisation in your partner area.")
    return membership.organisation


@login_required
@require_safe
def case_studies(request, slug: str):
    organisation = _organisation(request, slug)
    stories = organisation.proposed_stories.prefetch_related("institutes").order_by("-created_at")
    return render(
        request,
        "stories/area/case_studies.html",
        {"organisation": organisation, "stories": stories},
    )


@login_required
def case_study(request, slug: str, pk: int | None = None):
    """Propose a case study, or change one that is waiting or was sent back."""
    organisation = _organisation(request, slug)
    story = Story(kind=Story.Kind.CASE_STUDY)
    if pk is not None:
        story = get_object_or_404(organisation.proposed_stories, pk=pk)
    editable = story.pk is None or story.status in (Story.Status.PENDING, Story.Status.RETURNED)
    if not organisation.is_approved:
        messages.info(request, "You can do this once your partnership is approved.")
        return redirect(organisation.get_area_url())
    form = CaseStudyForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=story,
        organisation=organisation,
    )
    if request.method == "POST" and editable:
        if ratelimit.too_many(request, scope="case-study", limit=20, window=3600):
            return ratelimit.too_many_response(request)
        if form.is_valid():
            try:
                services.propose_case_study(
                    organisation=organisation,
                    story=form.instance,
                    institute=form.cleaned_data["institute"],
                    image=form.cleaned_data.get("image"),
                    proposed_by=request.user,
                )
            except services.StoryError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, "Thank you. The institute's staff will review your case study."
                )
                return redirect("stories:case-studies", slug=organisation.slug)
    return render(
        request,
        "stories/area/case_study_form.html",
        {"organisation": organisation, "form": form, "story": story, "editable": editable},
        status=400 if form.is_bound else 200,
    )
