from datetime import timedelta

import factory
from django.utils import timezone

from courses.models import Course, CourseRun, Level, QualificationType
from events.models import Event
from institutes.models import Institute, Region, Route
from partners.models import Organisation


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.User"
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password("a-long-test-password")


class RouteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Route
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Route {n}")
    slug = factory.Sequence(lambda n: f"route-{n}")


class InstituteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institute

    name = factory.Sequence(lambda n: f"Test Institute of Technology {n}")
    slug = factory.Sequence(lambda n: f"test-institute-{n}")
    lead_institution = "Example College"
    region = Region.NORTH_EAST
    wave = Institute.Wave.FIRST
    town = "Durham"
    latitude = "54.78900"
    longitude = "-1.60000"


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Engineering course {n}")
    slug = factory.Sequence(lambda n: f"engineering-course-{n}")
    institute = factory.SubFactory(InstituteFactory)
    provider_name = "Example College"
    level = Level.FOUR
    qualification_type = QualificationType.HTQ
    route = factory.SubFactory(RouteFactory)
    summary = "Learn to design and test engineering systems."
    status = Course.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class CourseRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseRun

    course = factory.SubFactory(CourseFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))
    duration_months = 12
    study_mode = CourseRun.StudyMode.FULL_TIME
    attendance = CourseRun.Attendance.CAMPUS
    venue_name = "Main campus"
    latitude = "54.77900"  # Durham
    longitude = "-1.58000"
    fee = "6000.00"


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Open day {n}")
    slug = factory.Sequence(lambda n: f"open-day-{n}")
    event_type = Event.Type.OPEN_DAY
    institute = factory.SubFactory(InstituteFactory)
    summary = "Tour the labs and meet the tutors."
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda event: event.starts_at + timedelta(hours=3))
    venue_name = "Main campus"
    status = Event.Status.PUBLISHED


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Example Engineering {n} Ltd")
    slug = factory.Sequence(lambda n: f"example-engineering-{n}")
    org_type = Organisation.Type.EMPLOYER
    sector = factory.SubFactory(RouteFactory)
    status = Organisation.Status.APPROVED
    listed_in_directory = True

    @factory.post_generation
    def institutes(self, create, extracted, **kwargs):
        if create:
            self.institutes.set(extracted or [InstituteFactory()])


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.Session"

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Breakout {n}")
    kind = "breakout"
    starts_at = factory.LazyAttribute(lambda s: s.event.starts_at)
    ends_at = factory.LazyAttribute(lambda s: s.event.starts_at + timedelta(hours=1))


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.OrganisationMember"

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = "owner"


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.Opportunity"

    organisation = factory.SubFactory(OrganisationFactory)
    institute = factory.LazyAttribute(lambda o: o.organisation.institutes.first())
    kind = "apprenticeship"
    title = factory.Sequence(lambda n: f"Engineering apprentice {n}")
    description = "Paid job with training."
    location = "Durham"
    wage_amount = "21000"
    wage_unit = "year"
    hours_per_week = "37.5"
    closing_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    how_to_apply = "Apply on our website."
    status = "approved"


def with_totp(user, secret: str = "JBSWY3DPEHPK3PXP"):
    """Give ``user`` an authenticator app (TOTP), as staff need before the admin opens."""
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)
    return user


def staff_user(role: str = "national-admin", institutes=(), **fields):
    """A member of staff with TOTP set up and a membership per institute (none: national)."""
    from iot_network.staff.models import StaffMembership

    user = UserFactory(is_staff=True, **fields)
    for institute in institutes or [None]:
        StaffMembership.objects.create(user=user, role=role, institute=institute)
    return with_totp(user)
