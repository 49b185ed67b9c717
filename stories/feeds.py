"""Atom feeds: every story, and one per IoT."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from institutes.models import Institute

from .models import Story

ITEMS = 30


class StoriesFeed(Feed):
    feed_type = Atom1Feed
    subtitle = "News, partner case studies, learner stories and event reports."

    def title(self, obj=None):
        return f"Stories – {settings.SITE_NAME}"

    def link(self, obj=None):
        return reverse("stories:list")

    def items(self, obj=None):
        return Story.objects.published().newest_first()[:ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.standfirst

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at


class InstituteStoriesFeed(StoriesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Institute, slug=slug)

    def title(self, obj=None):
        return f"Stories from {obj.name} – {settings.SITE_NAME}"

    def link(self, obj=None):
        return f"{reverse('stories:list')}?institute={obj.slug}"

    def items(self, obj=None):
        return Story.objects.published().about(institute=obj).newest_first()[:ITEMS]
