"""The open data API's course list beside the /courses/ page, for the same searches, in one run.

Usage:  python benchmarks/api.py [--runs 200000] [--searches 60] [--seed 1] [--port 8404]
                                 [--database NAME] [--redis-dbs 15 5]

Builds (or reuses) searches.py's catalogue of ``--runs`` course runs (course_search.py's
generator, about five runs per course), serves the portal the way production runs it
(benchmarks/_portal.py: gunicorn, DEBUG off, Redis cache, rate limits on) with the cache emptied,
then for each of searches.py's filtered searches (keywords, a place with a radius, level,
qualification, study mode, where you learn, subject, region, funding, start date, sort) times
GET /courses/?<search> and GET /api/v1/courses?<search>, one at a time, alternating which goes
first. Each search is asked once, so neither answer comes from the page cache.

Prints one JSON line; progress goes to stderr. Target (issue 19): the API no slower than the
page, p95 against p95.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import _portal
import searches

API_RATE_LIMIT = 120  # iot_network/api/middleware.py: requests a minute per address


def catalogue(args) -> tuple[dict, dict]:
    """searches.py's catalogue of ``args.runs`` runs (built once, then reused), served with this
    benchmark's Redis databases."""
    shared = f"postgres://postgres@127.0.0.1:5432/{searches.COURSE_SEARCH_DATABASE}"
    database = args.database or (
        searches.COURSE_SEARCH_DATABASE
        if searches.run_count(shared) == args.runs
        else f"iot_network_bench_searches_{args.runs}"
    )
    env = _portal.environment(
        port=args.port, database=database, redis_dbs=tuple(args.redis_dbs), LOG_LEVEL="WARNING"
    )
    _portal.prepare(env)  # migrates, collects static files, empties the cache
    build = searches.run_count(env["DATABASE_URL"]) != args.runs
    searches.log(f"[{args.runs:,}] {database}: {'generating' if build else 'reusing'} ...")
    script = searches.BUILD.format(generate=build, runs=args.runs, seed=args.seed)
    courses, runs = map(int, _portal.django(env, script).split())
    return env, {"database": database, "courses": courses, "runs": runs, "generated": build}


def measure(args) -> dict:
    env, info = catalogue(args)
    base = f"http://127.0.0.1:{args.port}"
    queries = searches.search_queries(args.searches, args.seed)
    load_before = os.getloadavg()[0]
    page, api = [], []
    with _portal.running(env, args.port):
        # Every worker loads its templates and connects first; these searches are not timed.
        for i in range(_portal.web_workers()):
            searches.fetch(f"{base}/courses/?q=warm-up-{i}")
            searches.fetch(f"{base}/api/v1/courses?q=warm-up-{i}")
        for i, query in enumerate(queries):
            pair = [("page", f"{base}/courses/?{query}"), ("api", f"{base}/api/v1/courses?{query}")]
            for kind, url in pair if i % 2 == 0 else reversed(pair):
                (page if kind == "page" else api).append(searches.fetch(url))
    page_p95 = searches.percentile(page, 0.95) * 1000
    api_p95 = searches.percentile(api, 0.95) * 1000
    return {
        **info,
        "searches": len(queries),
        "page_p50_ms": round(searches.percentile(page, 0.5) * 1000, 1),
        "page_p95_ms": round(page_p95, 1),
        "api_p50_ms": round(searches.percentile(api, 0.5) * 1000, 1),
        "api_p95_ms": round(api_p95, 1),
        "api_p95_over_page_p95": round(api_p95 / page_p95, 2),
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200_000)
    parser.add_argument("--searches", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=8404)
    parser.add_argument("--database", help="database for the catalogue (built if need be)")
    parser.add_argument(
        "--redis-dbs", type=int, nargs=2, default=(15, 5), metavar=("BROKER", "CACHE")
    )
    args = parser.parse_args()
    if args.searches + _portal.web_workers() >= API_RATE_LIMIT:
        raise SystemExit(f"at most {API_RATE_LIMIT - _portal.web_workers() - 1} searches: the "
                         "API's rate limit (on, as in production) would answer 429")  # fmt: skip
    started = time.perf_counter()
    result = measure(args)
    searches.log(f"[{args.runs:,}] {result}")
    print(
        json.dumps(
            {
                "benchmark": "api",
                "timed": "GET /courses/?<search> and GET /api/v1/courses?<search> over HTTP, "
                "one at a time, each search asked once (page, facet and API caches cold)",
                "seed": args.seed,
                **result,
                "target": "API no slower than the page (p95)",
                "meets_target": result["api_p95_ms"] <= result["page_p95_ms"],
                "seconds": round(time.perf_counter() - started, 1),
                "cpus": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
