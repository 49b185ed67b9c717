"""/stories/: the listing, a story's page and the Atom feeds."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from institutes.models import Institute
from iot_network.web.listing import EmptyState, filtered_listing

from . import text
from .filters import StoryFilter
from .models import Story


def for_cards(queryset):
    """Stories as cards show their IoTs: fetched once for the page, not per card."""
    return queryset.prefetch_related(
        Prefetch("institutes", queryset=Institute.objects.only("name", "slug"))
    )


@require_safe
def story_list(request):
    listing = filtered_listing(
        request,
        StoryFilter,
        for_cards(Story.objects.published().newest_first()),
        per_page=12,
        noun="stories",
        when_none=EmptyState(
            message="No stories have been published yet",
            explanation="News, partner case studies, learner stories and event reports from "
            "the Institutes of Technology appear here as they are published.",
        ),
    )
    return render(request, "stories/story_list.html", {"listing": listing}, status=listing.status)


def story_context(request, story: Story) -> dict:
    related = for_cards(Story.objects.published().related_to(story).newest_first())[:3]
    url = request.build_absolute_uri(story.get_absolute_url())
    image = request.build_absolute_uri(story.image_url()) if story.image_path else ""
    json_ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.title,
        "description": story.standfirst,
        "mainEntityOfPage": url,
        "datePublished": story.published_at,
        "dateModified": story.updated_at,
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
        "about": [institute.name for institute in story.institutes.all()],
    }
    if image:
        json_ld["image"] = [image]
    return {
        "story": story,
        "body": text.render(story.body),
        "related": related,
        "json_ld": json_ld,
        "canonical_url": url,
        "share_image": image,
    }


@require_safe
def story_detail(request, slug: str):
    story = get_object_or_404(Story.objects.published(), slug=slug)
    return render(request, "stories/story_detail.html", story_context(request, story))
