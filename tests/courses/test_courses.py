import pytest

from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


def test_course_list_shows_published_courses_only(client):
    CourseFactory(title="Cyber Security HTQ")
    CourseFactory(title="Unfinished draft", status="draft")
    content = client.get("/courses/").content.decode()
    assert "Cyber Security HTQ" in content
    assert "Unfinished draft" not in content


def test_draft_course_page_is_404(client):
    course = CourseFactory(status="draft")
    assert client.get(course.get_absolute_url()).status_code == 404


def test_filters_by_level_and_keywords(client):
    CourseFactory(title="Robotics", level=5)
    CourseFactory(title="Robotics basics", level=4)
    CourseFactory(title="Welding", level=5)
    content = client.get("/courses/?level=5&q=robot").content.decode()
    assert "1 result" in content
    assert ">Robotics</a>" in content


@pytest.mark.parametrize(
    "query", ["level=99", "route=nope", "institute=%00", "page=-1", "page=zzz", "q=" + "x" * 500]
)
def test_bad_filter_values_never_cause_a_server_error(client, query):
    assert client.get(f"/courses/?{query}").status_code in {200, 400}


def test_apprenticeships_page_lists_only_apprenticeships(client):
    CourseFactory(title="Engineering Technician", qualification_type="higher-apprenticeship")
    CourseFactory(title="Classroom HNC", qualification_type="hnc")
    content = client.get("/apprenticeships/").content.decode()
    assert "Engineering Technician" in content
    assert "Classroom HNC" not in content
