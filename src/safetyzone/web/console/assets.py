"""Where the console's third-party browser files live, and their mounts on the app.

Leaflet, the Sarabun font, Swagger UI, ReDoc, jsQR, pmtiles, protomaps-leaflet and hls.js come from
npm (``package.json`` at the repository root, installed into ``node_modules`` by ``npm ci``).
A console without them would show a blank map and Thai text as empty boxes (and /docs a
blank page), so the app refuses to start instead, and says what to run.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
# The browser tests' hooks: served (and loaded by the console page) only in the test
# environment, so no production page carries window.__ssz.
TESTING = HERE / "testing"
# (URL prefix, directory inside node_modules, a file that must be there)
VENDOR = (
    ("/vendor/leaflet", "leaflet/dist", "leaflet-src.esm.js"),
    ("/vendor/sarabun", "@fontsource/sarabun", "files/sarabun-thai-400-normal.woff2"),
    # The API documentation pages (/docs, /redoc; web/apidocs.py).
    ("/vendor/swagger-ui", "swagger-ui-dist", "swagger-ui-bundle.js"),
    ("/vendor/redoc", "redoc/bundles", "redoc.standalone.js"),
    # The officer app's QR scanner (web/officer_app: red box check-ins).
    ("/vendor/jsqr", "jsqr/dist", "jsQR.js"),
    # The street map file (SSZ_TILES_FILE) on the console: the PMTiles reader, and the vector
    # renderer on a Leaflet layer (static/js/basemap.js). Both are classic-script bundles:
    # their ES modules import bare package names a browser cannot resolve without a bundler.
    ("/vendor/pmtiles", "pmtiles/dist", "pmtiles.js"),
    ("/vendor/protomaps-leaflet", "protomaps-leaflet/dist", "protomaps-leaflet.js"),
    # Live camera video: HLS restreamed by the server (video/live.py), played through MSE.
    ("/vendor/hls", "hls.js/dist", "hls.light.mjs"),
)


class ConsoleAssetsMissing(RuntimeError):
    """The npm packages the console serves are not installed."""


def find_node_modules(start: Path = HERE) -> Path:
    """The ``node_modules`` holding the console's packages, looked for from the package up."""
    for folder in (start, *start.parents):
        candidate = folder / "node_modules"
        if all((candidate / sub / probe).is_file() for _, sub, probe in VENDOR):
            return candidate
    wanted = ", ".join(f"node_modules/{sub}" for _, sub, _ in VENDOR)
    raise ConsoleAssetsMissing(
        f"the console's browser packages are missing ({wanted}, looked for from {start} "
        "upwards): run `npm ci` in the SafetyZone repository root")


def mount(app: FastAPI, node_modules: Path | None = None, *, test_hooks: bool = False) -> None:
    """Serve the console's own files and the npm packages it uses (and, for a test server
    only, the browser tests' hooks under /console/test)."""
    modules = node_modules or find_node_modules()
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
    if test_hooks:
        app.mount("/console/test", StaticFiles(directory=TESTING), name="console-test")
    for prefix, sub, _ in VENDOR:
        app.mount(prefix, StaticFiles(directory=modules / sub), name=prefix.strip("/"))
