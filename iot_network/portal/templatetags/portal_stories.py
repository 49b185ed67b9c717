"""Latest stories on the pages of other apps (home, institute, partner, event).

Stories sit above partners and events in the layers, so those apps' views never import them;
their templates ask this composition-layer tag instead."""

from django import template
from django.urls import reverse

from stories.models import Story
from stories.views import for_cards

register = template.Library()

LATEST = 3


@register.inclusion_tag("stories/_latest.html")
def latest_stories(*, institute=None, organisation=None, event=None, title="Latest stories"):
    stories = Story.objects.published().about(
        institute=institute, organisation=organisation, event=event
    )
    more_url = reverse("stories:list")
    if institute is not None:
        more_url += f"?institute={institute.slug}"
    elif organisation is not None:
        more_url += f"?partner={organisation.slug}"
    return {
        "stories": list(for_cards(stories.newest_first())[:LATEST]),
        "title": title,
        "more_url": more_url,
    }
