"""/stories/, a story's page, its feeds and sitemap entries, and the latest stories on the pages
of the institutes, partners and events they are about."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from stories import services
from stories.models import Story
from stories.tasks import publish_scheduled_stories
from tests.factories import (
    EventFactory,
    InstituteFactory,
    OrganisationFactory,
    RouteFactory,
    staff_user,
)

from .factories import StoryFactory

pytestmark = pytest.mark.django_db


def test_the_listing_shows_published_stories_only_newest_first(client):
    old = StoryFactory(title="Old news", published_at=timezone.now() - timedelta(days=9))
    new = StoryFactory(title="New news")
    StoryFactory(title="Still a draft", status=Story.Status.DRAFT, published_at=None)
    StoryFactory(
        title="Coming soon",
        status=Story.Status.SCHEDULED,
        published_at=None,
        publish_at=timezone.now() + timedelta(days=1),
    )
    page = client.get("/stories/").content.decode()
    assert page.index(new.title) < page.index(old.title)
    assert "Still a draft" not in page and "Coming soon" not in page
    assert "2 stories" in page


def test_the_listing_filters_by_kind_institute_route_and_partner(client):
    durham, leeds = InstituteFactory(slug="durham"), InstituteFactory(slug="leeds")
    digital = RouteFactory(slug="digital")
    acme = OrganisationFactory(slug="acme", institutes=[durham])
    StoryFactory(title="Durham news", institutes=[durham])
    StoryFactory(title="Leeds learner", kind=Story.Kind.LEARNER_STORY, institutes=[leeds])
    StoryFactory(title="Digital report", kind=Story.Kind.EVENT_REPORT, routes=[digital])
    StoryFactory(title="Acme case", kind=Story.Kind.CASE_STUDY, organisations=[acme])

    every = ("Durham news", "Leeds learner", "Digital report", "Acme case")

    def titles(query):
        page = client.get(f"/stories/?{query}").content.decode()
        return {title for title in every if title in page}

    assert titles("kind=learner-story") == {"Leeds learner"}
    assert titles("institute=durham") == {"Durham news"}
    assert titles("route=digital") == {"Digital report"}
    assert titles("partner=acme") == {"Acme case"}


def test_no_story_matching_shows_the_sites_empty_state_and_a_bad_filter_is_a_400(client):
    StoryFactory(kind=Story.Kind.NEWS)
    page = client.get("/stories/?kind=event-report")
    assert page.status_code == 200
    assert 'class="empty-state"' in page.content.decode()
    assert "No stories match your filters" in page.content.decode()
    response = client.get("/stories/?kind=nonsense")
    assert response.status_code == 400
    # In the words the other lists use, not Django's "Select a valid choice. ...".
    assert "Choose kind of story from the list." in response.content.decode()
    response = client.get("/stories/?institute=nowhere")
    assert response.status_code == 400
    assert "Choose institute from the list." in response.content.decode()


def test_an_empty_site_says_what_stories_will_appear(client):
    page = client.get("/stories/").content.decode()
    assert "No stories have been published yet" in page


def test_the_listing_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    institutes = [InstituteFactory() for _ in range(3)]
    for n in range(15):
        StoryFactory(institutes=institutes[: n % 3 + 1], image_path="", image_alt="")
    with django_assert_max_num_queries(8):
        assert client.get("/stories/").status_code == 200


def test_a_story_page_has_breadcrumbs_sharing_metadata_and_news_article_data(client):
    durham = InstituteFactory(name="Durham IoT")
    story = StoryFactory(
        title="Robots & <people>",
        standfirst="A report.",
        body="Hello *world*\n\n<script>alert(1)</script>",
        institutes=[durham],
        image_path="stories/abc/",
        image_widths=[480, 960],
        image_width=960,
        image_height=640,
        image_alt="Two apprentices at a lathe",
    )
    related = StoryFactory(title="Another Durham story", institutes=[durham])
    StoryFactory(title="Unrelated story")
    page = client.get(story.get_absolute_url()).content.decode()
    assert 'aria-label="Breadcrumb"' in page
    assert '<meta property="og:title" content="Robots &amp; &lt;people&gt;">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert 'content="Two apprentices at a lathe"' in page
    assert "<script>alert(1)</script>" not in page
    assert "<em>world</em>" in page
    assert 'srcset="/media/stories/abc/480.jpg 480w, /media/stories/abc/960.jpg 960w"' in page
    assert 'loading="lazy"' in page
    [ld] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    data = json.loads(ld)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Robots & <people>"
    assert data["image"] == ["http://testserver/media/stories/abc/960.jpg"]
    assert related.title in page and "Unrelated story" not in page


def test_drafts_are_not_found_by_visitors(client):
    draft = StoryFactory(status=Story.Status.DRAFT, published_at=None)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_the_atom_feeds_list_all_stories_and_one_institutes(client):
    durham = InstituteFactory(slug="durham")
    StoryFactory(title="Durham story", institutes=[durham])
    StoryFactory(title="National story")
    everything = client.get("/stories/feed/")
    assert everything["Content-Type"].startswith("application/atom+xml")
    assert b"Durham story" in everything.content and b"National story" in everything.content
    durham_only = client.get("/stories/feed/durham/").content
    assert b"Durham story" in durham_only and b"National story" not in durham_only
    assert client.get("/stories/feed/nowhere/").status_code == 404


def test_published_stories_are_in_the_sitemap(client):
    story = StoryFactory()
    hidden = StoryFactory(status=Story.Status.DRAFT, published_at=None)
    page = client.get("/sitemap-stories.xml").content.decode()
    assert story.get_absolute_url() in page and hidden.get_absolute_url() not in page


def test_home_institute_partner_and_event_pages_show_their_latest_stories(client):
    durham = InstituteFactory()
    acme = OrganisationFactory(institutes=[durham])
    event = EventFactory(institute=durham)
    StoryFactory(title="About Durham", institutes=[durham])
    StoryFactory(title="About Acme", organisations=[acme])
    StoryFactory(title="About the open day", events=[event])
    assert "About the open day" in client.get("/").content.decode()
    institute_page = client.get(durham.get_absolute_url()).content.decode()
    assert "About Durham" in institute_page and "About Acme" not in institute_page
    partner_page = client.get(acme.get_absolute_url()).content.decode()
    assert "About Acme" in partner_page and "About Durham" not in partner_page
    event_page = client.get(event.get_absolute_url()).content.decode()
    assert "About the open day" in event_page and "About Acme" not in event_page


def test_the_beat_job_publishes_scheduled_stories_when_their_time_comes(client):
    durham = InstituteFactory()
    story = StoryFactory(
        title="Scheduled story",
        status=Story.Status.SCHEDULED,
        published_at=None,
        publish_at=timezone.now() + timedelta(hours=1),
        institutes=[durham],
    )
    assert publish_scheduled_stories() == 0
    Story.objects.filter(pk=story.pk).update(publish_at=timezone.now() - timedelta(seconds=5))
    assert publish_scheduled_stories() == 1
    assert publish_scheduled_stories() == 0  # safe to run twice
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED and story.published_at == story.publish_at
    assert "Scheduled story" in client.get("/stories/").content.decode()
    assert "Scheduled story" in client.get(durham.get_absolute_url()).content.decode()


def test_scheduling_needs_a_future_time_and_is_audited():
    from iot_network.staff.models import AuditEntry

    durham = InstituteFactory()
    staff = staff_user("iot-staff", [durham])
    story = StoryFactory(status=Story.Status.DRAFT, published_at=None, institutes=[durham])
    with pytest.raises(services.StoryError):
        services.schedule(story=story, publish_at=timezone.now(), acting_user=staff)
    services.schedule(story=story, publish_at=timezone.now() + timedelta(days=1), acting_user=staff)
    entry = AuditEntry.objects.get(action="scheduled story")
    assert entry.actor == staff and list(entry.institutes.all()) == [durham]


def test_latest_stories_do_not_add_queries_as_stories_grow(client, django_assert_max_num_queries):
    durham = InstituteFactory()
    StoryFactory(institutes=[durham])
    with django_assert_max_num_queries(40) as first:
        client.get(durham.get_absolute_url())
    for _ in range(6):
        StoryFactory(institutes=[durham, InstituteFactory()])
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(durham.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get("/").status_code == 200
