"""Page throughput and latency against a running portal.

Usage:
    python benchmarks/pages.py [--requests 400] [--concurrency 8] [--page-cache-seconds 60]
    python benchmarks/pages.py --base-url http://127.0.0.1:8000     # a server you started

Without --base-url it serves the portal itself the way production does: its own PostgreSQL database
(iot_network_bench_pages) with the demo data, Redis for the cache, DEBUG off, gunicorn with
(2 x cores + 1) workers. --page-cache-seconds 0 measures the pages with the page cache off, as a
signed-in visitor gets them (the shared page parts, FRAGMENT_CACHE_SECONDS, still apply: they
are for everyone). searches.py measures searches nobody has asked before.

Fetches each page a bounded number of times from a pool of threads on loopback and compares it, in
the same run, with a static file served by WhiteNoise. Prints one JSON line:
{"pages": {"/": {"rps": .., "p50_ms": .., "p95_ms": .., "errors": 0}, ...}, "static": {...}, ...}
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import _portal

TARGET_RATIO = 0.25  # issue 17: every page at least a quarter of a static file's throughput

DEFAULT_PATHS = [
    "/",
    "/institutes/",
    "/institutes/?region=london",
    "/courses/",
    "/courses/?level=4&route=digital",
    "/events/",
]


def fetch(url: str, timeout: float) -> tuple[float, bool]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            ok = response.status == 200
    except OSError:
        ok = False
    return time.perf_counter() - started, ok


def measure(url: str, *, requests: int, concurrency: int, timeout: float, deadline: float) -> dict:
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        # Warm-up, several at once so that every web worker (not just the first to answer)
        # has compiled its templates and kept its shared parts before the timing starts.
        list(pool.map(lambda _: fetch(url, timeout), range(4 * concurrency)))
        started = time.perf_counter()
        futures = []
        for _ in range(requests):
            if time.perf_counter() > deadline:
                break
            futures.append(pool.submit(fetch, url, timeout))
        results = [future.result() for future in futures]
    elapsed = time.perf_counter() - started
    latencies = sorted(latency for latency, _ in results)
    return {
        "requests": len(results),
        "rps": round(len(results) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000, 1),
        "errors": sum(1 for _, ok in results if not ok),
    }


def static_url(base_url: str) -> str:
    """The hashed stylesheet URL the home page links to, served by WhiteNoise as in production."""
    html = urllib.request.urlopen(base_url + "/", timeout=10).read().decode()
    match = re.search(r'href="([^"]+\.css)"', html)
    if not match:
        raise SystemExit("could not find the stylesheet link on the home page")
    return base_url + match.group(1)


def first_link(base_url: str, list_path: str, prefix: str) -> str | None:
    """A detail page linked from a list page (a course, an event), so the run needs no ids."""
    html = urllib.request.urlopen(base_url + list_path, timeout=10).read().decode()
    not_details = {"shortlist", "saved-searches", "calendar", "feed"}
    for slug in re.findall(rf'href="{re.escape(prefix)}([a-z0-9-]+)/"', html):
        if slug not in not_details:
            return f"{prefix}{slug}/"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="a running portal (default: start one)")
    parser.add_argument("--port", type=int, default=8402)
    parser.add_argument("--page-cache-seconds", type=int, default=60)
    parser.add_argument("--requests", type=int, default=400, help="requests per page")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    parser.add_argument("--max-seconds", type=float, default=300.0, help="bound on the whole run")
    args = parser.parse_args()
    if args.base_url:
        print(json.dumps(run(args, args.base_url.rstrip("/"))))
        return
    env = _portal.environment(
        port=args.port, database="iot_network_bench_pages", redis_dbs=(7, 6),
        PAGE_CACHE_SECONDS=str(args.page_cache_seconds),
    )  # fmt: skip
    _portal.prepare(env)
    if _portal.django(env, HAS_DEMO) != "yes":
        _portal.manage(env, "load_demo", "--allow-without-debug", "--password", "benchmark-only")
    with _portal.running(env, args.port):
        result = run(args, f"http://127.0.0.1:{args.port}")
    result |= {"web_workers": _portal.web_workers(), "page_cache_seconds": args.page_cache_seconds}
    print(json.dumps(result))


HAS_DEMO = 'from courses.models import Course; print("yes" if Course.objects.exists() else "no")'


def run(args, base: str) -> dict:
    deadline = time.perf_counter() + args.max_seconds
    options = {
        "requests": args.requests,
        "concurrency": args.concurrency,
        "timeout": args.timeout,
        "deadline": deadline,
    }
    static = measure(static_url(base), **options)
    paths = list(DEFAULT_PATHS)
    for list_path, prefix in (("/courses/", "/courses/"), ("/events/", "/events/")):
        if detail := first_link(base, list_path, prefix):
            paths.append(detail)
    pages = {path: measure(base + path, **options) for path in paths}
    slowest = min(page["rps"] for page in pages.values())
    worst_p95 = max(page["p95_ms"] for page in pages.values())
    return {
        "benchmark": "pages",
        "base_url": base,
        "concurrency": args.concurrency,
        "static": static,
        "pages": pages,
        "min_page_rps_over_static_rps": round(slowest / static["rps"], 3),
        "max_page_p95_ms": worst_p95,
        "errors": static["errors"] + sum(page["errors"] for page in pages.values()),
        "target": f"every page >= {TARGET_RATIO}x the static file's requests/s",
        "target_met": slowest >= TARGET_RATIO * static["rps"],
    }


if __name__ == "__main__":
    main()
