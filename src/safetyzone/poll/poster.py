"""The People Poll's printable poster (PDF, A4): what a station puts up at the market, the
temple and the bus stop so people answer from their phone, and hands out at meetings.

Thai first with English under it; the poll's QR code (an SVG from segno, sharp at any
printer resolution) and its link written out for those who type it; when the wave closes in
the Buddhist Era; and what the poll keeps (no name, no phone number, one answer per phone),
because people answer a police survey more honestly when they are told that.

HTML -> PDF with WeasyPrint through ``core.pdf`` (Sarabun embedded, ``data:`` URIs only).
Every value is escaped by Jinja2's autoescape. Rendering is CPU work of about a second:
call it from a plain ``def`` route (a thread).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from safetyzone.core import pdf as papers
from safetyzone.core.clock import BANGKOK, as_utc
from safetyzone.core.thai import format_thai_datetime

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Poster:
    code: str
    link: str
    station_name_th: str
    station_name_en: str
    zone_name_th: str
    zone_name_en: str
    wave_name: str
    closes_at: datetime
    questions: int


@functools.cache
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES),
                       autoescape=select_autoescape(["html"]), auto_reload=False)


def render_html(poster: Poster, fonts_dir: Path) -> str:
    local = as_utc(poster.closes_at).astimezone(BANGKOK)
    return _env().get_template("poster.html").render(
        p=poster, qr=papers.qr_svg_uri(poster.link), fonts=papers.fonts(fonts_dir),
        minutes=max(1, round(poster.questions * 20 / 60)),  # about 20 s a question
        closes_th=format_thai_datetime(poster.closes_at),
        closes_en=f"{local:%d %b %Y %H:%M}")


def render_pdf(poster: Poster, fonts_dir: Path) -> bytes:
    return papers.html_to_pdf(render_html(poster, fonts_dir))
