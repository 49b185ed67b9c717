"""Demo courses and their start dates, from data/courses.toml."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify

from courses.choices import APPRENTICESHIP_TYPES
from courses.models import Course, CourseRun, Level, QualificationType, SectorTag
from institutes.models import Institute, Route
from partners.models import Organisation

from .content import read

Q = QualificationType
COURSES_PER_INSTITUTE = 15


def _fee(qualification: str, level: int, variant: int) -> Decimal:
    if qualification in (Q.HIGHER_APPRENTICESHIP, Q.DEGREE_APPRENTICESHIP, Q.BOOTCAMP):
        return Decimal(0)
    if qualification == Q.PROFESSIONAL:
        return Decimal(450 + 150 * (variant % 6))
    return Decimal(6000 + 250 * level + 500 * (variant % 5))


def load_courses(
    institutes: list[Institute],
    routes: dict[str, Route],
    partners: list[Organisation],
    today: date,
) -> tuple[int, int]:
    """The courses each institute offers and their start dates; returns how many of each."""
    data = read("courses.toml")
    text, sector_tags = data["text"], data["sector_tags"]
    student_finance = {QualificationType(value) for value in data["student_finance"]}
    tags = {}
    for names in sector_tags.values():
        for name in names:
            tags[name], _ = SectorTag.objects.get_or_create(
                slug=slugify(name), defaults={"name": name}
            )
    courses = runs = 0
    for index, institute in enumerate(institutes):
        for offset in range(COURSES_PER_INSTITUTE):
            variant = index * 7 + offset
            spec = data["course"][(index * 3 + offset) % len(data["course"])]
            title, level, route_slug = spec["title"], spec["level"], spec["route"]
            qualification = QualificationType(spec["qualification"])
            apprenticeship = qualification in APPRENTICESHIP_TYPES
            kind = text["apprenticeship" if apprenticeship else "classroom"]
            course, _ = Course.objects.update_or_create(
                slug=slugify(f"{title} {institute.town} {qualification}"),
                defaults={
                    "title": title,
                    "institute": institute,
                    "provider_name": institute.lead_institution,
                    "level": Level(level),
                    "qualification_type": qualification,
                    "route": routes[route_slug],
                    "summary": spec["summary"],
                    "description": text["description"].format(
                        summary=spec["summary"], institute=institute
                    ),
                    "what_you_learn": "\n".join(text["what_you_learn"]),
                    "entry_requirements": kind["entry_requirements"],
                    "assessment": kind["assessment"],
                    "careers": "\n".join(data["careers"].get(route_slug, [])),
                    "progression": text["progression_from_level_4"]
                    if level == 4
                    else text["progression_from_level_5_up"],
                    "student_finance": qualification in student_finance,
                    "employer_sponsored": variant % 4 == 0 or apprenticeship,
                    "htq_approved": qualification == Q.HTQ,
                    "status": Course.Status.PUBLISHED,
                    "published_at": timezone.now() - timedelta(days=30),
                },
            )
            course.sector_tags.set(
                [tags[name] for name in sector_tags.get(route_slug, [])[variant % 2 :][:2]]
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
                    venue_name="" if online else text["venue"].format(institute=institute),
                    latitude=None
                    if online
                    else institute.latitude + Decimal((variant % 9 - 4) * 0.01),
                    longitude=None
                    if online
                    else institute.longitude + Decimal((variant % 7 - 3) * 0.01),
                    fee=_fee(qualification, level, variant),
                    application_deadline=start - timedelta(days=45),
                    places=15 + (variant % 4) * 5,
                    how_to_apply=text["how_to_apply"],
                )
                runs += 1
            courses += 1
    return courses, runs
