"""The one CSV writer: formula-leading text is defused, and nothing else in the project writes
CSV (each export is also run through the admin in tests/staff/test_admin_actions.py)."""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from iot_network.web.csv_export import cell, csv_response

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("courses", "events", "institutes", "iot_network", "partners")


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://x","Click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
     "\t=1+1", "\r=1+1"],
)  # fmt: skip
def test_text_a_spreadsheet_would_run_as_a_formula_is_made_text(text):
    assert cell(text) == "'" + text


@pytest.mark.parametrize(
    ("value", "written"),
    [("Ann Able", "Ann Able"), ("a=b", "a=b"), (None, ""), (-5, "-5"), (Decimal("-1.50"), "-1.50"),
     (2.5, "2.5"), (True, "True")],
)  # fmt: skip
def test_other_values_are_written_as_they_are(value, written):
    assert cell(value) == written


def test_a_download_defuses_header_and_rows_and_counts_the_rows():
    response, count = csv_response(
        filename="people.csv", header=["Name", "=Label"], rows=[["=1+1", "\r@x"], ["Bo", 3]]
    )
    assert response["Content-Disposition"] == 'attachment; filename="people.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode(), newline="")))
    assert rows == [["Name", "'=Label"], ["'=1+1", "'\r@x"], ["Bo", "3"]]
    assert count == 2


def test_no_module_writes_csv_except_the_one_writer():
    writes_csv = re.compile(r"csv\.(writer|DictWriter)\(|text/csv")
    offenders = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if writes_csv.search(path.read_text()) and path != ROOT / "iot_network/web/csv_export.py"
    ]
    assert offenders == []
