"""Bulk course upload: a 5,000-row file (about 2 MB) checked (the preview) and applied.

Usage:  python benchmarks/course_import.py [--rows 5000] [--small-rows 1000] [--runs-per-course 5]

Uses its own PostgreSQL database (iot_network_bench_course_import; BENCH_DATABASE_URL overrides
it) and Redis databases 11 (broker) and 10 (cache; BENCH_REDIS_URL overrides the server). Each
file size runs in a fresh Python process with Django set up and DEBUG off, calling the same
service functions the Celery jobs call (courses.bulk.services.check_import, then apply_import),
into an IoT with no courses; then the same file is checked and applied again (every row
unchanged). Postcodes are answered by a local stand-in for postcodes.io (three venues, looked up
once each and then cached, as a real IoT's file would be). Peak memory is the process's peak RSS
less its RSS before the file was read, for the large and the small file.

Prints one JSON line. Target (issue 19): the large file previewed and applied in under 60 s on
this machine, and memory flat as files grow: the large file's extra peak memory at most 2x the
small file's, for 5x the rows.
"""

from __future__ import annotations

import argparse
import json
import sys

import _portal

MEASURE = r"""
import csv, io, json, resource, threading, time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.conf import settings
from django.db import connection

from courses.bulk import services
from courses.bulk.columns import COLUMNS
from courses.models import Course, CourseImport
from institutes.models import Institute
from institutes.services import load_reference_data

PLACES = {"DH13LH": (54.7753, -1.5849), "EX44QJ": (50.7367, -3.5347), "M54WT": (53.4850, -2.2730)}
VENUES = [("Durham campus", "DH1 3LH"), ("Exeter campus", "EX4 4QJ"), ("Salford hub", "M5 4WT")]

class Postcodes(BaseHTTPRequestHandler):
    def do_GET(self):
        code = self.path.rsplit("/", 1)[-1].replace("%20", "").upper()
        lat, lng = PLACES[code]
        body = json.dumps({"status": 200, "result": {"latitude": lat, "longitude": lng}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Postcodes)
threading.Thread(target=server.serve_forever, daemon=True).start()
settings.POSTCODES_API_URL = f"http://127.0.0.1:{server.server_address[1]}"

def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

def make_file(rows, runs_per_course):
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    labels = [c.label for c in COLUMNS]
    writer.writerow(labels)
    start = date.today() + timedelta(days=60)
    for i in range(rows):
        n, r = divmod(i, runs_per_course)
        venue, postcode = VENUES[i % 3]
        values = {
            "Course code": f"B{n:05d}", "Course title": f"Benchmark course {n}",
            "Summary": "Learn to design, build and test engineering systems in industry.",
            "Level": str(4 + n % 4), "Qualification type": "htq", "Route": "digital",
            "Delivering provider": "Benchmark College", "Provider UKPRN": "10001234",
            "Status": "published", "HTQ approved": "yes", "Student finance": "yes",
            "Employer sponsored": "no", "QAN": "603/7284/5",
            "Description": f"Course {n}. " + "A longer description of the course. " * 4,
            "Entry requirements": "A level 3 qualification, or relevant experience.",
            "Careers": "Engineering technician\nMaintenance engineer",
            "Run code": f"R{r}",
            "Start date": (start + timedelta(days=30 * r)).strftime("%d/%m/%Y"),
            "Duration (months)": "12", "Study mode": "full-time", "Attendance": "campus",
            "Venue": venue, "Venue postcode": postcode, "Fee (£)": f"{5000 + n % 7 * 250}",
            "Places": "20", "How to apply": "Apply online through the college's website.",
            "Application link": "https://example.ac.uk/apply",
        }
        writer.writerow([values.get(label, "") for label in labels])
    return out.getvalue().encode()

load_reference_data()
iot = Institute.objects.order_by("pk").first()
Course.objects.filter(institute=iot).delete()
CourseImport.objects.filter(institute=iot).delete()

content = make_file(ROWS, RUNS_PER_COURSE)
before = rss_mb()

def run_once():
    upload = CourseImport.objects.create(
        institute=iot, file_name="bench.csv", file_format="csv", content=content,
        in_background=True,
    )
    t0 = time.perf_counter()
    checked = services.check_import(course_import_id=upload.pk)
    t1 = time.perf_counter()
    assert checked.status == "ready", checked.errors[:3]
    applied = services.apply_import(course_import_id=upload.pk, acting_user_id=None)
    t2 = time.perf_counter()
    assert applied.status == "applied"
    return t1 - t0, t2 - t1, applied.counts

preview_s, apply_s, counts = run_once()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
again_preview_s, again_apply_s, again = run_once()
assert again["courses"]["unchanged"] == counts["courses"]["created"], again
assert again["runs"]["unchanged"] == counts["runs"]["created"], again
Course.objects.filter(institute=iot).delete()
CourseImport.objects.filter(institute=iot).delete()
print(json.dumps({
    "rows": ROWS, "file_mb": round(len(content) / 1024 / 1024, 2),
    "preview_s": round(preview_s, 2), "apply_s": round(apply_s, 2),
    "again_preview_s": round(again_preview_s, 2), "again_apply_s": round(again_apply_s, 2),
    "courses": counts["courses"]["created"], "runs": counts["runs"]["created"],
    "rss_before_mb": round(before, 1), "extra_peak_mb": round(peak - before, 1),
}))
"""


def measure(env: dict, rows: int, runs_per_course: int) -> dict:
    script = f"ROWS = {rows}\nRUNS_PER_COURSE = {runs_per_course}\n" + MEASURE
    return json.loads(_portal.django(env, script))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--small-rows", type=int, default=1000)
    parser.add_argument("--runs-per-course", type=int, default=5)
    parser.add_argument("--redis-dbs", type=int, nargs=2, default=(11, 10))
    args = parser.parse_args()

    env = _portal.environment(
        port=0, database="iot_network_bench_course_import", redis_dbs=tuple(args.redis_dbs)
    )
    _portal.prepare(env)
    large = measure(env, args.rows, args.runs_per_course)
    small = measure(env, args.small_rows, args.runs_per_course)
    total = large["preview_s"] + large["apply_s"]
    growth = large["extra_peak_mb"] / max(small["extra_peak_mb"], 1.0)
    result = {
        "benchmark": "course_import",
        "rows": args.rows,
        "file_mb": large["file_mb"],
        "courses": large["courses"],
        "runs": large["runs"],
        "preview_s": large["preview_s"],
        "apply_s": large["apply_s"],
        "rows_per_s": round(args.rows / total, 1),
        "same_file_again_s": round(large["again_preview_s"] + large["again_apply_s"], 2),
        "peak_extra_mb": {str(args.small_rows): small["extra_peak_mb"],
                          str(args.rows): large["extra_peak_mb"]},
        "memory_growth": round(growth, 2),
        "small_rows_per_s": round(
            args.small_rows / (small["preview_s"] + small["apply_s"]), 1
        ),
        "target": f"{args.rows} rows previewed and applied in < 60 s; extra peak memory at "
        f"{args.rows} rows <= 2x that at {args.small_rows}",
        "met": total < 60 and growth <= 2.0,
    }  # fmt: skip
    print(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
