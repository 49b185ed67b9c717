from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from courses.models import Course
from events.models import Event
from institutes.models import Institute
from partners.models import Opportunity, Organisation
from stories.models import Story


class StaticSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return [
            "portal:home", "courses:list", "apprenticeships", "events:list", "institutes:list",
            "partners:list", "partners:become", "web:about", "web:accessibility", "stories:list",
        ]  # fmt: skip

    def location(self, item):
        return reverse(item)


class InstituteSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Institute.objects.order_by("slug")


class CourseSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return Course.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, course):
        return course.updated_at


class EventSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return Event.objects.visible().upcoming().only("slug")


class PartnerSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Organisation.objects.in_directory().order_by("slug").only("slug")


class OpportunitySitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return Opportunity.objects.live().order_by("pk").only("pk")


class StorySitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return Story.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, story):
        return story.updated_at


SITEMAPS = {
    "pages": StaticSitemap,
    "institutes": InstituteSitemap,
    "courses": CourseSitemap,
    "events": EventSitemap,
    "partners": PartnerSitemap,
    "opportunities": OpportunitySitemap,
    "stories": StorySitemap,
}
