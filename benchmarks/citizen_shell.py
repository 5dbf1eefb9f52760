"""The citizen app's first load on a phone, in bytes: raw and as sent (gzip), against the
150 KB budget of issue 9.

    .venv/bin/python benchmarks/citizen_shell.py [--json PATH]

The app runs in this process (``create_app`` on a fresh, migrated SQLite database, spoken
to through httpx's ASGI transport, so every byte is counted as the app sends it, middleware
included). The script then does what a browser does on a first visit to ``/citizen``:

1. the page, then every file it names (``<script src>``, ``<link href>``: style sheet,
   module preloads, manifest, icons), then recursively what those name: ``url(...)`` and
   ``@import`` in style sheets (the fonts), static ``import``/``export ... from`` in ES
   modules, the icons in the manifest, and the service worker the scripts register;
2. the service worker's install: every URL of its shell list, with ``Cache-Control:
   no-cache`` as ``cache.addAll`` sends it, i.e. a conditional request for a file already
   loaded (``If-None-Match``/``If-Modified-Since``; a 304 costs no body) and a full one for
   the rest (the other language's words, the icons the page did not name, the page itself,
   which has no validator).

Each file is counted once per download with ``Accept-Encoding: gzip, deflate, br`` (a
phone's header); "sent" is the body on the wire. Leaflet is not part of the shell: the app
loads it on a map's first use (``js/map.js``); its cost is printed on its own line. Headers
are not counted (HTTP/2 compresses them to a few dozen bytes a request).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import re
import sys
import tempfile
from dataclasses import asdict, dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from safetyzone import migrations
from safetyzone.config import Settings
from safetyzone.core.db import Database
from safetyzone.web.app import create_app
from safetyzone.web.citizen_app import pages

BUDGET = 150 * 1024
START = "/citizen"
BASE = "http://phone.local"
ACCEPT = {"Accept-Encoding": "gzip, deflate, br"}
SECRET = "benchmark-only-secret-key-0123456789abcdef"  # noqa: S105 - a throwaway app's key
IMPORT = re.compile(r"""(?:^|[;\s])(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]"""
                    r"""|(?:^|[;\s])import\s*['"]([^'"]+)['"]""", re.M)
DYNAMIC = re.compile(r"""\bimport\(\s*['"]([^'"]+)['"]\s*\)""")
WORKER = re.compile(r"""serviceWorker\.register\(\s*['"]([^'"]+)['"]""")
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


@dataclass
class Fetched:
    url: str
    why: str
    status: int
    content_type: str
    raw: int
    sent: int
    encoding: str


class Names(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("href"):
            self.urls.append((str(found["href"]), f"link rel={found.get('rel')}"))
        elif tag in ("script", "img") and found.get("src"):
            self.urls.append((str(found["src"]), tag))


class Browser:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.seen: dict[str, Fetched] = {}
        self.validators: dict[str, dict[str, str]] = {}
        self.worker: str | None = None
        self.lazy: set[str] = set()

    async def get(self, url: str, why: str, headers: dict[str, str] | None = None,
                  ) -> tuple[Fetched, bytes]:
        async with self.client.stream("GET", url, headers={**ACCEPT, **(headers or {})}) as answer:
            wire = b"".join([chunk async for chunk in answer.aiter_raw()])
        encoding = answer.headers.get("content-encoding", "")
        assert encoding in ("", "gzip"), f"{url}: unexpected encoding {encoding}"
        body = gzip.decompress(wire) if encoding == "gzip" else wire
        fetched = Fetched(url, why, answer.status_code,
                          answer.headers.get("content-type", "").split(";")[0],
                          len(body), len(wire), encoding)
        keep = {k: answer.headers[v] for k, v in (("If-None-Match", "etag"),
                                                   ("If-Modified-Since", "last-modified"))
                if v in answer.headers}
        if keep:
            self.validators[url] = keep
        return fetched, body

    async def visit(self, url: str, why: str) -> None:
        path = urlsplit(urljoin(BASE + START, url)).path
        if path in self.seen:
            return
        fetched, body = await self.get(path, why)
        self.seen[path] = fetched
        if fetched.status != 200:
            raise SystemExit(f"{path} answered {fetched.status}: the shell is broken")
        text = body.decode("utf-8", "replace")
        kind = fetched.content_type
        found: list[tuple[str, str]] = []
        if kind == "text/html":
            names = Names()
            names.feed(text)
            found = names.urls
        elif kind == "text/css":
            found = [(a or b, f"css of {path}") for a, b in CSS_URL.findall(text)]
        elif kind in ("text/javascript", "application/javascript"):
            found = [(a or b, f"import in {path}") for a, b in IMPORT.findall(text)]
            self.lazy |= {urljoin(BASE + path, u) for u in DYNAMIC.findall(text)}
            for worker in WORKER.findall(text):
                self.worker = worker
        elif kind == "application/manifest+json":
            found = [(icon["src"], "manifest icon") for icon in json.loads(text)["icons"]]
        for name, reason in found:
            await self.visit(urljoin(BASE + path, name), reason)

    async def install_worker(self) -> list[Fetched]:
        """The worker script, then its shell list as ``cache.addAll`` with 'no-cache' asks."""
        assert self.worker, "the app registers no service worker"
        fetched, body = await self.get(self.worker, "service worker")
        found = re.search(r"const SHELL = (\[.*?\]);", body.decode())
        assert found, "no shell list in the worker"
        installed = [fetched]
        for url in json.loads(found.group(1)):
            ask = {"Cache-Control": "no-cache", **self.validators.get(url, {})}
            again, _ = await self.get(url, "worker install", ask)
            if again.status not in (200, 304):
                raise SystemExit(f"{url} answered {again.status}: the worker would not install")
            if again.status == 304:
                again.raw = again.sent = 0
            installed.append(again)
        return installed


def table(rows: list[Fetched]) -> None:
    print(f"{'file':58} {'raw B':>8} {'sent B':>8}  enc   status")
    for row in rows:
        print(f"{row.url[:58]:58} {row.raw:8,} {row.sent:8,}  {row.encoding or '-':5} {row.status}")


async def measure() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(environment="test", data_dir=Path(folder), secret_key=SECRET)
        db = Database(settings.effective_database_url)
        migrations.upgrade(db.engine)
        try:
            app = create_app(settings, db)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
                browser = Browser(client)
                await browser.visit(START, "the page")
                installed = await browser.install_worker()
                lazy = []
                for url in pages.LEAFLET:
                    fetched, _ = await browser.get(url, "first map")
                    lazy.append(fetched)
        finally:
            db.dispose()
    page = list(browser.seen.values())
    page_sent = sum(f.sent for f in page)
    install_sent = sum(f.sent for f in installed)
    total_sent = page_sent + install_sent
    print("First visit to /citizen: the page and everything it names")
    table(page)
    print(f"{'page load':58} {sum(f.raw for f in page):8,} {page_sent:8,}")
    print("\nService worker install (304 = already loaded, revalidated: no body)")
    table(installed)
    print(f"{'worker install':58} {sum(f.raw for f in installed):8,} {install_sent:8,}")
    print(f"\nFIRST VISIT TOTAL sent: {total_sent:,} B = {total_sent / 1024:.1f} KB; "
          f"budget {BUDGET // 1024} KB; ratio {total_sent / BUDGET:.2f}")
    lazy_sent = sum(f.sent for f in lazy)
    print(f"Leaflet, on a map's first use (not in the shell): {lazy_sent:,} B sent "
          f"({', '.join(f'{f.url} {f.sent:,}' for f in lazy)})")
    by_kind: dict[str, int] = {}
    for f in [*page, *installed]:
        by_kind[f.content_type or "-"] = by_kind.get(f.content_type or "-", 0) + f.sent
    print("By type (sent): " + ", ".join(f"{k} {v:,}" for k, v in sorted(by_kind.items())))
    return {
        "page_files": len(page), "page_raw": sum(f.raw for f in page), "page_sent": page_sent,
        "install_sent": install_sent, "total_sent": total_sent, "budget": BUDGET,
        "ratio_to_budget": round(total_sent / BUDGET, 3), "leaflet_sent": lazy_sent,
        "by_type": by_kind, "files": [asdict(f) for f in [*page, *installed]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    figures = asyncio.run(measure())
    line = json.dumps(figures)
    if args.json:
        args.json.write_text(line + "\n")
    print(line if len(line) < 4000 else json.dumps(
        {k: v for k, v in figures.items() if k != "files"}))
    sys.exit(0)


if __name__ == "__main__":
    main()
