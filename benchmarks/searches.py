"""The whole /courses/ page over HTTP for searches nobody has asked before, as the catalogue grows.

Usage:  python benchmarks/searches.py [--runs 2000 200000] [--searches 60] [--seed 1] [--port 8403]

For each catalogue size (number of course runs; course_search.py's generator, about five runs per
course) it serves the portal the way production runs it (benchmarks/_portal.py: gunicorn, DEBUG
off, WhiteNoise, Redis cache) with the cache emptied, so the page cache and the facet cache are
cold, then asks 60 distinct searches one at a time (keywords, level, qualification, study mode,
where you learn, subject area, region, funding, a start window, and a place as lat/lng with a
radius, so there is no postcode lookup) and times each whole page. After each search it fetches the
stylesheet once, so the static file's p50 is measured in the same run, under the same noise.

Catalogues: a size that course_search.py's database (iot_network_bench_courses) already holds is
used as it is (building 200,000 runs takes minutes); any other size gets its own database
(iot_network_bench_searches_<runs>), generated once and reused by later runs. Both get the
README's PostgreSQL planner settings.

Prints one JSON line; progress goes to stderr. Targets (issue 17): p95 at most 40x the static
file's p50 at 200,000 runs, and at most a third of that (13.3x) at 2,000 runs; p95 growth from the
smallest to the largest size at most 3x.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import _portal
import pages

COURSE_SEARCH_DATABASE = "iot_network_bench_courses"
RATIO_TARGET = 40.0  # p95 / static p50 at LARGE_RUNS
LARGE_RUNS = 200_000
SMALL_RATIO_TARGET = RATIO_TARGET / 3  # at 2,000 runs
GROWTH_TARGET = 3.0

KEYWORDS = [
    "cyber security", "software", "data analytics", "machine learning", "network engineer",
    "cloud", "web developer", "games", "mechanical engineering", "electrical", "mechatronics",
    "robotics", "manufacturing", "aerospace", "marine", "nuclear", "renewable energy", "hydrogen",
    "construction", "building services", "civil engineering", "surveying", "retrofit",
    "healthcare science", "laboratory", "biosciences", "pharmaceutical", "dental", "agri-tech",
    "sustainability", "logistics", "electric vehicle", "rail", "aircraft maintenance", "python",
    "PLC programming", "CAD", "heat pumps", "solar PV", "statistics", "HNC engineering",
    "apprenticeship digital", "bootcamp", "project planning", "welding",
]  # fmt: skip
LEVELS = ["4", "5", "6", "7"]
QUALIFICATIONS = ["htq", "hnc", "hnd", "foundation-degree", "higher-apprenticeship",
                  "degree-apprenticeship", "professional", "bootcamp"]  # fmt: skip
STUDY_MODES = ["full-time", "part-time", "flexible"]
ATTENDANCES = ["campus", "online", "blended", "workplace"]
ROUTES = ["digital", "engineering-manufacturing", "construction-built-environment",
          "health-science"]  # fmt: skip
REGIONS = ["north-east", "north-west", "yorkshire-humber", "east-midlands", "west-midlands",
           "east-of-england", "london", "south-east", "south-west"]  # fmt: skip
FUNDING = ["student-finance", "apprenticeship", "employer-sponsored", "no-fee"]
PLACES = [
    (52.95, -1.47), (53.47, -2.25), (51.51, -0.12), (54.78, -1.57), (52.48, -1.90),
    (53.80, -1.55), (51.45, -2.59), (50.72, -3.53), (52.63, 1.30), (51.75, -1.26),
]  # fmt: skip
RADII = ["10", "15", "25", "50"]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def search_queries(count: int, seed: int) -> list[str]:
    """``count`` distinct query strings, each with keywords or a place or both, and some filters."""
    rng = random.Random(seed)
    today = time.strftime("%Y-%m-%d")
    queries: list[str] = []
    while len(queries) < count:
        params: list[tuple[str, str]] = []
        kind = len(queries) % 3  # keywords; a place; both
        if kind != 1:
            params.append(("q", rng.choice(KEYWORDS)))
        if kind != 0:
            lat, lng = rng.choice(PLACES)
            params += [("lat", f"{lat + rng.uniform(-0.2, 0.2):.4f}"),
                       ("lng", f"{lng + rng.uniform(-0.2, 0.2):.4f}"),
                       ("radius", rng.choice(RADII))]  # fmt: skip
        for name, options, chance in (
            ("level", LEVELS, 0.4), ("qualification", QUALIFICATIONS, 0.25),
            ("study_mode", STUDY_MODES, 0.35), ("attendance", ATTENDANCES, 0.2),
            ("route", ROUTES, 0.2), ("region", REGIONS, 0.15), ("funding", FUNDING, 0.15),
        ):  # fmt: skip
            if rng.random() < chance:
                params += [(name, value) for value in rng.sample(options, rng.choice((1, 1, 2)))]
        if rng.random() < 0.1:
            params.append(("start_from", today))
        if rng.random() < 0.2:
            params.append(("sort", rng.choice(["start", "title", "distance", "relevance"])))
        query = urllib.parse.urlencode(params)
        if query not in queries:
            queries.append(query)
    return queries


def fetch(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        response.read()
        if response.status != 200:
            raise SystemExit(f"{url} answered {response.status}")
    return time.perf_counter() - started


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def run_count(database_url: str) -> int | None:
    import psycopg

    try:
        with psycopg.connect(database_url) as conn:
            return conn.execute("SELECT COUNT(*) FROM courses_courserun").fetchone()[0]
    except psycopg.Error:
        return None


BUILD = """
import random, sys
sys.path.insert(0, "benchmarks")
from course_search import apply_planner_settings, generate
from django.utils import timezone
from institutes.services import load_reference_data
load_reference_data()
apply_planner_settings(False)
if {generate}:
    generate({runs}, random.Random({seed}), timezone.localdate())
from courses.models import Course, CourseRun
print(Course.objects.published().count(), CourseRun.objects.count())
"""


def catalogue(runs: int, args) -> tuple[dict, dict]:
    """The environment for a portal over a catalogue of ``runs`` runs, built if need be."""
    redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
    shared = f"postgres://postgres@127.0.0.1:5432/{COURSE_SEARCH_DATABASE}"
    database = (
        COURSE_SEARCH_DATABASE
        if run_count(shared) == runs
        else f"iot_network_bench_searches_{runs}"
    )
    env = _portal.environment(
        port=args.port, database=database, redis_dbs=(15, 5), BENCH_REDIS_URL=redis,
        LOG_LEVEL="WARNING",
    )  # fmt: skip
    _portal.prepare(env)  # migrates, collects static files, empties the cache
    existing = run_count(env["DATABASE_URL"])
    build = existing != runs
    log(f"[{runs:,}] {database}: {'generating' if build else 'reusing'} the catalogue ...")
    started = time.perf_counter()
    courses, total_runs = map(
        int,
        _portal.django(env, BUILD.format(generate=build, runs=runs, seed=args.seed)).split(),
    )
    return env, {
        "database": database,
        "courses": courses,
        "runs": total_runs,
        "generated": build,
        "build_seconds": round(time.perf_counter() - started, 1),
    }


def measure(runs: int, queries: list[str], args) -> dict:
    env, info = catalogue(runs, args)
    base = f"http://127.0.0.1:{args.port}"
    load_before = os.getloadavg()[0]
    with _portal.running(env, args.port):
        stylesheet = pages.static_url(base)  # the hashed stylesheet, via WhiteNoise
        # Every worker loads its templates and connects before timing: a results page with a
        # place and one without, and an empty one, several at once so that each worker gets
        # some (one at a time, the same idle worker tends to take them all). These searches are
        # not among the timed ones, so their cached pages and facets cannot help them.
        workers = _portal.web_workers()
        warm_ups = [
            f"{base}/courses/?{query}&page={i + 1}"
            for i in range(3)
            for query in ("sort=title", "lat=50.1&lng=-5.5&radius=50&sort=title", "q=warm-up")
        ]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for url in warm_ups:
                list(pool.map(fetch, [f"{url}&worker={w}" for w in range(workers)]))
        fetch(stylesheet)
        timings, static = [], []
        for query in queries:
            timings.append(fetch(f"{base}/courses/?{query}"))
            static.append(fetch(stylesheet))
    p50, p95 = percentile(timings, 0.5) * 1000, percentile(timings, 0.95) * 1000
    static_p50 = percentile(static, 0.5) * 1000
    result = {
        **info,
        "searches": len(timings),
        "page_p50_ms": round(p50, 1),
        "page_p95_ms": round(p95, 1),
        "page_max_ms": round(max(timings) * 1000, 1),
        "static_p50_ms": round(static_p50, 2),
        "p95_over_static_p50": round(p95 / static_p50, 1),
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }
    log(f"[{runs:,}] {result}")
    slowest = sorted(zip(timings, queries, strict=True), reverse=True)[:5]
    log(f"[{runs:,}] slowest: " + "; ".join(f"{t * 1000:.0f} ms ?{q}" for t, q in slowest))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, nargs="+", default=[2_000, 200_000])
    parser.add_argument("--searches", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=8403)
    args = parser.parse_args()

    queries = search_queries(args.searches, args.seed)
    started = time.perf_counter()
    sizes = {str(runs): measure(runs, queries, args) for runs in sorted(args.runs)}
    smallest, largest = sizes[str(min(args.runs))], sizes[str(max(args.runs))]
    growth = largest["page_p95_ms"] / smallest["page_p95_ms"] if len(sizes) > 1 else None
    met = {}
    if str(LARGE_RUNS) in sizes:
        met["ratio_at_200000"] = sizes[str(LARGE_RUNS)]["p95_over_static_p50"] <= RATIO_TARGET
    if "2000" in sizes:
        met["ratio_at_2000"] = sizes["2000"]["p95_over_static_p50"] <= SMALL_RATIO_TARGET
    if growth is not None:
        met["growth"] = growth <= GROWTH_TARGET
    print(
        json.dumps(
            {
                "benchmark": "searches",
                "timed": "GET /courses/?<search> over HTTP, one at a time, page and facet caches"
                " cold, each search asked once; a stylesheet fetch after each for static p50",
                "seed": args.seed,
                "sizes": sizes,
                "growth_p95": round(growth, 2) if growth is not None else None,
                "target": {
                    "p95_over_static_p50_at_200000": RATIO_TARGET,
                    "p95_over_static_p50_at_2000": round(SMALL_RATIO_TARGET, 1),
                    "growth_p95": GROWTH_TARGET,
                },
                "meets_target": met,
                "all_met": bool(met) and all(met.values()),
                "seconds": round(time.perf_counter() - started, 1),
                "cpus": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
