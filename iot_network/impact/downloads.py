"""A report's sections as CSV (one file, sections one after another) and XLSX (one sheet each).
Every text cell goes through ``csv_export.cell``, so neither format runs a typed formula."""

from __future__ import annotations

import io
import re

from django.http import HttpResponse
from openpyxl import Workbook

from iot_network.web.csv_export import cell, csv_response

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _flat_rows(sections: list[dict]):
    for index, section in enumerate(sections):
        if index:
            yield []
        yield [section["title"]]
        if section.get("note"):
            yield [section["note"]]
        yield section["header"]
        yield from section["rows"]


def as_csv(*, filename: str, title: str, data: dict) -> HttpResponse:
    rows = list(_flat_rows(data["sections"]))
    rows += [[], [data["equality_note"]]]
    response, _ = csv_response(filename=filename, header=[title], rows=rows)
    return response


def _sheet_title(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title)[:28].strip() or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base[:25]} {n}", n + 1
    used.add(name.lower())
    return name


def _xlsx_value(value):
    return value if isinstance(value, int | float) and not isinstance(value, bool) else cell(value)


def as_xlsx(*, filename: str, title: str, data: dict) -> HttpResponse:
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    about = workbook.create_sheet(_sheet_title("About", used))
    about.append([cell(title)])
    about.append([cell(data["equality_note"])])
    for section in data["sections"]:
        sheet = workbook.create_sheet(_sheet_title(section["title"], used))
        sheet.append([cell(section["title"])])
        if section.get("note"):
            sheet.append([cell(section["note"])])
        sheet.append([cell(h) for h in section["header"]])
        for row in section["rows"]:
            sheet.append([_xlsx_value(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
