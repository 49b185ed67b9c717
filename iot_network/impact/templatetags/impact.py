from django import template

from ..models import ImpactSnapshot
from ..presenters import page_context

register = template.Library()


@register.inclusion_tag("impact/_institute_impact.html")
def institute_impact(institute):
    """An IoT's impact figures for its page: one query (its nightly snapshot)."""
    found = ImpactSnapshot.objects.for_institute(institute.pk).first()
    return {**page_context(found), "institute": institute, "scope_slug": institute.slug}
