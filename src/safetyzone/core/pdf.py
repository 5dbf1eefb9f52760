"""HTML -> PDF for printed papers (the red boxes' QR sheet, lost-document certificates).

Thai needs a real Thai font shaped by HarfBuzz: Sarabun from npm (the same files the apps
serve), embedded as data URIs, so rendering reads nothing from disk or the network beyond
what is handed in (the fetcher takes ``data:`` URIs only). QR codes are SVGs from segno
(vector, sharp at any printer resolution).

Rendering is CPU work of about a second: call it from a plain ``def`` route (a thread).
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape

from safetyzone.core import thaifont

# (family, weight, file in @fontsource/sarabun/files): Thai and Latin are separate subsets
# there, so they are separate families and the browser-style fallback picks per character.
FONT_FILES = (
    ("SarabunLatin", 400, "sarabun-latin-400-normal.woff2"),
    ("SarabunLatin", 700, "sarabun-latin-700-normal.woff2"),
    ("SarabunThai", 400, "sarabun-thai-400-normal.woff2"),
    ("SarabunThai", 700, "sarabun-thai-700-normal.woff2"),
)
QR_ERROR = "m"  # 15 % of the code may be dirty or scratched and it still reads
# paper.html: the page every printed report extends (fonts, A4, brand, footer, printed-by).
TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.cache
def _font_face(family: str, weight: int, path: Path) -> dict[str, Any]:
    if family == "SarabunThai":  # SARA AM kept whole, so the PDF's text reads back right
        data, mime, fmt = thaifont.sara_am_font(path), "font/ttf", "truetype"
    else:
        data, mime, fmt = path.read_bytes(), "font/woff2", "woff2"
    return {"family": family, "weight": weight, "format": fmt,
            "uri": f"data:{mime};base64,{base64.b64encode(data).decode()}"}


def fonts(fonts_dir: Path) -> list[dict[str, Any]]:
    """The @font-face entries; a missing font file fails loudly (Thai would print as boxes)."""
    out: list[dict[str, Any]] = []
    for family, weight, name in FONT_FILES:
        path = fonts_dir / name
        if not path.is_file():
            raise FileNotFoundError(f"Thai font {path} is missing: run `npm ci`")
        out.append(_font_face(family, weight, path))
    return out


def environment(*folders: Path) -> Environment:
    """Jinja for a paper's templates in ``folders``, which may extend ``paper.html``; every
    value is escaped (autoescape), since titles, notes and names come from people."""
    return Environment(loader=FileSystemLoader([*folders, TEMPLATES]),
                       autoescape=select_autoescape(["html"]), auto_reload=False)


def qr_svg_uri(payload: str, *, error: str = QR_ERROR) -> str:
    return str(segno.make(payload, error=error, micro=False).svg_data_uri(
        scale=4, border=4, dark="#000", light="#fff"))


def data_only_fetcher() -> Callable[[str], Any] | Any:
    """A URL fetcher that serves ``data:`` URIs and refuses everything else."""
    from PIL import ImageFile
    from weasyprint import urls  # Pango loads on first use, not when the app starts

    ImageFile.LOAD_TRUNCATED_IMAGES = False  # see html_to_pdf(): WeasyPrint's import sets it

    if hasattr(urls, "URLFetcher"):  # WeasyPrint 68+
        return urls.URLFetcher(allowed_protocols=("data",))

    def fetch(url: str) -> Any:
        if not url.startswith("data:"):
            raise ValueError(f"the renderer fetches nothing: {url[:40]!r}")
        return urls.default_url_fetcher(url)
    return fetch


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained page (fonts and images as data URIs)."""
    import weasyprint  # Pango loads on first use, not when the app starts
    from PIL import ImageFile

    # Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would let
    # damaged photos through the citizens' and officers' media checks: put it back (the
    # papers' own images are QR codes we made whole).
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=data_only_fetcher()).write_pdf()
    return pdf
