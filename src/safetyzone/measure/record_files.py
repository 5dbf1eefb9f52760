"""Reading a records file (CSV or Excel .xlsx) into rows that know their line.

The header names the columns in Thai, as a 191 log or a case register writes them, or in
English (docs/measure/records.md has the set). The format is decided by the bytes, not by
the name or the declared type: an .xlsx is a ZIP (``PK\\x03\\x04``); anything else must be
UTF-8 CSV text. Excel files are read with openpyxl in read-only mode, values as stored: a
formula is never computed, its text (``=...``) is kept as text. The ZIP's inflated size is
checked before openpyxl opens it, so a small file that inflates to gigabytes is refused.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from safetyzone.assets.transfer_csv import check_text
from safetyzone.core.errors import InvalidInput, PayloadTooLarge, Problem
from safetyzone.core.spreadsheet import restore

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_INFLATED_BYTES = 100 * 1024 * 1024  # an .xlsx's parts, once unzipped
MAX_ROWS = 50_000
ZIP_MAGIC = b"PK\x03\x04"

# Column -> the header names a file may use for it (folded: no spaces, lower case).
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("วันที่รับแจ้ง", "วันที่", "วันที่เกิดเหตุ", "วันเกิดเหตุ", "date"),
    "time": ("เวลา", "เวลารับแจ้ง", "เวลาเกิดเหตุ", "time"),
    "type": ("ประเภทเหตุ", "ประเภท", "ประเภทคดี", "ข้อหา", "type"),
    "place": ("สถานที่", "สถานที่เกิดเหตุ", "place"),
    "lat": ("ละติจูด", "lat", "latitude"),
    "lon": ("ลองจิจูด", "lon", "lng", "longitude"),
    "number": ("เลขรับแจ้ง", "เลขคดี", "เลขที่คดี", "เลขที่รับแจ้ง", "number"),
    "detail": ("รายละเอียด", "detail", "details"),
}
REQUIRED = ("date", "time", "type", "place")
ALIASES = {name: column for column, names in COLUMNS.items() for name in names}


@dataclass
class RawRow:
    """One row as the file gave it, by column, and the line a person sees it on."""

    line: int
    cells: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)

    def refuse(self, reason: str, column: str | None = None) -> None:
        self.problems.append(Problem(reason, field=column, line=self.line))


def _fold(name: object) -> str:
    return re.sub(r"\s+", "", str(name or "")).lower()


def detect_format(body: bytes) -> str:
    """``xlsx`` or ``csv``, from the bytes alone; empty input is refused."""
    if len(body) > MAX_FILE_BYTES:
        raise PayloadTooLarge(f"the file is larger than {MAX_FILE_BYTES} bytes",
                              [Problem(f"larger than {MAX_FILE_BYTES} bytes", "file")])
    if not body.strip():
        raise InvalidInput("the file is empty", [Problem("no header and no rows", "file")])
    return "xlsx" if body.startswith(ZIP_MAGIC) else "csv"


def header_columns(header: list[object], line: int) -> list[str | None]:
    """The column of each header cell (None for an unknown one); refuses a header that
    lacks a required column or names one twice."""
    columns: list[str | None] = []
    problems: list[Problem] = []
    for cell in header:
        name = _fold(cell)
        column = ALIASES.get(name)
        if name and column is None:
            problems.append(Problem(
                f"unknown column '{str(cell).strip()}'; see docs/measure/records.md for the "
                f"header set", field=str(cell).strip(), line=line))
        if column is not None and column in columns:
            problems.append(Problem(f"column '{column}' is named more than once",
                                    field=str(cell).strip(), line=line))
        columns.append(column)
    problems += [Problem(f"missing required column '{name}' ({COLUMNS[name][0]})", field=name,
                         line=line) for name in REQUIRED if name not in columns]
    if problems:
        raise InvalidInput("the header was refused; nothing was imported", problems)
    return columns


def _row(columns: list[str | None], values: list[Any] | tuple[Any, ...], line: int) -> RawRow:
    row = RawRow(line=line, cells={})
    for i, value in enumerate(values):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        column = columns[i] if i < len(columns) else None
        if column is None:
            row.refuse(f"cell {i + 1} has no column in the header")
            continue
        row.cells[column] = restore(value) if isinstance(value, str) else value
    return row


def _too_many() -> InvalidInput:
    return InvalidInput(f"the file holds more than {MAX_ROWS} rows; split it",
                        [Problem(f"more than {MAX_ROWS} rows", "file")])


def read_csv(body: bytes) -> list[RawRow]:
    """Rows of a UTF-8 CSV file (with or without a byte order mark); line 1 is the header."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = body.count(b"\n", 0, err.start) + 1
        raise InvalidInput("the file is neither an Excel .xlsx nor UTF-8 CSV text (in Excel "
                           "save it as 'CSV UTF-8' or .xlsx)",
                           [Problem(f"byte {err.start} is not UTF-8", line=line)]) from err
    reader = csv.reader(io.StringIO(check_text(text), newline=""), strict=True)
    columns: list[str | None] | None = None
    rows: list[RawRow] = []
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if columns is None:
                columns = header_columns(list(cells), line)
                continue
            if len(rows) >= MAX_ROWS:
                raise _too_many()
            rows.append(_row(columns, cells, line))
    except csv.Error as err:
        raise InvalidInput("the file is not valid CSV; nothing was imported",
                           [Problem(f"not readable as CSV from here on: {err}",
                                    line=start)]) from err
    return _some(rows)


def _some(rows: list[RawRow]) -> list[RawRow]:
    if not rows:
        raise InvalidInput("the file has a header but no rows", [Problem("no rows", line=2)])
    return rows


def read_xlsx(body: bytes) -> list[RawRow]:
    """Rows of the first sheet of an .xlsx workbook; the line is the sheet's row number."""
    from openpyxl import load_workbook  # only an Excel import pays for importing openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as err:
        raise InvalidInput("the file is not a readable Excel .xlsx workbook",
                           [Problem(f"not a ZIP archive: {err}", "file")]) from err
    if inflated > MAX_INFLATED_BYTES:
        raise PayloadTooLarge(f"the workbook inflates to more than {MAX_INFLATED_BYTES} bytes",
                              [Problem("inflates too much", "file")])
    try:
        book = load_workbook(io.BytesIO(body), read_only=True, data_only=False)
    except Exception as err:  # openpyxl raises many kinds (KeyError, InvalidFileException...)
        raise InvalidInput("the file is not a readable Excel .xlsx workbook",
                           [Problem(f"{type(err).__name__}: {err}"[:300], "file")]) from err
    try:
        if not book.worksheets:
            raise InvalidInput("the workbook has no sheet", [Problem("no sheet", "file")])
        sheet = book.worksheets[0]
        columns: list[str | None] | None = None
        rows: list[RawRow] = []
        for line, values in enumerate(sheet.iter_rows(values_only=True), sheet.min_row or 1):
            if not any(v is not None and str(v).strip() for v in values):
                continue
            if columns is None:
                columns = header_columns(list(values), line)
                continue
            if len(rows) >= MAX_ROWS:
                raise _too_many()
            rows.append(_row(columns, values, line))
    finally:
        book.close()
    if columns is None:
        raise InvalidInput("the workbook's first sheet is empty",
                           [Problem("no header and no rows", "file")])
    return _some(rows)


def read_file(body: bytes) -> tuple[str, list[RawRow]]:
    """The file's format and its rows; header and file problems raise at once."""
    fmt = detect_format(body)
    return fmt, read_xlsx(body) if fmt == "xlsx" else read_csv(body)
