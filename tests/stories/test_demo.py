import pytest

from iot_network.portal.demo import load_demo
from stories.models import Story

pytestmark = pytest.mark.django_db


def test_demo_stories_load_once_marked_as_demo_and_tagged(client):
    summary = load_demo(password="a-demo-password-1")
    load_demo(password="a-demo-password-1")  # twice: nothing doubles
    assert Story.objects.count() == summary.stories >= 6
    assert not Story.objects.filter(demo=False).exists()
    report = Story.objects.get(slug="inaugural-national-conference-report")
    assert report.kind == Story.Kind.EVENT_REPORT
    for words in ("4 July", "130", "Department for Education", "Net Zero", "STEM"):
        assert words in report.standfirst + report.body, words
    assert report.published_at is not None and report.is_published
    case_studies = Story.objects.filter(kind=Story.Kind.CASE_STUDY)
    for story in case_studies:
        assert story.organisations.exists() and story.institutes.exists()
    assert Story.objects.filter(kind=Story.Kind.LEARNER_STORY).count() >= 2
    listing = client.get("/stories/").content.decode()
    assert "inaugural national conference" in listing and "Demo" in listing
    page = client.get(report.get_absolute_url())
    assert page.status_code == 200 and b"demonstration story" in page.content
