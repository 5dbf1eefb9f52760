"""The asset transfer row format, and its CSV form.

One row is one asset or camera. CSV rows carry the line a person sees in an editor (the
header is line 1; a quoted cell spanning lines moves every later row down), so an error
message can point at it. GeoJSON (``transfer_geojson``) reuses the same column names.

Formula injection: names come from partners, so every cell goes through
``core.spreadsheet`` (one leading ``'`` on export before a formula-like start, taken off
again on import, so export -> import is exact; numbers stay numbers).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from safetyzone.core.errors import InvalidInput, Problem
from safetyzone.core.spreadsheet import FORMULA_START as FORMULA_START  # re-exported
from safetyzone.core.spreadsheet import csv_cell as csv_cell  # re-exported
from safetyzone.core.spreadsheet import restore as restore  # re-exported

MAX_ROWS = 50_000
CAMERA = "camera"
COLUMNS = (
    "kind", "code", "name_th", "name_en", "lat", "lon", "zone_code", "owner_class",
    "owner_partner_code", "has_speaker", "status", "synthetic", "note", "bound_camera_codes",
    "point_code", "heading_deg", "fov_deg", "plate_reading", "sharing_level", "sharing_until",
    "stream_url", "stream_username", "stream_password",
)
CAMERA_ONLY = frozenset({
    "point_code", "heading_deg", "fov_deg", "plate_reading", "sharing_level", "sharing_until",
    "stream_url", "stream_username", "stream_password",
})
ASSET_ONLY = frozenset({"name_en", "zone_code", "has_speaker", "note", "bound_camera_codes"})
REQUIRED_COLUMNS = ("kind", "code", "name_th")


@dataclass
class SourceRow:
    """One asset or camera as the file gave it, where it stands, and what is wrong with it."""

    cells: dict[str, object]
    line: int | None = None  # CSV: the editor line the row starts on
    prefix: str = ""  # GeoJSON: "features[3]"
    aliases: dict[str, str] = field(default_factory=dict)  # column -> where the file holds it
    problems: list[Problem] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"line {self.line}" if self.line is not None else self.prefix

    def where(self, column: str | None) -> str | None:
        if column is None:
            return self.prefix or None
        name = self.aliases.get(column, column)
        return f"{self.prefix}.{name}" if self.prefix else name

    def refuse(self, reason: str, column: str | None = None) -> None:
        """Note a problem; the first one per cell is kept, as later ones are usually echoes."""
        problem = Problem(reason, field=self.where(column), line=self.line)
        for seen in self.problems:
            if seen.field == problem.field and (problem.field is not None
                                                or seen.reason == problem.reason):
                return
        self.problems.append(problem)


def too_many_rows(count: int | str) -> InvalidInput:
    return InvalidInput(
        f"the file holds {count} rows; at most {MAX_ROWS} are imported at once: split it",
        [Problem(f"more than {MAX_ROWS} rows")])


def check_text(text: str) -> str:
    """Drop a byte order mark; refuse empty and binary input."""
    text = text.removeprefix("\ufeff")
    if "\x00" in text:  # binary, or a cell no database stores: name the lines either way
        lines = [n for n, line in enumerate(text.split("\n"), 1) if "\x00" in line]
        raise InvalidInput(f"{len(lines)} line(s) hold NUL characters: is the file binary?",
                           [Problem("contains a NUL character", line=n) for n in lines[:20]])
    if not text.strip():
        raise InvalidInput("the file is empty", [Problem("no header and no rows")])
    return text


def read_csv(text: str) -> tuple[list[SourceRow], list[Problem]]:
    """The rows of a CSV file and the problems of its header.

    Raises ``InvalidInput`` at once when the file cannot be read as rows at all.
    """
    reader = csv.reader(io.StringIO(check_text(text), newline=""), strict=True)
    header: list[str] | None = None
    rows: list[SourceRow] = []
    problems: list[Problem] = []
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in cells]
                problems = _header_problems(header, line)
                continue
            if len(rows) >= MAX_ROWS:
                raise too_many_rows(f"more than {MAX_ROWS}")
            rows.append(_row(header, cells, line))
    except csv.Error as err:
        problems.append(Problem(f"not readable as CSV from here on: {err}", line=start))
        raise InvalidInput("the file is not valid CSV; nothing was imported", problems) from err
    if not rows:
        raise InvalidInput("the file has a header but no rows", [Problem("no rows", line=2)])
    return rows, problems


def _header_problems(header: list[str], line: int) -> list[Problem]:
    problems = [Problem(f"missing required column '{name}'", field=name, line=line)
                for name in REQUIRED_COLUMNS if name not in header]
    named = [name for name in header if name]
    problems += [Problem(f"column '{name}' appears more than once", field=name, line=line)
                 for name in sorted({n for n in named if named.count(n) > 1})]
    if problems:
        raise InvalidInput("the header was refused; nothing was imported", problems)
    return [Problem(f"unknown column '{name}'; the columns are: {', '.join(COLUMNS)}",
                    field=name, line=line)
            for name in named if name not in COLUMNS]


def _row(header: list[str], cells: list[str], line: int) -> SourceRow:
    row = SourceRow(cells={}, line=line)
    for i, value in enumerate(cells):
        name = header[i] if i < len(header) else ""
        if not value.strip():
            continue
        if name in COLUMNS:
            row.cells[name] = restore(value)
        elif not name:
            row.refuse(f"cell {i + 1} has no column name in the header")
    return row


def write_csv(records: Iterable[Mapping[str, object]]) -> str:
    """Rows as CSV text (RFC 4180 line ends), every column, empty where not given."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow([csv_cell(record.get(column)) for column in COLUMNS])
    return out.getvalue()
