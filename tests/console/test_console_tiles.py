"""Streets without the internet: the console draws the street map file the server holds
(``SSZ_TILES_FILE``), in a real browser against a real server, with no network but loopback.

The test writes a small PMTiles file of vector tiles around Phasi Charoen's zone (a grid of
streets every 250 m and a highway, tests/support/basemap.py), serves the demo with it, logs a
duty officer in at 1366x768 and centres the map on a crossing. Then it reads the map's own
tiles' pixels: the streets are drawn in the road colour exactly where the file puts them, the
land between them in the land colour; every range came from this server with the user's
token; the strict CSP refused nothing. The same streets as PNG tiles (a raster file put in
place of the first, as an operator would swap it) are drawn the same way.

Screenshots at 1366x768 and 1920x1080 go to test-artifacts/console/ (tiles-*.png), and to
docs/screenshots/ (console-offline-streets-*.png) when SSZ_TEST_DOCS_SCREENSHOTS=1.
"""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.basemap import (
    EARTH_RADIUS_M,
    LAND,
    RASTER_LAND,
    RASTER_ROAD,
    ROAD,
    StreetMap,
    write_street_map,
)
from support.console import Server, demo_server, log_in

# Phasi Charoen's zone (the demo's first), its middle: the grid's central crossing.
CENTRE = (13.7322, 100.4655)
SPACING_M = 250.0
ZOOM = 17
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
REFRESH_DOCS = os.environ.get("SSZ_TEST_DOCS_SCREENSHOTS") == "1"

# The street layer's tiles: canvases (vector) or pictures (raster), all at the shown zoom
# (Leaflet drops the other zooms' once these are in), loaded, faded in and decoded.
TILES = "#map .leaflet-tile-pane canvas, #map .leaflet-tile-pane img"
SETTLED = """() => {
  const levels = [...document.querySelectorAll('#map .leaflet-tile-pane .leaflet-tile-container')]
    .filter((level) => level.children.length);
  if (levels.length !== 1) return false;
  const tiles = [...levels[0].children];
  return tiles.length > 0 && tiles.every((t) => t.classList.contains('leaflet-tile-loaded')
    && (t.style.opacity === '' || t.style.opacity === '1')
    && (t.tagName !== 'IMG' || (t.complete && t.naturalWidth > 0)));
}"""
# Colours counted over all tiles, and the colour at given screen points.
READ = """([points, land, road]) => {
  const tiles = [...document.querySelectorAll('TILES')];
  const near = (d, i, c) => Math.abs(d[i] - c[0]) <= 3 && Math.abs(d[i + 1] - c[1]) <= 3
    && Math.abs(d[i + 2] - c[2]) <= 3;
  let total = 0, onLand = 0, onRoad = 0;
  const data = tiles.map((t) => {
    let canvas = t;
    if (t.tagName === 'IMG') { // a blob: picture of this origin: readable through a canvas
      canvas = document.createElement('canvas');
      canvas.width = t.naturalWidth;
      canvas.height = t.naturalHeight;
      canvas.getContext('2d').drawImage(t, 0, 0);
    }
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < pixels.length; i += 4) {
      total += 1;
      if (near(pixels, i, land)) onLand += 1;
      else if (near(pixels, i, road)) onRoad += 1;
    }
    return { rect: t.getBoundingClientRect(), pixels, width: canvas.width, height: canvas.height };
  });
  const at = points.map(([x, y]) => {
    const tile = data.find((d) => x >= d.rect.left && x < d.rect.right
      && y >= d.rect.top && y < d.rect.bottom);
    if (!tile) return null;
    const px = Math.floor((x - tile.rect.left) * tile.width / tile.rect.width);
    const py = Math.floor((y - tile.rect.top) * tile.height / tile.rect.height);
    const i = (py * tile.width + px) * 4;
    return [tile.pixels[i], tile.pixels[i + 1], tile.pixels[i + 2]];
  });
  return { total, onLand, onRoad, at, tiles: tiles.length };
}""".replace("TILES", TILES)


@pytest.fixture(scope="module")
def street_map(tmp_path_factory: pytest.TempPathFactory) -> StreetMap:
    folder = tmp_path_factory.mktemp("streets")
    return write_street_map(folder / "streets.pmtiles", lat=CENTRE[0], lon=CENTRE[1],
                            spacing_m=SPACING_M)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, chromium: Any,
           street_map: StreetMap) -> Iterator[Server]:
    with demo_server(tmp_path_factory.mktemp("console-tiles"),
                     SSZ_TILES_FILE=str(street_map.path)) as running:
        yield running


def pixels_per_metre(lat: float, zoom: int) -> float:
    """Screen pixels per ground metre at ``lat`` on a Web Mercator map at ``zoom``."""
    return 256 * 2 ** zoom / (2 * math.pi * EARTH_RADIUS_M * math.cos(math.radians(lat)))


def close(colour: list[int] | None, wanted: tuple[int, int, int]) -> bool:
    return colour is not None and all(abs(a - b) <= 3 for a, b in zip(colour, wanted, strict=True))


def look_at_the_streets(chromium: Any, server: Server, artifacts: Path, kind: str,
                        land: tuple[int, int, int], road: tuple[int, int, int]) -> None:
    """A duty officer's console centred on the grid's middle crossing: the streets in
    ``road`` where the file has them, ``land`` between, read from the tiles' pixels."""
    context = chromium.new_context(viewport={"width": 1366, "height": 768},
                                   timezone_id="Asia/Bangkok", locale="th-TH")
    page = context.new_page()
    errors: list[str] = []
    refused: list[str] = []
    elsewhere: list[str] = []
    ranges: list[tuple[int, str | None, str | None]] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda m: refused.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.on("request", lambda r: None if r.url.startswith((server.url, "blob:"))
            else elsewhere.append(r.url))

    def answered(response: Any) -> None:
        if response.url.endswith("/api/v1/basemap.pmtiles"):
            asked = response.request.all_headers()
            ranges.append((response.status, asked.get("range"),
                           (asked.get("authorization") or "")[:7] or None))

    page.on("response", answered)
    try:
        log_in(page, server.url, "pcr.operator")
        page.wait_for_selector(f"#map[data-basemap={kind}]")
        page.evaluate("([lat, lon]) => window.__ssz.focus(lat, lon)", list(CENTRE))
        page.wait_for_function(SETTLED, timeout=20_000)
        view = page.evaluate("window.__ssz.view()")
        assert view["zoom"] == ZOOM
        page.screenshot(path=str(artifacts / f"tiles-{kind}-1366x768.png"))

        box = page.locator("#map").bounding_box()
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        step = SPACING_M * pixels_per_metre(CENTRE[0], ZOOM)  # about 210 px
        # Down the north-south street through the centre, and down the middle of the blocks
        # either side of it (clear of the cross streets, which are `step` apart).
        rows = [cy + k * step + d for k in (-1, 0, 1) for d in (-step / 4, step / 4)
                if box["y"] + 4 < cy + k * step + d < box["y"] + box["height"] - 4]
        on_street = [(cx, y) for y in rows]
        in_blocks = [(cx + side * step / 2, y) for side in (-1, 1) for y in rows]
        seen = page.evaluate(READ, [on_street + in_blocks, list(land), list(road)])

        # The wall screen's size: the wider map fetches more tiles, drawn the same way.
        drawn = page.locator(TILES).count()
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.wait_for_function(f"() => ({SETTLED})() && "
                               f"document.querySelectorAll('{TILES}').length > {drawn}")
        shots = [artifacts / f"tiles-{kind}-1920x1080.png"]
        if REFRESH_DOCS and kind == "vector":
            shots.append(DOCS / "console-offline-streets-1920x1080.png")
            shutil.copy(shots[0].with_name(f"tiles-{kind}-1366x768.png"),
                        DOCS / "console-offline-streets-1366x768.png")
        for shot in shots:
            page.screenshot(path=str(shot))
        if kind == "vector":  # English: the layer is drawn anew, for names in English
            page.evaluate(f"document.querySelectorAll('{TILES}')"
                          ".forEach((t) => { t.dataset.before = 'th'; })")
            page.click("#lang-switch")
            page.wait_for_selector("html[lang=en]")
            page.wait_for_function(f"() => ({SETTLED})() && "
                                   "!document.querySelector('#map [data-before]')")
            again = page.evaluate(READ, [[], list(land), list(road)])
            assert again["onRoad"] / again["total"] > 0.03, again
    finally:
        context.close()

    assert not errors, errors
    assert not refused, f"the CSP refused: {refused}"
    assert not elsewhere, f"requests left the server: {elsewhere}"
    assert ranges, "the street map file was never read"
    assert all(status == 206 and asked and asked.startswith("bytes=") and token == "Bearer "
               for status, asked, token in ranges), ranges
    assert seen["tiles"] >= 4, seen["tiles"]
    assert seen["onRoad"] / seen["total"] > 0.03, seen  # streets drawn, in the road colour
    assert seen["onLand"] / seen["total"] > 0.5, seen   # between them, land
    street, blocks = seen["at"][:len(on_street)], seen["at"][len(on_street):]
    assert len(street) >= 4
    assert all(close(c, road) for c in street), street  # the street is where the file says
    assert all(close(c, land) for c in blocks), blocks   # and the blocks beside it are land


def test_the_console_draws_the_vector_streets_of_the_servers_own_file(
    chromium: Any, server: Server, artifacts: Path, street_map: StreetMap,
) -> None:
    write_street_map(street_map.path, lat=CENTRE[0], lon=CENTRE[1], spacing_m=SPACING_M)
    look_at_the_streets(chromium, server, artifacts, "vector", LAND, ROAD)


def test_a_raster_file_put_in_its_place_is_drawn_as_pictures(
    chromium: Any, server: Server, artifacts: Path, street_map: StreetMap,
) -> None:
    """An operator swaps the file (a raster export of another tile server) without a
    restart: the next console that opens draws its PNG tiles."""
    write_street_map(street_map.path, lat=CENTRE[0], lon=CENTRE[1], spacing_m=SPACING_M,
                     raster=True)
    look_at_the_streets(chromium, server, artifacts, "raster", RASTER_LAND, RASTER_ROAD)
