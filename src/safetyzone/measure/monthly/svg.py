"""Charts and maps drawn on the server with matplotlib, as SVG whose words WeasyPrint sets.

matplotlib writes each label as SVG ``<text>`` (``svg.fonttype = 'none'``) instead of glyph
outlines, so the PDF carries real, searchable text in the report's own font. WeasyPrint's
SVG renderer, though, places a ``<text>`` one character at a time: Thai vowel and tone
marks then stand apart from their consonants (a dotted circle under each, seen on the
rendered page). So every ``<text>`` is taken out of the SVG and set instead as an HTML span
at the same point, size, anchor and angle over the picture, where WeasyPrint shapes Thai
with HarfBuzz like the rest of the page. matplotlib still measures the words (tick spacing,
legend boxes) with the same Sarabun files the page embeds, registered under the page's
family names.

No pyplot: figures are made with the object API, which keeps no global state between
threads. Rendering is CPU work: call it from a plain ``def`` route or a thread.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from defusedxml import ElementTree
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from safetyzone.core import thaifont

SVG_NS = "http://www.w3.org/2000/svg"
FAMILIES = (("SarabunLatin", "sarabun-latin-{w}-normal.woff2"),
            ("SarabunThai", "sarabun-thai-{w}-normal.woff2"))
# From the baseline up to the top of a Sarabun line box of line-height 1 (ascent 1.068 em,
# descent 0.232 em): where a span's top goes for its baseline to sit on the SVG's.
BASELINE_EM = 0.918
_lock = threading.Lock()
_TEXT = re.compile(r"<text\b[^>]*>.*?</text>", re.S)
_METADATA = re.compile(r"<metadata\b.*?</metadata>", re.S)
_ID = re.compile(r'\b(id)="([^"]+)"')
_REF = re.compile(r'(url\(|href=")#')


@dataclass(frozen=True)
class Word:
    """One label taken out of the SVG: where and how WeasyPrint sets it."""

    text: str
    x: float  # pt, from the picture's left
    y: float  # pt, the baseline, from the picture's top
    size: float  # pt
    anchor: str  # start, middle, end
    angle: float  # degrees, clockwise as SVG turns
    colour: str
    bold: bool

    @property
    def style(self) -> str:
        """The span's inline style: numbers and a colour matplotlib wrote, never data."""
        shift = {"start": "0", "middle": "-50%", "end": "-100%"}.get(self.anchor, "0")
        return (f"left:{self.x:.2f}pt;top:{self.y:.2f}pt;font-size:{self.size:.2f}pt;"
                f"color:{self.colour};font-weight:{700 if self.bold else 400};"
                f"transform:rotate({self.angle:.1f}deg) translate({shift},-{BASELINE_EM}em)")


@dataclass(frozen=True)
class Picture:
    """A chart or map: the SVG without its words, and the words to set over it."""

    width: float  # pt
    height: float  # pt
    svg: str
    words: tuple[Word, ...]
    alt: str

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def _ttf(path: Path, family: str, out: Path) -> Path:
    """The npm Sarabun subset as a TrueType file matplotlib can read, named ``family``."""
    data = thaifont.sara_am_font(path) if "thai" in path.name else None
    font = TTFont(io.BytesIO(data)) if data is not None else TTFont(str(path))
    font.flavor = None
    for record in font["name"].names:
        if record.nameID in (1, 4, 6, 16):
            record.string = family
    target = out / f"{family}-{path.stem}.ttf"
    font.save(str(target))
    return target


@functools.cache
def _setup(fonts_dir: Path) -> Any:
    """matplotlib, configured once per process: SVG text, our fonts, no math parsing."""
    import matplotlib  # a second of import: only when a report is drawn
    from matplotlib import font_manager

    folder = Path(tempfile.mkdtemp(prefix="ssz-fonts-"))
    for family, pattern in FAMILIES:
        for weight in (400, 700):
            source = fonts_dir / pattern.format(w=weight)
            if not source.is_file():
                raise FileNotFoundError(f"Thai font {source} is missing: run `npm ci`")
            font_manager.fontManager.addfont(str(_ttf(source, family, folder)))
    matplotlib.rcParams.update({
        "svg.fonttype": "none", "svg.hashsalt": "safetyzone", "text.parse_math": False,
        "font.family": [family for family, _ in FAMILIES], "font.size": 8,
        "axes.titlesize": 9, "axes.labelsize": 8, "xtick.labelsize": 7, "ytick.labelsize": 7,
        "legend.fontsize": 7, "axes.spines.top": False, "axes.spines.right": False,
        "svg.image_inline": True, "figure.dpi": 72,
    })
    return matplotlib


def figure(fonts_dir: Path, width_mm: float, height_mm: float) -> Any:
    """A new matplotlib Figure of the printed size."""
    _setup(fonts_dir)
    from matplotlib.figure import Figure

    return Figure(figsize=(width_mm / 25.4, height_mm / 25.4), layout="constrained")


def _style(value: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (value or "").split(";"):
        name, _, setting = part.partition(":")
        if setting:
            out[name.strip()] = setting.strip()
    return out


def _pt(value: str) -> float:
    return float(re.sub(r"(pt|px)$", "", value.strip()))


def picture(fig: Any, alt: str) -> Picture:
    """The figure as SVG with its words lifted out (see the module's docstring)."""
    buffer = io.StringIO()
    with _lock:  # drawing lays text out through matplotlib's process-wide font caches
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    raw = buffer.getvalue()
    root = ElementTree.fromstring(raw)
    words = []
    for node in root.iter(f"{{{SVG_NS}}}text"):
        style = _style(node.get("style"))
        turn = re.search(r"rotate\((-?[\d.]+)", node.get("transform", ""))
        text = "".join(node.itertext())
        if text.strip():
            words.append(Word(
                text=text, x=float(node.get("x", "0")), y=float(node.get("y", "0")),
                size=_pt(style.get("font-size", "8px")),
                anchor=style.get("text-anchor", "start"),
                angle=float(turn.group(1)) if turn else 0.0,
                colour=style.get("fill", "#000000"),
                bold=style.get("font-weight", "normal") in {"bold", "700", "600"}))
    # Cut from matplotlib's own text rather than serialising the tree again: ElementTree's
    # prefixes are process-wide, and a library that registers its own would turn <svg>
    # into <ns0:svg>, which an HTML page no longer reads as SVG.
    svg = raw[raw.index("<svg"):]
    svg = _TEXT.sub("", _METADATA.sub("", svg))
    # matplotlib numbers its ids per figure (figure_1, clip paths): prefixed, so that two
    # pictures on one page never share an id (a clip path would cut the other's shapes).
    prefix = "s" + hashlib.sha1(svg.encode(), usedforsecurity=False).hexdigest()[:8]
    svg = _ID.sub(rf'\1="{prefix}-\2"', svg)
    svg = _REF.sub(rf"\1#{prefix}-", svg)
    if "<text" in svg:  # a matplotlib that nests text differently must fail, not misprint
        raise RuntimeError("a chart's words could not be lifted out of its SVG")
    return Picture(width=_pt(root.get("width", "0")), height=_pt(root.get("height", "0")),
                   svg=svg, words=tuple(words), alt=alt)
