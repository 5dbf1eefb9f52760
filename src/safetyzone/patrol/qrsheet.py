"""The printable QR sheet of a station's red boxes (PDF): one card per box to cut out and
put up, with the box's Thai and English name, code, station, key version and the print date
in the Buddhist Era, and a line telling officers to scan it with the officer app.

HTML -> PDF with WeasyPrint through ``core.pdf`` (Sarabun embedded, ``data:`` URIs only);
the QR is an SVG from segno. Every value is escaped by Jinja2's autoescape; no value reaches
the stylesheet.

Rendering is CPU work of about a second: call it from a plain ``def`` route (a thread).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from safetyzone.core import pdf as papers
from safetyzone.core.clock import BANGKOK, as_utc
from safetyzone.core.thai import format_thai_datetime
from safetyzone.patrol.redbox_codes import KeyMode
from safetyzone.patrol.redbox_keys import SheetBox

TEMPLATES = Path(__file__).resolve().parent / "templates"
FONT_FILES = papers.FONT_FILES
QR_ERROR = papers.QR_ERROR
fonts = papers.fonts
qr_svg_uri = papers.qr_svg_uri
_data_only_fetcher = papers.data_only_fetcher


@dataclass(frozen=True)
class Station:
    code: str
    name_th: str
    name_en: str


@functools.cache
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES),
                       autoescape=select_autoescape(["html"]), auto_reload=False)


def _why(item: SheetBox) -> str:
    if item.mode is None:
        return "ยังไม่ได้ออกกุญแจ: ออกกุญแจก่อนพิมพ์ · No key yet: issue one first"
    return ("ใช้รหัสหมุนเวียนบนจอของตู้ ไม่ใช้ QR พิมพ์ · Shows a rotating code on its screen, "
            "no printed QR")


def render_html(station: Station, boxes: Sequence[SheetBox], printed_at: datetime,
                fonts_dir: Path) -> str:
    cards = [{"name_th": b.asset.name_th, "name_en": b.asset.name_en, "code": b.asset.code,
              "version": b.version, "qr": qr_svg_uri(b.payload)}
             for b in boxes if b.mode is KeyMode.PRINTED and b.payload is not None]
    left_out = [{"code": b.asset.code, "name_th": b.asset.name_th, "why": _why(b)}
                for b in boxes if b.mode is not KeyMode.PRINTED or b.payload is None]
    local = as_utc(printed_at).astimezone(BANGKOK)
    return _env().get_template("qrsheet.html").render(
        station=station, cards=cards, left_out=left_out, fonts=fonts(fonts_dir),
        printed_th=format_thai_datetime(printed_at),
        printed_en=f"{local:%d %b %Y %H:%M} (Bangkok)")


def render_pdf(station: Station, boxes: Sequence[SheetBox], printed_at: datetime,
               fonts_dir: Path) -> bytes:
    return papers.html_to_pdf(render_html(station, boxes, printed_at, fonts_dir))
