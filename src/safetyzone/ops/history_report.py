"""The printed incident report (PDF, A4): Thai first with English labels alongside and
Buddhist Era dates, or English only with Gregorian dates (``lang="en"``).

HTML -> PDF through ``core.pdf`` (Sarabun embedded, ``data:`` URIs only). Every value is
escaped by Jinja2's autoescape, and none reaches the style sheet: titles, notes and names
come from devices, citizens and operators.

Rendering is CPU work of about a second: call it from a plain ``def`` route (a thread).
"""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment

from safetyzone.core import pdf as papers
from safetyzone.core.clock import BANGKOK, as_utc
from safetyzone.core.thai import format_thai_datetime
from safetyzone.ops.history import Entry, Report
from safetyzone.ops.history_texts import DISPOSITIONS, ENTRIES, KINDS, STATES, Label, label

TEMPLATES = Path(__file__).resolve().parent / "templates"
Lang = Literal["th", "en"]


@functools.cache
def _env() -> Environment:
    return papers.environment(TEMPLATES)


def when(value: datetime | None, lang: Lang) -> str:
    """``5 ม.ค. 2569 14:03:22`` (B.E.) in Thai, ``05 Jan 2026 14:03:22`` in English."""
    if value is None:
        return "–"
    local = as_utc(value).astimezone(BANGKOK)
    if lang == "en":
        return f"{local:%d %b %Y %H:%M:%S}"
    return f"{format_thai_datetime(value, with_time=False)} {local:%H:%M:%S}"


def _name(names: Label, lang: Lang) -> str:
    return names.en if lang == "en" else names.th


def _what(entry: Entry, lang: Lang) -> str:
    """What happened, in words: the entry, the state reached, the unit, the disposition."""
    parts = [_name(label(ENTRIES, entry.entry), lang)]
    if entry.to_state:
        parts.append("→ " + _name(label(STATES, entry.to_state), lang))
    if entry.callsign:
        parts.append(entry.callsign)
    distance = entry.facts.get("distance_m")
    if entry.entry == "dispatched" and isinstance(distance, int | float):
        parts.append(_distance(distance, lang))
    if entry.disposition:
        parts.append(_name(label(DISPOSITIONS, entry.disposition), lang))
    fixes = entry.facts.get("fixes")
    if isinstance(fixes, list):
        parts.append(f"{len(fixes)} " + ("fixes" if lang == "en" else "ตำแหน่ง"))
    level = entry.facts.get("level")
    if entry.entry == "escalated" and isinstance(level, int):
        parts.append(("level " if lang == "en" else "ระดับ ") + str(level))
    return " · ".join(parts)


def _distance(metres: float, lang: Lang) -> str:
    if metres >= 1000:
        return f"{metres / 1000:.1f} " + ("km" if lang == "en" else "กม.")
    return f"{round(metres)} " + ("m" if lang == "en" else "ม.")


def render_html(found: Report, *, printed_at: datetime, printed_by: str, lang: Lang,
                fonts_dir: Path) -> str:
    i = found.incident
    detail = i.detail or {}
    context: dict[str, Any] = {
        "lang": lang, "fonts": papers.fonts(fonts_dir), "incident": i,
        "title": i.title_en if lang == "en" and i.title_en else i.title_th,
        "station": found.station,
        "station_name": found.station.name_en if lang == "en" else found.station.name_th,
        "kind": _name(label(KINDS, i.kind), lang),
        "state": _name(label(STATES, i.state.value), lang),
        "source": (detail.get("source_en") if lang == "en" else None)
        or detail.get("source_th") or "–",
        "place": (f"{i.lat:.6f}, {i.lon:.6f}" if i.lat is not None and i.lon is not None
                  else "–"),
        "disposition": _name(label(DISPOSITIONS, i.disposition), lang) if i.disposition else "–",
        "steps": [{"name": _name(label(STATES, s.key), lang), "at": when(s.at, lang),
                   "by": s.by or ""} for s in found.steps],
        "postings": [{"callsign": p.callsign, "assigned": when(p.assigned_at, lang),
                      "by": p.assigned_by, "released": when(p.released_at, lang),
                      "distance": _distance(p.distance_m, lang) if p.distance_m is not None
                      else "–"} for p in found.postings],
        "timeline": [{"at": when(e.at, lang), "who": e.username, "what": _what(e, lang),
                      "text": e.text or ""} for e in found.timeline],
        "cameras": [{"code": str(c.get("code", "")),
                     "name": str(c.get("name_en") if lang == "en" and c.get("name_en")
                                 else c.get("name_th") or "")} for c in found.cameras],
        "printed_at": when(printed_at, lang), "printed_by": printed_by,
    }
    return _env().get_template("incident_report.html").render(**context)


def render_pdf(found: Report, *, printed_at: datetime, printed_by: str, lang: Lang,
               fonts_dir: Path) -> bytes:
    return papers.html_to_pdf(render_html(found, printed_at=printed_at, printed_by=printed_by,
                                          lang=lang, fonts_dir=fonts_dir))
