from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from institutes.models import Institute
from iot_network.web import ratelimit
from iot_network.web.listing import EmptyState, Suggestion, filtered_listing

from . import services
from .filters import OrganisationFilter
from .forms import DUPLICATE_MESSAGE, ApplicationForm
from .models import Interest, Opportunity, Organisation


def _directory():
    return (
        Organisation.objects.in_directory()
        .select_related("sector")
        .prefetch_related(
            Prefetch("institutes", queryset=Institute.objects.only("name", "slug")),
            Prefetch("interests", queryset=Interest.objects.only("name")),
        )
    )


@require_safe
def partner_list(request):
    listing = filtered_listing(
        request,
        OrganisationFilter,
        _directory().distinct(),
        noun="partners",
        when_none=EmptyState(
            message="No partners are listed yet",
            explanation="Employers, colleges, universities and training providers appear here "
            "once an Institute of Technology approves their partnership.",
            start=Suggestion("Become a partner", reverse("partners:become")),
        ),
    )
    return render(
        request, "partners/partner_list.html", {"listing": listing}, status=listing.status
    )


@require_safe
def partner_detail(request, slug: str):
    organisation = get_object_or_404(_directory(), slug=slug)
    opportunities = (
        Opportunity.objects.live().filter(organisation=organisation).select_related("institute")
    )
    return render(
        request,
        "partners/partner_detail.html",
        {"organisation": organisation, "opportunities": opportunities},
    )


@require_safe
def become_a_partner(request):
    return render(request, "partners/become.html", {"interests": Interest.objects.all()})


@login_required
def apply(request):
    """The application: the signed-in (and so verified) account becomes the contact person."""
    memberships = request.user.partner_memberships.select_related("organisation")
    if request.method == "GET" and "another" not in request.GET and memberships:
        # Already a partner (or waiting for review): show that, not a blank form.
        return render(request, "partners/already_partner.html", {"memberships": memberships})
    form = ApplicationForm(
        request.POST if request.method == "POST" else None,
        initial={"contact_name": request.user.full_name},
    )
    if request.method == "POST" and form.is_valid():
        # Only complete applications count: they are what sends mail.
        if ratelimit.too_many(request, scope="partner-application", limit=5, window=3600):
            return ratelimit.too_many_response(request)
        data = form.cleaned_data
        organisation = form.save(commit=False)
        organisation.contact_name = data["contact_name"]
        try:
            services.submit_application(
                applicant=request.user,
                organisation=organisation,
                institutes=list(data["institutes"]),
                interests=list(data["interests"]),
                job_title=data["job_title"],
            )
        except IntegrityError:
            # Another application with the same number was saved a moment ago.
            field = "ukprn" if organisation.ukprn else "companies_house_number"
            what = "UKPRN" if field == "ukprn" else "Companies House number"
            form.add_error(field, DUPLICATE_MESSAGE.format(what=what))
        else:
            messages.success(
                request,
                "Application sent. We have emailed you a copy; staff will review it and tell "
                "you their decision.",
            )
            return redirect(organisation.get_area_url())
    status = 400 if form.is_bound else 200
    return render(request, "partners/apply.html", {"form": form}, status=status)


@require_safe
def opportunity_detail(request, pk: int):
    opportunity = get_object_or_404(
        Opportunity.objects.live().select_related("organisation", "institute", "course"), pk=pk
    )
    return render(
        request,
        "partners/opportunity_detail.html",
        {"opportunity": opportunity, "json_ld": job_posting(request, opportunity)},
    )


def job_posting(request, opportunity: Opportunity) -> dict:
    """schema.org JobPosting, so search engines can list the vacancy."""
    organisation = opportunity.organisation
    data = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": opportunity.title,
        "description": opportunity.description,
        "datePosted": opportunity.created_at.date().isoformat(),
        "validThrough": opportunity.closing_date.isoformat(),
        "employmentType": "FULL_TIME" if (opportunity.hours_per_week or 0) >= 30 else "PART_TIME",
        "hiringOrganization": {"@type": "Organization", "name": organisation.name},
        "jobLocation": {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": opportunity.location,
                "addressCountry": "GB",
                **({"postalCode": opportunity.postcode} if opportunity.postcode else {}),
            },
        },
        "url": request.build_absolute_uri(opportunity.get_absolute_url()),
    }
    if organisation.website:
        data["hiringOrganization"]["sameAs"] = organisation.website
    if opportunity.wage_amount is not None and opportunity.wage_unit:
        data["baseSalary"] = {
            "@type": "MonetaryAmount",
            "currency": "GBP",
            "value": {
                "@type": "QuantitativeValue",
                "value": float(opportunity.wage_amount),
                "unitText": opportunity.wage_unit.upper(),
            },
        }
    return data
