"""Clearly fictional but realistic demo data for the quick start and for demonstrations.

Everything is keyed on a slug or an email address, so loading twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from courses.models import Course, CourseRun, Enquiry, Level, QualificationType, SectorTag
from events.models import Event, Registration, Session, Speaker
from institutes.models import Institute, Route
from institutes.services import load_reference_data
from iot_network.staff.models import Role, StaffMembership
from partners.models import Engagement, Interest, Opportunity, Organisation, OrganisationMember
from partners.reference import load_interests

LONDON = ZoneInfo("Europe/London")
Q = QualificationType

# (title, qualification, level, route slug, summary)
COURSE_TEMPLATES = [
    (
        "Cyber Security",
        Q.HTQ,
        4,
        "digital",
        "Protect networks and data: threat analysis, secure systems and incident response.",
    ),
    (
        "Software Development",
        Q.HTQ,
        4,
        "digital",
        "Design, build and test software in teams, the way industry does.",
    ),
    (
        "Data Analytics",
        Q.HNC,
        4,
        "digital",
        "Turn data into decisions with statistics, SQL, visualisation and Python.",
    ),
    (
        "Network Engineering",
        Q.HND,
        5,
        "digital",
        "Plan, build and run the networks businesses depend on.",
    ),
    (
        "Digital Technology Solutions",
        Q.DEGREE_APPRENTICESHIP,
        6,
        "digital",
        "Earn a degree while working as a software or data professional.",
    ),
    (
        "Cloud Infrastructure",
        Q.BOOTCAMP,
        4,
        "digital",
        "A 12-week bootcamp in cloud platforms, automation and security.",
    ),
    (
        "Mechanical Engineering",
        Q.HNC,
        4,
        "engineering-manufacturing",
        "Engineering principles, materials and CAD for mechanical roles.",
    ),
    (
        "Electrical and Electronic Engineering",
        Q.HND,
        5,
        "engineering-manufacturing",
        "Circuits, power systems and control for modern industry.",
    ),
    (
        "Advanced Manufacturing Engineering",
        Q.HTQ,
        5,
        "engineering-manufacturing",
        "Automation, robotics and lean methods in a modern factory.",
    ),
    (
        "Engineering Manufacturing Technician",
        Q.HIGHER_APPRENTICESHIP,
        4,
        "engineering-manufacturing",
        "A paid apprenticeship on the shop floor with day-release study.",
    ),
    (
        "Robotics and Automation",
        Q.FOUNDATION_DEGREE,
        5,
        "engineering-manufacturing",
        "Program and maintain industrial robots and automated lines.",
    ),
    (
        "Renewable Energy Engineering",
        Q.HTQ,
        4,
        "engineering-manufacturing",
        "Wind, solar and storage systems for the Net Zero economy.",
    ),
    (
        "Construction Management",
        Q.HNC,
        4,
        "construction-built-environment",
        "Plan and run building projects safely, on time and on budget.",
    ),
    (
        "Building Services Engineering",
        Q.HTQ,
        4,
        "construction-built-environment",
        "Heating, ventilation, electrical and low-carbon systems in buildings.",
    ),
    (
        "Civil Engineering",
        Q.HND,
        5,
        "construction-built-environment",
        "Design and build the infrastructure that towns and cities need.",
    ),
    (
        "Retrofit Coordination",
        Q.PROFESSIONAL,
        5,
        "construction-built-environment",
        "Plan energy-efficiency upgrades to existing homes.",
    ),
    (
        "Healthcare Science",
        Q.FOUNDATION_DEGREE,
        5,
        "health-science",
        "Laboratory and diagnostic skills for NHS and private settings.",
    ),
    (
        "Laboratory Science",
        Q.HNC,
        4,
        "health-science",
        "Analytical techniques and quality systems for science industries.",
    ),
    (
        "Assistant Practitioner (Health)",
        Q.HIGHER_APPRENTICESHIP,
        5,
        "health-science",
        "Work in a clinical team while you train for a higher role.",
    ),
    (
        "Applied Biosciences",
        Q.CERT_HE,
        4,
        "health-science",
        "Biology and chemistry for the life-science sector.",
    ),
    (
        "Agri-tech and Precision Farming",
        Q.HTQ,
        4,
        "agriculture-environmental-animal-care",
        "Sensors, drones and data in modern farming.",
    ),
    (
        "Environmental Sustainability",
        Q.DIP_HE,
        5,
        "agriculture-environmental-animal-care",
        "Measure and reduce the environmental impact of organisations.",
    ),
    (
        "Supply Chain and Logistics Technology",
        Q.HNC,
        4,
        "transport-logistics",
        "Digital tools for moving goods efficiently and sustainably.",
    ),
    (
        "Automotive Electric Vehicles",
        Q.HTQ,
        4,
        "transport-logistics",
        "Diagnose and repair electric and hybrid vehicles safely.",
    ),
    (
        "Digital Design and Media",
        Q.HND,
        5,
        "creative-design",
        "3D design, user experience and digital production.",
    ),
    (
        "Project Management for Technical Teams",
        Q.PROFESSIONAL,
        4,
        "business-administration",
        "Lead technical projects with recognised methods.",
    ),
]

PARTNERS = [
    ("Northfield Robotics Ltd", "employer", "engineering-manufacturing"),
    ("Brightwater Health Analytics", "employer", "health-science"),
    ("Kestrel Cyber Defence", "employer", "digital"),
    ("Greenacre Renewables", "employer", "engineering-manufacturing"),
    ("Harbourline Logistics", "employer", "transport-logistics"),
    ("Oakmere Construction Group", "employer", "construction-built-environment"),
    ("Pennine Precision Components", "employer", "engineering-manufacturing"),
    ("Lumen Software Studio", "employer", "digital"),
    ("Meadowbank Agri-Tech", "employer", "agriculture-environmental-animal-care"),
    ("Riverside Training Partnership", "training-provider", "digital"),
    ("Solway Bioscience", "employer", "health-science"),
    ("Tidewater Marine Engineering", "employer", "engineering-manufacturing"),
]


@dataclass
class DemoSummary:
    courses: int = 0
    runs: int = 0
    events: int = 0
    partners: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def _next_fourth_of_july(today: date) -> date:
    candidate = date(today.year, 7, 4)
    return candidate if candidate >= today else date(today.year + 1, 7, 4)


SECTOR_TAGS = {
    "digital": ["Cyber security", "Software", "Data and AI", "Cloud"],
    "engineering-manufacturing": ["Advanced manufacturing", "Robotics", "Net Zero", "Electrical"],
    "construction-built-environment": ["Net Zero", "Building services", "Civil engineering"],
    "health-science": ["Life sciences", "Healthcare"],
    "agriculture-environmental-animal-care": ["Agri-tech", "Net Zero"],
    "transport-logistics": ["Electric vehicles", "Logistics"],
    "creative-design": ["Digital design"],
    "business-administration": ["Project management"],
}
CAREERS = {
    "digital": "Cyber security analyst\nSoftware developer\nData analyst\nIT support engineer",
    "engineering-manufacturing": "Engineering technician\nMaintenance engineer\nProduction lead",
    "construction-built-environment": "Site manager\nBuilding services engineer\nQuantity surveyor",
    "health-science": "Laboratory technician\nAssistant practitioner\nQuality control analyst",
}
FINANCE_TYPES = {
    QualificationType.HTQ, QualificationType.HNC, QualificationType.HND,
    QualificationType.FOUNDATION_DEGREE, QualificationType.CERT_HE, QualificationType.DIP_HE,
}  # fmt: skip
COURSES_PER_INSTITUTE = 15


def _fee(qualification: str, level: int, variant: int) -> Decimal:
    if qualification in (Q.HIGHER_APPRENTICESHIP, Q.DEGREE_APPRENTICESHIP, Q.BOOTCAMP):
        return Decimal(0)
    if qualification == Q.PROFESSIONAL:
        return Decimal(450 + 150 * (variant % 6))
    return Decimal(6000 + 250 * level + 500 * (variant % 5))


def _load_courses(institutes, routes, partners, today: date) -> tuple[int, int]:
    tags = {}
    for names in SECTOR_TAGS.values():
        for name in names:
            tags[name], _ = SectorTag.objects.get_or_create(
                slug=slugify(name), defaults={"name": name}
            )
    courses = runs = 0
    for index, institute in enumerate(institutes):
        for offset in range(COURSES_PER_INSTITUTE):
            variant = index * 7 + offset
            title, qualification, level, route_slug, summary = COURSE_TEMPLATES[
                (index * 3 + offset) % len(COURSE_TEMPLATES)
            ]
            apprenticeship = qualification in (Q.HIGHER_APPRENTICESHIP, Q.DEGREE_APPRENTICESHIP)
            course, _ = Course.objects.update_or_create(
                slug=slugify(f"{title} {institute.town} {qualification}"),
                defaults={
                    "title": title,
                    "institute": institute,
                    "provider_name": institute.lead_institution,
                    "level": Level(level),
                    "qualification_type": qualification,
                    "route": routes[route_slug],
                    "summary": summary,
                    "description": (
                        f"{summary}\n\nYou learn in {institute.town} with teaching from "
                        f"{institute.lead_institution} and employer partners of {institute.name}, "
                        "using the equipment and methods of the industry."
                    ),
                    "what_you_learn": (
                        "Core technical principles of the subject\nPractical skills in industry-"
                        "standard workshops and labs\nTeam projects set by employers\n"
                        "Professional practice, health and safety"
                    ),
                    "entry_requirements": (
                        "A job with an employer who will support your apprenticeship, and GCSE "
                        "English and maths at grade 4 or above."
                        if apprenticeship
                        else "A Level 3 qualification such as A levels, a T Level or a BTEC, or "
                        "relevant work experience. Talk to us if you are not sure."
                    ),
                    "assessment": "Assignments, practical projects and an end-point assessment."
                    if apprenticeship
                    else "Coursework, practical assessments and some written exams.",
                    "careers": CAREERS.get(route_slug, ""),
                    "progression": "You can go on to a Level 5 qualification or a degree "
                    "apprenticeship, or top up to a full degree."
                    if level == 4
                    else "You can top up to a bachelor's degree or move into a senior role.",
                    "student_finance": qualification in FINANCE_TYPES,
                    "employer_sponsored": variant % 4 == 0 or apprenticeship,
                    "htq_approved": qualification == Q.HTQ,
                    "status": Course.Status.PUBLISHED,
                    "published_at": timezone.now() - timedelta(days=30),
                },
            )
            course.sector_tags.set(
                [tags[name] for name in SECTOR_TAGS.get(route_slug, [])[variant % 2 :][:2]]
            )
            course.partner_employers.set([partners[variant % len(partners)]] if partners else [])
            course.runs.all().delete()
            for n in range(1 + variant % 3):
                start = date(
                    today.year + (1 if today.month >= 9 else 0) + n // 2, 9 if n % 2 == 0 else 1, 15
                )
                if start <= today:
                    start = date(start.year + 1, start.month, start.day)
                mode = [
                    CourseRun.StudyMode.FULL_TIME,
                    CourseRun.StudyMode.PART_TIME,
                    CourseRun.StudyMode.FLEXIBLE,
                ][(variant + n) % 3]
                attendance = (
                    CourseRun.Attendance.WORKPLACE
                    if apprenticeship
                    else [
                        CourseRun.Attendance.CAMPUS,
                        CourseRun.Attendance.BLENDED,
                        CourseRun.Attendance.ONLINE,
                    ][(variant + n) % 3]
                )
                online = attendance == CourseRun.Attendance.ONLINE
                CourseRun.objects.create(
                    course=course,
                    start_date=start,
                    duration_months=12 if level == 4 else 24,
                    study_mode=mode,
                    attendance=attendance,
                    venue_name=""
                    if online
                    else f"{institute.lead_institution}, {institute.town} campus",
                    latitude=None
                    if online
                    else institute.latitude + Decimal((variant % 9 - 4) * 0.01),
                    longitude=None
                    if online
                    else institute.longitude + Decimal((variant % 7 - 3) * 0.01),
                    fee=_fee(qualification, level, variant),
                    application_deadline=start - timedelta(days=45),
                    places=15 + (variant % 4) * 5,
                    how_to_apply="Apply through the provider's website, or ask us about the course "
                    "first. You will be invited to an informal interview.",
                )
                runs += 1
            courses += 1
    return courses, runs


def _load_events(institutes: list[Institute], today: date) -> int:
    conference_day = _next_fourth_of_july(today)
    events = [
        {
            "slug": f"iot-national-conference-{conference_day.year}",
            "title": f"Institutes of Technology National Conference {conference_day.year}",
            "event_type": Event.Type.CONFERENCE,
            "institute": None,
            "audience": Event.Audience.EVERYONE,
            "summary": "Industry partners, principals, vice-chancellors and the Department for "
            "Education on higher technical skills, diversity in STEM and Net Zero.",
            "description": "A day for the whole network: an opening address, a morning plenary "
            "panel with a minister and three employer speakers, and breakout sessions on "
            "diversity in the STEM workforce and Net Zero skills and economic growth.",
            "starts_at": _at(conference_day, 9, 30),
            "ends_at": _at(conference_day, 16, 30),
            "venue_name": "Midlands Conference Centre (demo venue)",
            "venue_address": "1 Example Way\nBirmingham",
            "venue_postcode": "B1 1AA",
            "capacity": 140,
            "registration_opens_at": _at(today, 9),
            "accessibility_info": "Step-free access throughout, a hearing loop in the main hall, "
            "live captions for plenary sessions and a quiet room. Tell us about any other needs "
            "when you register.",
            "status": Event.Status.PUBLISHED,
        },
        {
            "slug": "what-is-an-htq-webinar",
            "title": "What is a Higher Technical Qualification? (webinar)",
            "event_type": Event.Type.WEBINAR,
            "institute": None,
            "audience": Event.Audience.LEARNERS,
            "summary": "A 45-minute introduction to HTQs, funding and how to apply, with time "
            "for questions.",
            "starts_at": _at(today + timedelta(days=10), 18, 0),
            "ends_at": _at(today + timedelta(days=10), 18, 45),
            "is_online": True,
            "capacity": 500,
            "status": Event.Status.PUBLISHED,
        },
    ]
    for index, institute in enumerate(institutes):
        day = today + timedelta(days=14 + index * 5)
        events.append(
            {
                "slug": slugify(f"open-day {institute.name} {day:%Y-%m}"),
                "title": f"Open day at {institute.name}",
                "event_type": Event.Type.OPEN_DAY,
                "institute": institute,
                "audience": Event.Audience.LEARNERS,
                "summary": "Tour the workshops and labs, meet tutors and employers, and ask "
                "about funding.",
                "starts_at": _at(day, 10),
                "ends_at": _at(day, 14),
                "venue_name": f"{institute.lead_institution}, main campus",
                "venue_address": institute.town,
                "capacity": 80,
                "status": Event.Status.PUBLISHED,
            }
        )
        if index % 4 == 0:
            breakfast = today + timedelta(days=21 + index * 3)
            events.append(
                {
                    "slug": slugify(f"employer-breakfast {institute.name} {breakfast:%Y-%m}"),
                    "title": f"Employer breakfast: skills for Net Zero ({institute.town})",
                    "event_type": Event.Type.EMPLOYER_BREAKFAST,
                    "institute": institute,
                    "audience": Event.Audience.EMPLOYERS,
                    "summary": "Hear what local employers need and how apprenticeships and HTQs "
                    "can help.",
                    "starts_at": _at(breakfast, 8),
                    "ends_at": _at(breakfast, 9, 30),
                    "venue_name": f"{institute.lead_institution}, business centre",
                    "venue_address": institute.town,
                    "capacity": 40,
                    "status": Event.Status.CANCELLED if index == 4 else Event.Status.PUBLISHED,
                    "cancellation_reason": "The venue is closed for repairs; a new date will "
                    "follow."
                    if index == 4
                    else "",
                }
            )
    past_day = today - timedelta(days=30)
    events.append(
        {
            "slug": f"stem-ambassadors-taster-{past_day:%Y-%m}",
            "title": "STEM Ambassadors taster afternoon",
            "event_type": Event.Type.TASTER,
            "institute": institutes[0],
            "audience": Event.Audience.LEARNERS,
            "summary": "Try robotics, coding and lab work with STEM Ambassadors.",
            "starts_at": _at(past_day, 13),
            "ends_at": _at(past_day, 16),
            "venue_name": f"{institutes[0].lead_institution}",
            "venue_address": institutes[0].town,
            "capacity": 60,
            "status": Event.Status.PUBLISHED,
        }
    )
    for data in events:
        slug = data.pop("slug")
        Event.objects.update_or_create(slug=slug, defaults=data)
    _load_conference_agenda(
        Event.objects.get(slug=f"iot-national-conference-{conference_day.year}")
    )
    return len(events)


def _load_conference_agenda(conference: Event) -> None:
    """The inaugural conference's shape: host, opening address, a morning plenary panel with a
    minister and three employers, then breakouts on diversity in STEM and Net Zero skills."""
    day = timezone.localtime(conference.starts_at).date()
    people = {
        key: Speaker.objects.get_or_create(name=name, defaults={"role": role, "organisation": org})[
            0
        ]
        for key, name, role, org in [
            ("host", "Dr Amira Hassan", "Chair", "Institutes of Technology Network"),
            ("minister", "Minister for Skills", "Opening address", "Department for Education"),
            ("robotics", "Priya Nair", "Head of Engineering", "Northfield Robotics Ltd"),
            ("health", "Tom Okafor", "Chief Data Officer", "Brightwater Health Analytics"),
            ("energy", "Sarah Whitfield", "Skills Director", "Greenacre Renewables"),
            ("ambassador", "Jade Morgan", "STEM Ambassador", "Kestrel Cyber Defence"),
        ]
    }  # fictional people and firms, apart from the role of the minister
    agenda = [
        ("Welcome from our host", Session.Kind.PLENARY, (10, 0), (10, 15), "Main hall", None,
         ["host"]),
        ("Opening address", Session.Kind.PLENARY, (10, 15), (10, 35), "Main hall", None,
         ["minister"]),
        (
            "Plenary panel: higher technical skills for growth",
            Session.Kind.PANEL, (10, 40), (11, 40), "Main hall", None,
            ["minister", "robotics", "health", "energy"],
        ),
        (
            "Breakout: diversity in the STEM workforce",
            Session.Kind.BREAKOUT, (12, 0), (13, 0), "Room 1", 70, ["ambassador", "health"],
        ),
        (
            "Breakout: Net Zero skills and economic growth",
            Session.Kind.BREAKOUT, (12, 0), (13, 0), "Room 2", 70, ["energy", "robotics"],
        ),
        ("Networking lunch", Session.Kind.PLENARY, (13, 0), (14, 0), "Atrium", None, []),
    ]  # fmt: skip
    for title, kind, start, end, room, capacity, speakers in agenda:
        session, _ = Session.objects.update_or_create(
            event=conference,
            title=title,
            defaults={
                "kind": kind,
                "starts_at": _at(day, *start),
                "ends_at": _at(day, *end),
                "room": room,
                "capacity": capacity,
            },
        )
        session.speakers.set([people[key] for key in speakers])


def _load_partners(institutes: list[Institute], routes: dict[str, Route], today: date) -> int:
    interests = list(Interest.objects.order_by("order"))
    for index, (name, org_type, sector) in enumerate(PARTNERS):
        organisation, _ = Organisation.objects.update_or_create(
            slug=slugify(name),
            defaults={
                "name": name,
                "org_type": org_type,
                "sector": routes[sector],
                "summary": f"{name} is a fictional {routes[sector].name.lower()} organisation "
                "used to demonstrate the portal.",
                "status": Organisation.Status.PENDING
                if index >= 10
                else Organisation.Status.APPROVED,
                "listed_in_directory": index < 10,
            },
        )
        organisation.institutes.set(
            [institutes[index % len(institutes)], institutes[(index * 7 + 3) % len(institutes)]]
        )
        organisation.interests.set(interests[index % 3 : index % 3 + 3])
        if organisation.is_approved:
            Organisation.objects.filter(pk=organisation.pk).update(
                companies_house_number=f"{9000000 + index:08d}",
                review_date=today + timedelta(days=20 + 30 * index),
            )
    return len(PARTNERS)


VACANCIES = [
    ("Higher apprentice: cyber security analyst", "digital", Decimal("21500"), "year"),
    ("Engineering technician degree apprenticeship", "engineering-manufacturing",
     Decimal("23000"), "year"),
    ("Laboratory technician apprentice (Level 5)", "health-science", Decimal("11.75"), "hour"),
    ("Building services engineering apprentice", "construction-built-environment",
     Decimal("20000"), "year"),
]  # fmt: skip


def _load_partner_activity(today: date) -> int:
    """Live vacancies and an engagement record for the approved demo partners."""
    approved = list(Organisation.objects.approved().order_by("name").prefetch_related("institutes"))
    for index, organisation in enumerate(approved):
        institute = organisation.institutes.order_by("name").first()
        title, _route, wage, unit = VACANCIES[index % len(VACANCIES)]
        Opportunity.objects.update_or_create(
            organisation=organisation,
            title=title,
            defaults={
                "institute": institute,
                "kind": Opportunity.Kind.APPRENTICESHIP,
                "description": f"Join {organisation.name} as a paid apprentice, studying part "
                f"of the week with {institute.name}. (A demonstration vacancy.)",
                "location": institute.town,
                "wage_amount": wage,
                "wage_unit": unit,
                "hours_per_week": Decimal("37.5"),
                "closing_date": today + timedelta(days=21 + 7 * index),
                "how_to_apply": "Send your CV and a short covering letter through the "
                "employer's website.",
                "status": Opportunity.Status.APPROVED,
            },
        )
        Engagement.objects.update_or_create(
            organisation=organisation,
            kind=Engagement.Kind.PLACEMENTS,
            defaults={
                "institute": institute,
                "occurred_on": today - timedelta(days=30 + index),
                "quantity": 1 + index % 4,
                "notes": "Summer placements for second-year learners.",
            },
        )
    return len(approved)


DEMO_ENQUIRIES = [
    ("Jordan Hughes", "Can I study this part time while I keep my job? I work shifts."),
    ("Mia Thompson", "I have a BTEC in engineering but no A levels. Would I be accepted?"),
]


def _load_staff_workload(
    institutes: list[Institute], routes: dict[str, Route], partner: Organisation, now
) -> int:
    """Something waiting on each demo staff member's dashboard: a partner application, a
    vacancy to approve, unanswered enquiries and twelve weeks of event registrations."""
    interests = list(Interest.objects.order_by("order")[:2])
    for institute in institutes:
        applicant, _ = Organisation.objects.update_or_create(
            slug=slugify(f"{institute.town} Precision Engineering Ltd"),
            defaults={
                "name": f"{institute.town} Precision Engineering Ltd",
                "org_type": Organisation.Type.EMPLOYER,
                "sector": routes["engineering-manufacturing"],
                "size": Organisation.Size.SMALL,
                "summary": "A fictional precision engineering firm asking to become a partner.",
                "status": Organisation.Status.PENDING,
                "listed_in_directory": True,
            },
        )
        applicant.institutes.set([institute])
        applicant.interests.set(interests)
        partner.institutes.add(institute)
        Opportunity.objects.update_or_create(
            organisation=partner,
            title=f"Summer work placement in {institute.town}",
            defaults={
                "institute": institute,
                "kind": Opportunity.Kind.PLACEMENT,
                "description": "Six weeks with our engineering team. (A demonstration placement.)",
                "location": institute.town,
                "closing_date": now.date() + timedelta(days=45),
                "how_to_apply": "Ask your course tutor to put you forward.",
                "status": Opportunity.Status.PENDING,
            },
        )
        course = Course.objects.filter(institute=institute).order_by("title").first()
        for name, message in DEMO_ENQUIRIES:
            Enquiry.objects.get_or_create(
                course=course,
                email=f"{slugify(name)}@example.com",
                defaults={"name": name, "message": message, "consent_to_contact": True},
            )
        event = Event.objects.filter(institute=institute).order_by("starts_at").first()
        for week in range(12):
            for k in range(1 + (week * 5) % 4):
                registration, created = Registration.objects.get_or_create(
                    event=event,
                    email=f"visitor-{week}-{k}@example.com",
                    defaults={"name": f"Visitor {week}-{k}", "status": "confirmed"},
                )
                if created:  # spread over the weeks, as real sign-ups would be
                    when = now - timedelta(weeks=11 - week, days=k)
                    Registration.objects.filter(pk=registration.pk).update(created_at=when)
    return len(institutes)  # one applicant organisation each


def _ensure_user(email: str, password: str, **fields):
    User = get_user_model()
    user, _ = User.objects.update_or_create(email=email, defaults=fields)
    user.set_password(password)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


@transaction.atomic
def load_demo(*, password: str, totp_secret: str = "", today: date | None = None) -> DemoSummary:
    today = today or timezone.localdate()
    load_reference_data()
    load_interests()
    institutes = list(Institute.objects.order_by("name"))
    routes = {route.slug: route for route in Route.objects.all()}
    summary = DemoSummary(
        events=_load_events(institutes, today),
        partners=_load_partners(institutes, routes, today),
    )
    partners = list(Organisation.objects.approved().order_by("name"))
    summary.courses, summary.runs = _load_courses(institutes, routes, partners, today)
    summary.partners += _load_staff_workload(institutes[:2], routes, partners[0], timezone.now())
    accounts = [
        ("admin@demo.iot-network.example", "Asha Patel", "National network admin",
         Role.NATIONAL_ADMIN, None),
        ("staff.blackcountry@demo.iot-network.example", "Tom Evans",
         f"IoT staff ({institutes[0].name})", Role.IOT_STAFF, institutes[0]),
        ("staff.cheshire@demo.iot-network.example", "Grace Liu",
         f"IoT staff ({institutes[1].name})", Role.IOT_STAFF, institutes[1]),
        ("viewer@demo.iot-network.example", "Sam Reid", "Read-only viewer (all IoTs)",
         Role.VIEWER, None),
    ]  # fmt: skip
    for email, person, full_name, role, institute in accounts:
        user = _ensure_user(
            email,
            password,
            full_name=person,
            is_staff=True,
            is_superuser=role == Role.NATIONAL_ADMIN,
        )
        StaffMembership.objects.get_or_create(user=user, role=role, institute=institute)
        if (
            totp_secret
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            TOTP.activate(user, totp_secret)
        summary.logins.append((full_name, email))
    _ensure_user("learner@demo.iot-network.example", password, full_name="Demo learner")
    summary.logins.append(("Demo learner", "learner@demo.iot-network.example"))
    _load_partner_activity(today)
    partner_email = "employer@demo.iot-network.example"
    _ensure_user(partner_email, password, full_name="Demo employer")
    OrganisationMember.objects.get_or_create(
        organisation=partners[0],
        user=get_user_model().objects.get(email=partner_email),
        defaults={"role": OrganisationMember.Role.OWNER, "job_title": "Early careers lead"},
    )
    summary.logins.append((f"Partner owner ({partners[0].name})", partner_email))
    return summary
