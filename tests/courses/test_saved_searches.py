from datetime import timedelta

import pytest
from django.utils import timezone

from courses.models import SavedSearch
from courses.services import send_saved_search_alerts
from iot_network.notifications.models import Message
from iot_network.notifications.services import set_consent
from tests.factories import CourseFactory, CourseRunFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner(client):
    user = UserFactory(email="learner@example.com")
    client.force_login(user)
    return user


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr(
        "iot_network.notifications.services.dispatch", lambda ids, countdown=None: None
    )


def test_saving_a_search_needs_an_account(client):
    response = client.post("/courses/saved-searches/save/", {"query": "level=4"})
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_learner_saves_a_search_once_and_sees_it_listed(client, learner):
    client.post("/courses/saved-searches/save/", {"query": "q=cyber&level=4&page=3"})
    client.post("/courses/saved-searches/save/", {"query": "q=cyber&level=4&page=3"})
    saved = SavedSearch.objects.get()
    assert saved.query == "q=cyber&level=4"
    assert saved.name == "cyber, 1 filter"
    content = client.get("/courses/saved-searches/").content.decode()
    assert "cyber, 1 filter" in content
    assert "turn on course alerts" in content


def test_nobody_can_delete_someone_elses_saved_search(client, learner):
    other = SavedSearch.objects.create(user=UserFactory(), name="Theirs", query="level=5")
    assert client.post(f"/courses/saved-searches/{other.pk}/delete/").status_code == 404
    assert SavedSearch.objects.filter(pk=other.pk).exists()


def test_daily_alert_lists_new_matching_courses_to_learners_who_opted_in(learner):
    set_consent(email=learner.email, category="course-alerts", granted=True, source="preferences")
    saved = SavedSearch.objects.create(
        user=learner, name="Level 4", query="level=4", checked_at=timezone.now() - timedelta(days=1)
    )
    last_week = timezone.now() - timedelta(days=5)
    CourseRunFactory(course=CourseFactory(title="Old course", level=4, published_at=last_week))
    CourseRunFactory(course=CourseFactory(title="New course", level=4))
    CourseRunFactory(course=CourseFactory(title="New but level 5", level=5))

    assert send_saved_search_alerts() == 1
    message = Message.objects.get(kind="course-alert")
    assert message.status == "queued"
    assert [c["title"] for c in message.context["courses"]] == ["New course"]
    saved.refresh_from_db()
    assert saved.checked_at > timezone.now() - timedelta(minutes=1)
    assert send_saved_search_alerts() == 0  # nothing new since


def test_alerts_for_learners_who_did_not_opt_in_are_withheld(learner):
    SavedSearch.objects.create(
        user=learner, name="All", query="", checked_at=timezone.now() - timedelta(days=1)
    )
    CourseFactory(title="New course")
    send_saved_search_alerts()
    assert Message.objects.get(kind="course-alert").status == "withheld"


def test_saving_a_search_keeps_only_what_the_search_reads(client, learner):
    response = client.post("/courses/saved-searches/save/", {"query": "!" * 700})
    assert response.status_code == 302
    saved = SavedSearch.objects.get()  # the search page ignores "!!!…": it shows all courses
    assert (saved.query, saved.name) == ("", "All courses")
    client.post("/courses/saved-searches/save/", {"query": "level=4&utm_source=mail&!!=1"})
    assert SavedSearch.objects.filter(query="level=4").exists()


def test_a_search_too_long_to_save_is_refused_with_a_reason(client, learner):
    response = client.post(
        "/courses/saved-searches/save/", {"query": "level=" + "!" * 700}, follow=True
    )
    assert response.status_code == 200
    assert "This search is too long to save" in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_a_long_keyword_search_is_saved_under_a_shortened_name(client, learner):
    client.post("/courses/saved-searches/save/", {"query": "q=" + "robotics+" * 150})
    saved = SavedSearch.objects.get()
    assert len(saved.name) <= 200 and saved.name.startswith("robotics robotics")
    assert saved.name.endswith("…")


def test_a_search_saved_from_find_an_apprenticeship_stays_an_apprenticeship_search(client, learner):
    response = client.post(
        "/courses/saved-searches/save/", {"query": "level=4", "apprenticeships": "1"}
    )
    saved = SavedSearch.objects.get()
    assert saved.apprenticeships_only
    assert saved.name == "Apprenticeships: 1 filter"
    assert response["Location"] == "/apprenticeships/?level=4"
    assert "/apprenticeships/?level=4" in client.get("/courses/saved-searches/").content.decode()
    # The same words saved from the course list are another search.
    client.post("/courses/saved-searches/save/", {"query": "level=4"})
    assert SavedSearch.objects.count() == 2


def test_the_apprenticeship_page_saves_its_searches_as_apprenticeship_searches(client, learner):
    content = client.get("/apprenticeships/").content.decode()
    assert 'name="apprenticeships" value="1"' in content
    assert 'name="apprenticeships"' not in client.get("/courses/").content.decode()


def test_alerts_for_an_apprenticeship_search_list_only_apprenticeships(learner):
    set_consent(email=learner.email, category="course-alerts", granted=True, source="preferences")
    SavedSearch.objects.create(
        user=learner,
        name="Apprenticeships: All",
        query="",
        apprenticeships_only=True,
        checked_at=timezone.now() - timedelta(days=1),
    )
    CourseFactory(title="New HTQ")
    CourseFactory(title="New apprenticeship", qualification_type="degree-apprenticeship")

    assert send_saved_search_alerts() == 1
    message = Message.objects.get(kind="course-alert")
    assert [c["title"] for c in message.context["courses"]] == ["New apprenticeship"]
    assert message.context["search_url"].endswith("/apprenticeships/")
