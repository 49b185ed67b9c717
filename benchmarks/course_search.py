"""Course search latency as the catalogue grows: representative searches (keywords, filters,
distance) timed on a small and a large generated catalogue in PostgreSQL.

Usage:  python benchmarks/course_search.py [--runs 200000] [--small-runs 2000] [--queries 30]
                                           [--facet-queries 10] [--seed 1] [--explain]
                                           [--server-defaults]

Uses its own database (iot_network_bench_courses; BENCH_DATABASE_URL overrides it), which it creates
and migrates. For each size, small first, it wipes the courses, generates about five runs per
course over the 21 Institutes of Technology, runs VACUUM ANALYZE, then times what the course list
page does for each search: ``results_page(search, 1, 20)``, the first page and the total.
``facet_counts(search)``, also on the page (cached for a few minutes), is timed separately,
uncached: one query for the facets with nothing selected, one more per facet with a selection.
Prints one JSON line; progress goes to stderr. --explain prints EXPLAIN ANALYZE of every timed query
on the large catalogue to stderr. The large catalogue is left in the database for investigation.

The database gets the planner settings the README recommends for the portal's database
(PLANNER_SETTINGS); --server-defaults measures PostgreSQL's defaults instead.

Targets (from the issues): results p95 <= 50 ms at 200,000 runs, and at most 3x the p95 at 2,000
runs; facet counts p95 under 100 ms for every search at 200,000 runs (issue 17).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import secrets
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from _portal import ensure_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/iot_network_bench_courses"
RUNS_PER_COURSE = 5  # on average: 1 to 9 runs each
PAGE_SIZE = 20  # courses.views.PER_PAGE
P95_TARGET_MS = 50.0
GROWTH_TARGET = 3.0
FACET_P95_TARGET_MS = 100.0  # for every search, at the large size
# README, "PostgreSQL settings": what the portal's database should run with.
PLANNER_SETTINGS = {"random_page_cost": "1.1", "max_parallel_workers_per_gather": "0"}

# Subjects: (title, route slug, sector tags, skills, careers). A course takes its title from one
# subject; some summaries borrow a skill from another, so keywords match more than the title does.
SUBJECTS = [
    ("Cyber Security", "digital", ["Cyber security"],
     ["threat analysis", "penetration testing", "incident response", "secure networks"],
     ["Cyber security analyst", "SOC analyst"]),
    ("Software Development", "digital", ["Software"],
     ["object-oriented programming", "testing", "agile delivery", "version control"],
     ["Software developer", "Test engineer"]),
    ("Data Analytics", "digital", ["Data and AI"],
     ["statistics", "SQL", "data visualisation", "Python"], ["Data analyst", "BI developer"]),
    ("Artificial Intelligence and Machine Learning", "digital", ["Data and AI"],
     ["machine learning", "neural networks", "data pipelines", "Python"],
     ["Machine learning engineer", "Data scientist"]),
    ("Network Engineering", "digital", ["Cloud"],
     ["routing and switching", "network security", "wireless networks", "fault finding"],
     ["Network engineer", "Infrastructure technician"]),
    ("Cloud Computing", "digital", ["Cloud"],
     ["cloud platforms", "automation", "containers", "cloud security"],
     ["Cloud engineer", "DevOps engineer"]),
    ("Web Development", "digital", ["Software"],
     ["HTML and CSS", "JavaScript", "accessibility", "web APIs"], ["Web developer"]),
    ("Games Development", "digital", ["Software"],
     ["game engines", "3D graphics", "C++ programming", "level design"], ["Games programmer"]),
    ("IT Support and Service Management", "digital", ["Cloud"],
     ["service desk practice", "operating systems", "hardware", "user support"],
     ["IT support engineer"]),
    ("Digital Technology Solutions", "digital", ["Software", "Data and AI"],
     ["systems analysis", "software engineering", "data management", "cyber security"],
     ["Software engineer", "Data analyst"]),
    ("Mechanical Engineering", "engineering-manufacturing", ["Advanced manufacturing"],
     ["engineering mathematics", "materials", "CAD", "thermodynamics"],
     ["Mechanical engineer", "Engineering technician"]),
    ("Electrical and Electronic Engineering", "engineering-manufacturing", ["Electrical"],
     ["circuit design", "power systems", "control systems", "embedded electronics"],
     ["Electrical engineer", "Electronics technician"]),
    ("Mechatronics", "engineering-manufacturing", ["Robotics"],
     ["sensors and actuators", "PLC programming", "pneumatics", "control systems"],
     ["Mechatronics engineer", "Maintenance engineer"]),
    ("Robotics and Automation", "engineering-manufacturing", ["Robotics"],
     ["industrial robots", "automation", "machine vision", "PLC programming"],
     ["Robotics technician", "Automation engineer"]),
    ("Advanced Manufacturing Engineering", "engineering-manufacturing",
     ["Advanced manufacturing"],
     ["lean manufacturing", "CNC machining", "additive manufacturing", "quality control"],
     ["Manufacturing engineer", "Production lead"]),
    ("Aerospace Engineering", "engineering-manufacturing", ["Advanced manufacturing"],
     ["aerodynamics", "composite materials", "aircraft systems", "stress analysis"],
     ["Aerospace technician"]),
    ("Marine Engineering", "engineering-manufacturing", ["Advanced manufacturing"],
     ["marine propulsion", "ship systems", "welding", "hydraulics"], ["Marine engineer"]),
    ("Nuclear Engineering", "engineering-manufacturing", ["Net Zero"],
     ["radiation protection", "reactor systems", "safety cases", "instrumentation"],
     ["Nuclear technician"]),
    ("Renewable Energy Engineering", "engineering-manufacturing", ["Net Zero"],
     ["wind turbines", "solar PV", "energy storage", "grid connection"],
     ["Renewable energy technician", "Wind turbine engineer"]),
    ("Hydrogen and Low Carbon Energy", "engineering-manufacturing", ["Net Zero"],
     ["hydrogen systems", "carbon capture", "energy efficiency", "process safety"],
     ["Energy engineer"]),
    ("Construction Management", "construction-built-environment", ["Building services"],
     ["project planning", "site safety", "contracts", "building technology"],
     ["Site manager", "Construction manager"]),
    ("Building Services Engineering", "construction-built-environment", ["Building services"],
     ["heating and ventilation", "electrical services", "low-carbon heating", "building controls"],
     ["Building services engineer"]),
    ("Civil Engineering", "construction-built-environment", ["Civil engineering"],
     ["structural analysis", "geotechnics", "surveying", "highways"],
     ["Civil engineer", "Site engineer"]),
    ("Quantity Surveying", "construction-built-environment", ["Civil engineering"],
     ["cost planning", "measurement", "procurement", "contract law"], ["Quantity surveyor"]),
    ("Architectural Technology", "construction-built-environment", ["Building services"],
     ["building information modelling", "CAD", "building regulations", "sustainable design"],
     ["Architectural technologist"]),
    ("Retrofit Coordination", "construction-built-environment", ["Net Zero"],
     ["energy assessment", "insulation", "heat pumps", "retrofit standards"],
     ["Retrofit coordinator"]),
    ("Healthcare Science", "health-science", ["Healthcare"],
     ["physiology", "diagnostics", "patient care", "laboratory practice"],
     ["Healthcare science practitioner"]),
    ("Laboratory Science", "health-science", ["Life sciences"],
     ["analytical chemistry", "microbiology", "quality systems", "laboratory practice"],
     ["Laboratory technician", "Quality control analyst"]),
    ("Applied Biosciences", "health-science", ["Life sciences"],
     ["cell biology", "genetics", "biochemistry", "bioinformatics"], ["Lab scientist"]),
    ("Pharmaceutical Science", "health-science", ["Life sciences"],
     ["drug formulation", "good manufacturing practice", "analytical chemistry", "regulation"],
     ["Pharmaceutical technician"]),
    ("Dental Technology", "health-science", ["Healthcare"],
     ["dental materials", "CAD/CAM", "prosthetics", "oral anatomy"], ["Dental technician"]),
    ("Assistant Practitioner (Health)", "health-science", ["Healthcare"],
     ["clinical skills", "patient care", "anatomy", "safeguarding"], ["Assistant practitioner"]),
    ("Agri-tech and Precision Farming", "agriculture-environmental-animal-care", ["Agri-tech"],
     ["sensors and drones", "crop science", "farm data", "soil management"],
     ["Agri-tech technician"]),
    ("Environmental Sustainability", "agriculture-environmental-animal-care", ["Net Zero"],
     ["environmental monitoring", "carbon accounting", "ecology", "waste management"],
     ["Sustainability officer"]),
    ("Animal Science", "agriculture-environmental-animal-care", ["Agri-tech"],
     ["animal health", "nutrition", "welfare", "breeding"], ["Animal technician"]),
    ("Supply Chain and Logistics", "transport-logistics", ["Logistics"],
     ["supply chain planning", "warehouse automation", "procurement", "transport data"],
     ["Logistics manager", "Supply chain analyst"]),
    ("Electric Vehicle Technology", "transport-logistics", ["Electric vehicles"],
     ["high-voltage safety", "battery systems", "vehicle diagnostics", "charging infrastructure"],
     ["EV technician"]),
    ("Rail Engineering", "transport-logistics", ["Electrical"],
     ["signalling", "track systems", "traction power", "rail safety"], ["Rail engineer"]),
    ("Aircraft Maintenance", "transport-logistics", ["Advanced manufacturing"],
     ["airframes", "avionics", "engine maintenance", "aviation regulation"],
     ["Aircraft maintenance engineer"]),
    ("Digital Design and Media", "creative-design", ["Digital design"],
     ["user experience", "3D design", "motion graphics", "digital production"],
     ["UX designer", "Digital designer"]),
    ("Animation and Visual Effects", "creative-design", ["Digital design"],
     ["3D animation", "compositing", "rigging", "storyboarding"], ["Animator"]),
    ("Project Management for Technical Teams", "business-administration", ["Project management"],
     ["agile methods", "risk management", "stakeholder management", "budgeting"],
     ["Project manager"]),
    ("Business Analysis", "business-administration", ["Data and AI"],
     ["process modelling", "requirements", "data analysis", "change management"],
     ["Business analyst"]),
    ("Quality Management", "business-administration", ["Advanced manufacturing"],
     ["quality systems", "auditing", "continuous improvement", "statistics"],
     ["Quality manager"]),
    ("Accounting Technology", "legal-finance-accounting", [],
     ["financial reporting", "tax", "accounting software", "management accounts"],
     ["Accounting technician"]),
    ("Financial Technology", "legal-finance-accounting", ["Data and AI"],
     ["payments", "blockchain", "financial data", "regulation"], ["Fintech analyst"]),
    ("Digital Marketing", "sales-marketing-procurement", ["Digital design"],
     ["search marketing", "social media", "analytics", "content strategy"],
     ["Digital marketer"]),
    ("Fire Safety Engineering", "protective-services", ["Building services"],
     ["fire dynamics", "fire risk assessment", "building regulations", "evacuation design"],
     ["Fire safety engineer"]),
    ("Food Science and Technology", "catering-hospitality", ["Life sciences"],
     ["food safety", "product development", "food microbiology", "process engineering"],
     ["Food technologist"]),
    ("Teaching in Technical Education", "education-early-years", [],
     ["teaching practice", "assessment", "curriculum design", "digital learning"],
     ["Technical teacher"]),
]  # fmt: skip
TITLE_PREFIXES = ["", "", "", "Applied ", "Advanced ", "Professional ", "Industrial ",
                  "Sustainable ", "Digital "]  # fmt: skip
TITLE_SUFFIXES = ["", "", "", " Technician", " Practitioner", " with Industry Placement",
                  " for Industry", " (Top-up)"]  # fmt: skip
GENERAL_SKILLS = [
    "health and safety", "professional practice", "team projects set by employers",
    "technical report writing", "mathematics for technicians", "problem solving",
    "industry-standard equipment", "sustainability", "digital skills", "communication",
]  # fmt: skip
QUALIFICATIONS = [  # (type, weight, levels)
    ("htq", 18, (4, 5)), ("hnc", 16, (4,)), ("hnd", 12, (5,)), ("foundation-degree", 8, (5,)),
    ("cert-he", 5, (4,)), ("dip-he", 4, (5,)), ("higher-apprenticeship", 12, (4, 5)),
    ("degree-apprenticeship", 8, (6, 7)), ("professional", 9, (4, 5, 6, 7)), ("bootcamp", 8, (4,)),
]  # fmt: skip
APPRENTICESHIPS = {"higher-apprenticeship", "degree-apprenticeship"}
FINANCE = {"htq", "hnc", "hnd", "foundation-degree", "cert-he", "dip-he"}


def configure() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.update(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "localhost",
            "DEBUG": "0",
            "EMAIL_URL": "console:",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iot_network.settings")
    return url


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# Data --------------------------------------------------------------------------------------


def _jitter(rng: random.Random, lat: float, lon: float, miles: float) -> tuple[Decimal, Decimal]:
    """A point uniformly spread over a disc of ``miles`` around (lat, lon)."""
    distance = miles * math.sqrt(rng.random())
    angle = rng.uniform(0, 2 * math.pi)
    dlat = distance * math.cos(angle) / 69.0
    dlon = distance * math.sin(angle) / (69.0 * math.cos(math.radians(lat)))
    return round(Decimal(lat + dlat), 5), round(Decimal(lon + dlon), 5)


def _fee(rng: random.Random, qualification: str, level: int) -> Decimal | None:
    if qualification in APPRENTICESHIPS or qualification == "bootcamp":
        return Decimal(0)
    if rng.random() < 0.08:
        return None  # not yet known
    if qualification == "professional":
        return Decimal(rng.randrange(300, 2500, 50))
    return Decimal(5500 + 250 * level + rng.randrange(0, 3000, 250))


def generate(total_runs: int, rng: random.Random, today: date) -> tuple[int, int]:
    """Replace every course with about ``total_runs / 5`` generated ones and ``total_runs`` runs."""
    from django.db import connection, transaction
    from django.utils import timezone
    from django.utils.text import slugify

    from courses.models import Course, CourseRun, SectorTag
    from institutes.models import Institute, Route

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE courses_course RESTART IDENTITY CASCADE")
    institutes = list(Institute.objects.order_by("pk"))
    routes = {route.slug: route for route in Route.objects.all()}
    tags = {}
    for _, _, names, _, _ in SUBJECTS:
        for name in names:
            if name not in tags:
                tags[name], _ = SectorTag.objects.get_or_create(
                    slug=slugify(name), defaults={"name": name}
                )
    qual_types = [q for q, _, _ in QUALIFICATIONS]
    qual_weights = [w for _, w, _ in QUALIFICATIONS]
    qual_levels = {q: levels for q, _, levels in QUALIFICATIONS}
    # Bigger institutes offer more: weights 1 to 3.
    inst_weights = [1 + (i * 7) % 3 for i in range(len(institutes))]
    now = timezone.now()

    # Runs per course: 1 to 9, 5 on average; the last course takes up the remainder.
    sizes = []
    remaining = total_runs
    while remaining > 0:
        size = min(remaining, rng.randint(1, 2 * RUNS_PER_COURSE - 1))
        sizes.append(size)
        remaining -= size

    courses, course_meta = [], []
    for index in range(len(sizes)):
        institute = rng.choices(institutes, inst_weights)[0]
        title_base, route_slug, tag_names, skills, careers = rng.choice(SUBJECTS)
        qualification = rng.choices(qual_types, qual_weights)[0]
        level = rng.choice(qual_levels[qualification])
        title = f"{rng.choice(TITLE_PREFIXES)}{title_base}{rng.choice(TITLE_SUFFIXES)}"
        picked = rng.sample(skills, 3)
        if rng.random() < 0.2:  # a skill borrowed from another subject
            picked[2] = rng.choice(rng.choice(SUBJECTS)[3])
        summary = f"Learn {picked[0]}, {picked[1]} and {picked[2]} for careers in {title_base}."
        general = rng.sample(GENERAL_SKILLS, 3)
        apprenticeship = qualification in APPRENTICESHIPS
        courses.append(
            Course(
                title=title,
                slug=f"{slugify(title)[:200]}-{index}",
                institute=institute,
                provider_name=institute.lead_institution,
                level=level,
                qualification_type=qualification,
                route=routes[route_slug],
                summary=summary[:300],
                description=(
                    f"{summary} You learn in {institute.town} with {institute.lead_institution} "
                    f"and employer partners of {institute.name}, covering {general[0]} and "
                    f"{general[1]}."
                ),
                what_you_learn="\n".join([*skills, *general]),
                entry_requirements=(
                    "A job with an employer who will support your apprenticeship."
                    if apprenticeship
                    else "A Level 3 qualification or relevant work experience."
                ),
                assessment="Assignments, practical projects and exams.",
                careers="\n".join(careers),
                progression="Top up to a degree or move into a senior technical role.",
                htq_approved=qualification == "htq",
                student_finance=qualification in FINANCE,
                employer_sponsored=apprenticeship or rng.random() < 0.2,
                status=Course.Status.PUBLISHED if rng.random() < 0.95 else Course.Status.DRAFT,
                published_at=now - timedelta(days=rng.randint(1, 700)),
            )
        )
        course_meta.append((institute, tag_names, apprenticeship, qualification, level))

    with transaction.atomic():
        Course.objects.bulk_create(courses, batch_size=2000)
        through = Course.sector_tags.through
        through.objects.bulk_create(
            [
                through(course_id=course.pk, sectortag_id=tags[name].pk)
                for course, (_, tag_names, _, _, _) in zip(courses, course_meta, strict=True)
                for name in tag_names
            ],
            batch_size=5000,
        )

    modes = list(CourseRun.StudyMode.values)
    attendances = [
        CourseRun.Attendance.CAMPUS,
        CourseRun.Attendance.BLENDED,
        CourseRun.Attendance.ONLINE,
    ]
    batch: list[CourseRun] = []
    written = 0
    for course, size, meta in zip(courses, sizes, course_meta, strict=True):
        institute, _, apprenticeship, qualification, level = meta
        lat0, lon0 = float(institute.latitude), float(institute.longitude)
        venues = [_jitter(rng, lat0, lon0, 30.0) for _ in range(rng.randint(1, 3))]
        for _ in range(size):
            if apprenticeship:
                attendance = CourseRun.Attendance.WORKPLACE
            else:
                attendance = rng.choices(attendances, (60, 25, 15))[0]
            online = attendance == CourseRun.Attendance.ONLINE
            lat, lon = (None, None) if online else rng.choice(venues)
            if rng.random() < 0.1:  # finished intakes stay in the table
                start = today - timedelta(days=rng.randint(1, 365))
            else:
                start = today + timedelta(days=rng.randint(0, 730))
            batch.append(
                CourseRun(
                    course_id=course.pk,
                    start_date=start,
                    duration_months=rng.choice((3, 6, 12, 12, 24, 24, 36)),
                    study_mode=rng.choices(modes, (45, 40, 15))[0],
                    attendance=attendance,
                    venue_name="" if online else f"{institute.town} campus",
                    latitude=lat,
                    longitude=lon,
                    fee=_fee(rng, qualification, level),
                    application_deadline=(
                        start - timedelta(days=rng.randint(14, 60)) if rng.random() < 0.7 else None
                    ),
                    places=rng.choice((None, 12, 15, 20, 24, 30)),
                    how_to_apply="Apply through the provider's website.",
                )
            )
            if len(batch) >= 5000:
                CourseRun.objects.bulk_create(batch)
                written += len(batch)
                batch = []
    CourseRun.objects.bulk_create(batch)
    written += len(batch)
    with connection.cursor() as cursor:
        for table in ("courses_course", "courses_courserun", through._meta.db_table):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    return len(courses), written


# Searches ----------------------------------------------------------------------------------


def searches(today: date) -> dict:
    from courses.search import CourseSearch, Sort
    from iot_network.web.geo import Point

    derby = Point(52.95, -1.47)  # a few miles from the East Midlands institute
    salford = Point(53.47, -2.25)
    return {
        "browse_all": CourseSearch(today=today),
        "keywords": CourseSearch(q="cyber security", today=today),
        "keywords_level_mode": CourseSearch(
            q="software", levels=(4, 5), study_modes=("part-time",), today=today
        ),
        "keywords_distance": CourseSearch(
            q="engineering", point=derby, radius_miles=25, sort=Sort.DISTANCE, today=today
        ),
        "filters_distance": CourseSearch(
            levels=(4,), study_modes=("part-time",), point=salford, radius_miles=15, today=today
        ),
        "route_start_window": CourseSearch(
            routes=("digital",),
            start_from=today + timedelta(days=30),
            start_to=today + timedelta(days=180),
            today=today,
        ),
        "apprenticeships_region": CourseSearch(
            apprenticeships_only=True, regions=("north-west",), today=today
        ),
    }


def apply_planner_settings(server_defaults: bool) -> dict:
    """Set (or reset) PLANNER_SETTINGS on the benchmark's database, as an operator would with
    ALTER DATABASE, and reconnect so they apply. Returns what the session then runs with."""
    from django.db import connection

    name = connection.ops.quote_name(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        for setting, value in PLANNER_SETTINGS.items():
            if server_defaults:
                cursor.execute(f"ALTER DATABASE {name} RESET {setting}")
            else:
                cursor.execute(f"ALTER DATABASE {name} SET {setting} = {value}")
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", [list(PLANNER_SETTINGS)]
        )
        return dict(cursor.fetchall())


def list_page(search) -> int:
    """What the list page runs for its results: the first page and the total."""
    from courses.search import results_page

    _, total = results_page(search, 1, PAGE_SIZE)
    return total


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summarise(samples: list[float]) -> dict:
    return {
        "p50_ms": round(percentile(samples, 0.5) * 1000, 2),
        "p95_ms": round(percentile(samples, 0.95) * 1000, 2),
    }


def time_calls(fn, repetitions: int) -> list[float]:
    fn()  # warm-up: plans, caches, buffers
    samples = []
    for _ in range(repetitions):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def explain(name: str, search) -> None:
    from courses.search import filtered_courses, search_courses

    for label, queryset in (
        ("count", filtered_courses(search).order_by()),
        ("page", search_courses(search)[:PAGE_SIZE]),
    ):
        log(f"\n==== {name} / {label}\n{queryset.query}\n")
        if label == "count":
            # What .count() runs: SELECT COUNT(*) over the filtered rows.
            from django.db import connection

            sql, params = queryset.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"EXPLAIN (ANALYZE, BUFFERS) SELECT COUNT(*) FROM ({sql}) AS counted", params
                )
                log("\n".join(row[0] for row in cursor.fetchall()))
        else:
            log(queryset.explain(analyze=True, buffers=True))


def measure(args, label: str, total_runs: int, rng: random.Random, today: date) -> dict:
    from courses.search import facet_counts

    log(f"[{label}] generating {total_runs:,} runs ...")
    started = time.perf_counter()
    courses, runs = generate(total_runs, rng, today)
    load_seconds = time.perf_counter() - started
    log(f"[{label}] {courses:,} courses, {runs:,} runs in {load_seconds:.1f}s; timing ...")

    per_search, facets, all_samples, all_facet_samples = {}, {}, [], []
    for name, search in searches(today).items():
        samples = time_calls(lambda s=search: list_page(s), args.queries)
        all_samples += samples
        per_search[name] = {"results": list_page(search), **summarise(samples)}
        facet_samples = time_calls(lambda s=search: facet_counts(s), args.facet_queries)
        all_facet_samples += facet_samples
        facets[name] = summarise(facet_samples)
        log(f"[{label}] {name}: {per_search[name]}, facets {facets[name]}")
        if args.explain and label == "large":
            explain(name, search)
    return {
        "runs": runs,
        "courses": courses,
        "load_seconds": round(load_seconds, 1),
        "list_page": {**summarise(all_samples), "searches": per_search},
        "facet_counts": {**summarise(all_facet_samples), "searches": facets},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200_000)
    parser.add_argument("--small-runs", type=int, default=2_000)
    parser.add_argument("--queries", type=int, default=30, help="timed repetitions per search")
    parser.add_argument(
        "--facet-queries", type=int, default=10, help="timed repetitions of facet_counts"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE the large size's queries"
    )
    parser.add_argument(
        "--server-defaults",
        action="store_true",
        help="PostgreSQL's default planner settings instead of the README's recommended ones",
    )
    args = parser.parse_args()

    url = configure()
    ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from institutes.services import load_reference_data

    call_command("migrate", verbosity=0)
    load_reference_data()
    planner_settings = apply_planner_settings(args.server_defaults)
    today = timezone.localdate()
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    small = measure(args, "small", args.small_runs, random.Random(args.seed), today)
    large = measure(args, "large", args.runs, random.Random(args.seed), today)
    growth = large["list_page"]["p95_ms"] / small["list_page"]["p95_ms"]
    print(
        json.dumps(
            {
                "benchmark": "course_search",
                "postgresql": connection.pg_version,
                "seed": args.seed,
                "planner_settings": planner_settings,
                "queries_per_search": args.queries,
                "timed": "results_page(search, 1, 20): the first page and the total (capped),"
                " as the list page does; facet_counts(search), also on the page, is timed"
                " separately and uncached under facet_counts",
                "small": small,
                "large": large,
                "growth_p95": round(growth, 2),
                "target": {
                    "p95_ms": P95_TARGET_MS,
                    "growth": GROWTH_TARGET,
                    "facet_p95_ms_every_search": FACET_P95_TARGET_MS,
                },
                "meets_target": large["list_page"]["p95_ms"] <= P95_TARGET_MS
                and growth <= GROWTH_TARGET,
                "facets_meet_target": all(
                    figures["p95_ms"] < FACET_P95_TARGET_MS
                    for figures in large["facet_counts"]["searches"].values()
                ),
                "slowest_facet_search": max(
                    large["facet_counts"]["searches"].items(), key=lambda item: item[1]["p95_ms"]
                )[0],
                "seconds": round(time.perf_counter() - started, 1),
                "cpus": os.cpu_count(),
                "load_average_before": round(load_before, 2),
                "load_average_after": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
