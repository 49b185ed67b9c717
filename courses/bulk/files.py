"""Reading an uploaded file into rows, and writing the template and the IoT's download.

Uploads are people's spreadsheets, so every way a file can be wrong ends in a FileProblem with a
message they can act on: Excel's CP1252 or UTF-8 with a byte-order mark (both read), semicolon or
tab delimiters (read), no header row, too big, a zip bomb dressed as XLSX (its declared unpacked
size is checked before anything is unpacked, and openpyxl reads in read-only mode, row by row),
and formulas (a formula cell is an error in that row: the value, not the formula, must be typed).

A file is read from a seekable binary stream, never as one string: the stored upload is read
from the database a chunk at a time (StoredFile), so checking and applying a big file keeps only
a chunk of it in memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from django.db import connection
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.exceptions import InvalidFileException

from iot_network.web.csv_export import FORMULA_STARTS

from .columns import BY_LABEL, COLUMNS, Column

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 20_000
CHUNK = 256 * 1024  # bytes read at a time
XLSX_MAGIC = b"PK\x03\x04"
FORMULA = object()  # a cell that holds a formula, reported as an error in its row


class FileProblem(ValueError):
    """The file as a whole cannot be read; the message says what to do."""


@dataclass(frozen=True)
class Sheet:
    columns: list[Column | None]  # by position; None for an empty header cell
    rows: Iterator[tuple[int, list]]  # (row number in the file, cells), header is row 1
    estimated_rows: int


def detect_format(content: bytes) -> str:
    return "xlsx" if content.startswith(XLSX_MAGIC) else "csv"


def describe_size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def open_sheet(file: BinaryIO | bytes) -> Sheet:
    """The rows of an upload, read as they are asked for. ``file`` is a seekable binary stream
    (or, for small files and tests, the bytes themselves)."""
    if isinstance(file, bytes | bytearray | memoryview):
        file = io.BytesIO(file)
    size = file.seek(0, io.SEEK_END)
    file.seek(0)
    head = file.read(CHUNK)
    file.seek(0)
    if size <= CHUNK and not head.strip():
        raise FileProblem("The file is empty. Download the template and fill it in.")
    if size > MAX_UPLOAD_BYTES:
        raise FileProblem(
            f"The file is {describe_size(size)}; the largest we accept is "
            f"{describe_size(MAX_UPLOAD_BYTES)}. Split it into smaller files."
        )
    if detect_format(head) == "xlsx":
        return _open_xlsx(file)
    return _open_csv(file, head)


def _header(cells: list) -> list[Column | None]:
    columns: list[Column | None] = []
    unknown = []
    for value in cells:
        text = " ".join(str(value or "").replace("*", "").split())
        if not text:
            columns.append(None)
            continue
        column = BY_LABEL.get(text.casefold())
        if column is None:
            unknown.append(text)
        columns.append(column)
    present = {c.key for c in columns if c}
    missing = [c.label for c in COLUMNS if c.required and c.key not in present]
    if len(present) < 3:
        raise FileProblem(
            "The first row must be the header row from the template (Course code, Course "
            "title, Summary, ...). Download the template and copy your rows into it."
        )
    if missing:
        raise FileProblem(f"The header row has no column for: {', '.join(missing)}.")
    if unknown:
        raise FileProblem(
            f"The header row has columns we do not know: {', '.join(unknown[:5])}. Use the "
            "template's column names."
        )
    seen = set()
    for column in columns:
        if column and column.key in seen:
            raise FileProblem(f"The header row has the column {column.label} twice.")
        if column:
            seen.add(column.key)
    return columns


def _encoding(file: BinaryIO) -> tuple[str, int]:
    """UTF-8 (with or without a byte-order mark), else Excel's Windows encoding, and the number
    of lines. Checked a chunk at a time, so a big file is never held whole."""
    lines = None
    for encoding in ("utf-8", "cp1252"):
        file.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        count = 0
        try:
            while chunk := file.read(CHUNK):
                decoder.decode(chunk)
                count += chunk.count(b"\n")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        lines = count
        break
    file.seek(0)
    if lines is None:
        raise FileProblem(
            'We could not read the file\'s characters. Save it as "CSV UTF-8" (or as an Excel '
            "workbook) and upload it again."
        )
    if encoding == "utf-8" and file.read(3) == b"\xef\xbb\xbf":
        encoding = "utf-8-sig"
    file.seek(0)
    return encoding, lines


def _open_csv(file: BinaryIO, head: bytes) -> Sheet:
    if b"\x00" in head[:4096]:
        raise FileProblem(
            "This does not look like a CSV file or an Excel workbook. Upload the template, "
            "filled in, as .csv or .xlsx."
        )
    encoding, lines = _encoding(file)
    first_line = head.split(b"\n", 1)[0].decode(encoding, errors="replace")
    delimiter = max([",", ";", "\t"], key=first_line.count)
    # Decoded as it is read, line by line, rather than all at once.
    stream = io.TextIOWrapper(file, encoding=encoding, newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error, UnicodeDecodeError):
        raise FileProblem("The file has no header row.") from None
    columns = _header(header)

    def rows():
        try:
            for cells in reader:
                yield reader.line_num, [_csv_cell(c) for c in cells]
        except csv.Error as exc:
            raise FileProblem(
                f"Line {reader.line_num} cannot be read as CSV ({exc}). Check its quotes."
            ) from None

    return Sheet(columns, _numbered(rows()), lines)


def _csv_cell(value: str):
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]  # our own download's escape: text, not a formula
    if value.startswith("="):
        return FORMULA
    return value


def _open_xlsx(file: BinaryIO) -> Sheet:
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise FileProblem("We could not open this file as an Excel workbook.") from None
    unpacked = sum(m.file_size for m in members)
    if len(members) > 1000 or unpacked > MAX_UNPACKED_BYTES:
        raise FileProblem(
            f"This workbook unpacks to {describe_size(unpacked)}; the most we read is "
            f"{describe_size(MAX_UNPACKED_BYTES)}. Save it again with only the course rows, or "
            "as CSV."
        )
    try:
        file.seek(0)
        workbook = load_workbook(file, read_only=True, data_only=False, keep_links=False)
        sheet = workbook.worksheets[0]
        cells = sheet.iter_rows()
        header = next(cells, ())
        columns = _header([c.value for c in header])
    except FileProblem:
        raise
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, IndexError, OSError):
        raise FileProblem("We could not open this file as an Excel workbook.") from None

    def rows():
        try:
            for number, row in enumerate(cells, start=2):
                yield number, [FORMULA if c.data_type == "f" else c.value for c in row]
        except (zipfile.BadZipFile, KeyError, ValueError, OSError):
            raise FileProblem("Part of this workbook cannot be read; save it again.") from None
        finally:
            workbook.close()

    return Sheet(columns, _numbered(rows()), max(0, (sheet.max_row or 1) - 1))


def _numbered(rows: Iterable[tuple[int, list]]) -> Iterator[tuple[int, list]]:
    """Skip empty rows; stop at the row limit."""
    count = 0
    for number, cells in rows:
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise FileProblem(
                f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files."
            )
        yield number, cells


class _StoredBytes(io.RawIOBase):
    """A binary column read a slice at a time (substring on the stored value)."""

    def __init__(self, table: str, column: str, key: str, pk: int):
        super().__init__()
        where = f'FROM "{table}" WHERE "{key}" = %s'
        quoted = f'"{column}"'
        if connection.vendor == "postgresql":
            part, size = f"substring({quoted} FROM %s FOR %s)", f"octet_length({quoted})"
        else:  # SQLite (the quick start): substr() and length() count a blob's bytes
            part, size = f"substr({quoted}, %s, %s)", f"length({quoted})"
        self.sql = f"SELECT {part} {where}"
        self.pk = pk
        self.position = 0
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {size} {where}", [pk])
            found = cursor.fetchone()
        self.size = (found[0] or 0) if found else 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def readinto(self, buffer) -> int:
        wanted = min(len(buffer), self.size - self.position)
        if wanted <= 0:
            return 0
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [self.position + 1, wanted, self.pk])
            data = bytes(cursor.fetchone()[0])
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)


def stored_file(model, pk: int, column: str = "content") -> BinaryIO:
    """The bytes kept in ``model``'s binary ``column`` for row ``pk``, as a seekable stream that
    reads them from the database a chunk at a time instead of loading them whole."""
    meta = model._meta
    raw = _StoredBytes(meta.db_table, meta.get_field(column).column, meta.pk.column, pk)
    return io.BufferedReader(raw, buffer_size=CHUNK)


# Writing --------------------------------------------------------------------------------------


def header() -> list[str]:
    return [c.label for c in COLUMNS]


def example_row() -> list[str]:
    return [c.example for c in COLUMNS]


def xlsx_bytes(rows: Iterable[list]) -> bytes:
    """A one-sheet workbook of ``rows`` under the header, written as it goes (write-only).
    Text is always text: a title beginning with "=" is written as a string, never a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Courses")
    sheet.freeze_panes = "A2"
    sheet.append(header())
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(sheet, value):
    cell = WriteOnlyCell(sheet)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = "DD/MM/YYYY"
    else:
        cell.value = value
    return cell
