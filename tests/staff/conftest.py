import pytest

from tests.factories import InstituteFactory, UserFactory, staff_user


@pytest.fixture
def world(client):
    home, away = InstituteFactory(), InstituteFactory()
    people = {
        "national": staff_user("national-admin"),
        "iot-staff": staff_user("iot-staff", [home]),
        "viewer": staff_user("viewer", [home]),
        "learner": UserFactory(),
    }
    return home, away, people
