import pytest
from django.core.management import CommandError, call_command

from courses.models import Course
from events.models import Event
from iot_network.accounts.models import User
from iot_network.portal.demo import load_demo
from partners.models import Organisation

pytestmark = pytest.mark.django_db


def test_demo_data_loads_twice_without_duplicates():
    first = load_demo(password="a-demo-password-1")
    counts = (Course.objects.count(), Event.objects.count(), Organisation.objects.count())
    load_demo(password="a-demo-password-1")
    assert counts == (Course.objects.count(), Event.objects.count(), Organisation.objects.count())
    assert counts == (first.courses, first.events, first.partners)
    assert Course.objects.published().values("institute").distinct().count() == 21


def test_demo_accounts_can_sign_in(client):
    load_demo(password="a-demo-password-1")
    admin = User.objects.get(email="admin@demo.iot-network.example")
    assert admin.is_superuser and admin.check_password("a-demo-password-1")
    response = client.post(
        "/account/login/",
        {"login": "learner@demo.iot-network.example", "password": "a-demo-password-1"},
    )
    assert response.status_code == 302


def test_load_demo_refuses_to_create_demo_accounts_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Refusing"):
        call_command("load_demo", password="a-demo-password-1")


def test_demo_staff_find_work_waiting_on_their_dashboard(client):
    from datetime import timedelta

    from django.utils import timezone

    from courses.models import Enquiry
    from events.models import Registration
    from partners.models import Opportunity

    load_demo(password="a-demo-password-1")
    load_demo(password="a-demo-password-1")  # twice: nothing doubles
    for place in ("blackcountry", "cheshire"):
        user = User.objects.get(email=f"staff.{place}@demo.iot-network.example")
        assert user.get_short_name() != "IoT"  # a person's name, not a role
        pending = Organisation.objects.filter(status="pending").for_staff(user)
        assert pending.count() == 1
        assert Opportunity.objects.filter(status="pending").for_staff(user).count() == 1
        open_enquiries = Enquiry.objects.filter(replied_at__isnull=True)
        assert open_enquiries.for_staff(user).count() == 2
        recent = Registration.objects.filter(created_at__gte=timezone.now() - timedelta(weeks=12))
        weeks = recent.for_staff(user).dates("created_at", "week")
        assert len(weeks) >= 10
