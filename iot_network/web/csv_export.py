"""The one way the portal writes CSV: every cell goes through ``cell``, so a spreadsheet never
runs a value someone typed (a name such as ``=HYPERLINK(...)``) as a formula.

OWASP's CSV injection advice: a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is read as a formula by Excel, LibreOffice or Google Sheets; a leading apostrophe
makes it text again. Numbers are written as they are: a number cannot carry a formula, and a
negative capacity should stay a number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """``value`` as CSV text a spreadsheet shows, and never evaluates."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(
    *, filename: str, header: Sequence, rows: Iterable[Sequence]
) -> tuple[HttpResponse, int]:
    """A CSV download of ``rows`` under ``header``, and how many rows it holds (for the audit)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([cell(value) for value in header])
    count = 0
    for row in rows:
        writer.writerow([cell(value) for value in row])
        count += 1
    return response, count
