"""A built monthly report as PDF (A4, through the shared paper page) and as CSV.

The CSV is one file per report, long and narrow: one line per figure with the columns
``section, item, label_th, label_en, measure, value, status``, the first lines naming the
report (``section = report``). One shape for every section, so a spreadsheet filters or
pivots it without knowing the report; UTF-8 with a byte order mark, so Excel shows Thai;
text cells neutralised against formulas (``core.spreadsheet``).
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment

from safetyzone.core import pdf as papers
from safetyzone.core.clock import BANGKOK, as_utc
from safetyzone.core.spreadsheet import BOM, csv_cell
from safetyzone.measure.monthly.parts import Label, Lang, Part, Subject
from safetyzone.measure.monthly.period import Month
from safetyzone.ops.history_report import when
from safetyzone.org.models import UnitKind

TEMPLATES = Path(__file__).resolve().parent / "templates"
CSV_COLUMNS = ("section", "item", "label_th", "label_en", "measure", "value", "status")
HEADINGS = {UnitKind.STATION: Label("รายงานประจำเดือนของสถานี", "Station monthly report"),
            UnitKind.REGION: Label("รายงานประจำเดือนของภาค", "Region monthly report"),
            UnitKind.NATIONAL: Label("รายงานประจำเดือนระดับประเทศ", "National monthly report")}


@functools.cache
def _env() -> Environment:
    return papers.environment(TEMPLATES)


@dataclass(frozen=True)
class Document:
    """A report's figures, built and ready to print: nothing here reads the database."""

    subject: Subject
    month: Month
    lang: Lang
    made_at: datetime
    parts: list[Part]

    @property
    def partial(self) -> bool:
        return as_utc(self.made_at) < self.month.end

    def file_name(self, extension: str) -> str:
        return f"monthly-{self.subject.code}-{self.month.key}-{self.lang}.{extension}"


def render_html(doc: Document, *, printed_by: str, fonts_dir: Path) -> str:
    month, lang = doc.month, doc.lang
    until = min(as_utc(doc.made_at), month.end.astimezone(BANGKOK))
    title = f"{HEADINGS[doc.subject.kind].pick(lang)} {doc.subject.code} {month.key}"
    context: dict[str, Any] = {
        "lang": lang, "fonts": papers.fonts(fonts_dir), "parts": doc.parts,
        "title": title, "footer": title, "heading": HEADINGS[doc.subject.kind],
        "month_title": month.title(lang), "subject_name": doc.subject.name(lang),
        "subject_code": doc.subject.code, "for_big6": doc.subject.kind is UnitKind.STATION,
        "period_from": when(month.start, lang), "period_to": when(until, lang),
        "partial": doc.partial, "printed_at": when(doc.made_at, lang),
        "printed_by": printed_by,
    }
    return _env().get_template("monthly/report.html").render(**context)


def render_pdf(doc: Document, *, printed_by: str, fonts_dir: Path) -> bytes:
    """About a second or two of CPU: call it from a plain ``def`` route or a thread."""
    return papers.html_to_pdf(render_html(doc, printed_by=printed_by, fonts_dir=fonts_dir))


def to_csv(doc: Document) -> bytes:
    s = doc.subject
    head: list[tuple[str, str, str, object]] = [
        ("unit", s.name_th, s.name_en, s.code), ("kind", "", "", s.kind.value),
        ("month", doc.month.title("th"), doc.month.title("en"), doc.month.key),
        ("partial", "", "", doc.partial),
        ("made_at", "", "", as_utc(doc.made_at).astimezone(BANGKOK).isoformat())]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item, th, en, value in head:
        writer.writerow([csv_cell(c) for c in ("report", item, th, en, "", value, "")])
    for part in doc.parts:
        for r in part.rows:
            writer.writerow([csv_cell(c) for c in (
                r.section, r.item, r.label_th, r.label_en, r.measure, r.value, r.status)])
    return (BOM + out.getvalue()).encode("utf-8")
