#!/usr/bin/env python3
"""Draw the LINE rich menu image from src/safetyzone/citizen/line_richmenu.json.

    .venv/bin/python scripts/line_richmenu_image.py [--out PATH]

Each area of the menu gets its colour, its Thai label (the action's ``label``) in Sarabun
Bold and its English label below, at the area's own bounds, so the picture cannot drift from
the buttons LINE maps to it. Fonts come from npm (@fontsource/sarabun: ``npm ci``), or from
fonts-thai-tlwg (Garuda) when node_modules is missing. The PNG is palette-quantized to stay
far below LINE's 1 MB limit.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from safetyzone.citizen.line_richmenu import LABELS

ROOT = Path(__file__).resolve().parents[1]
MENU = ROOT / "src" / "safetyzone" / "citizen" / "line_richmenu.json"
OUT = MENU.with_suffix(".png")
SARABUN = ROOT / "node_modules" / "@fontsource" / "sarabun" / "files"
TLWG = Path("/usr/share/fonts/truetype/tlwg")


def font(script: str, size: int) -> ImageFont.FreeTypeFont:
    candidates = [SARABUN / f"sarabun-{script}-700-normal.woff", TLWG / "Garuda-Bold.ttf"]
    for path in candidates:
        if path.exists():
            return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)
    raise SystemExit("no Thai font: run `npm ci` (Sarabun) or install fonts-thai-tlwg")


def runs(text: str) -> list[tuple[str, str]]:
    """Split text into Thai and Latin runs: the npm Sarabun files are one script each."""
    out: list[tuple[str, str]] = []
    for char in text:
        script = "thai" if "\u0e00" <= char <= "\u0e7f" else "latin"
        if out and (out[-1][0] == script or char == " "):
            out[-1] = (out[-1][0], out[-1][1] + char)
        else:
            out.append((script, char))
    return out


def centred(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], y: int, text: str,
            size: int) -> None:
    parts = [(font(script, size), chunk) for script, chunk in runs(text)]
    widths = [draw.textlength(chunk, font=face) for face, chunk in parts]
    x = box[0] + (box[2] - box[0] - sum(widths)) / 2
    for (face, chunk), width in zip(parts, widths, strict=True):
        draw.text((x, y), chunk, font=face, fill="white")
        x += width


def draw(menu: dict[str, object]) -> Image.Image:
    size = menu["size"]
    assert isinstance(size, dict)
    image = Image.new("RGB", (size["width"], size["height"]), "white")
    canvas = ImageDraw.Draw(image)
    areas = menu["areas"]
    assert isinstance(areas, list)
    for area in areas:
        b, action = area["bounds"], area["action"]
        key = action["data"].removeprefix("action=")
        english, colour = LABELS[key]
        box = (b["x"], b["y"], b["x"] + b["width"], b["y"] + b["height"])
        canvas.rectangle(box, fill=colour, outline="white", width=12)
        big = key == "emergency"
        middle = box[1] + (box[3] - box[1]) // 2
        centred(canvas, box, middle - (230 if big else 140), action["label"], 190 if big else 96)
        centred(canvas, box, middle + (40 if big else 10), english, 120 if big else 72)
        if big:
            centred(canvas, box, middle + 210, "โทร 191 / Call 191", 80)
    return image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    menu = json.loads(MENU.read_text("utf-8"))
    picture = draw(menu).quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    picture.save(args.out, "PNG", optimize=True)
    print(f"{args.out}: {args.out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
