"""A real SafetyZone server in a subprocess, with the demo loaded, for the browser tests; and
the device side that feeds it (patrol units with trackers, SOS presses) through the API."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from safetyzone import migrations
from safetyzone.config import Settings
from safetyzone.core.db import Database
from safetyzone.demo import loader
from support.postgres import free_loopback_port, require_or_skip

PASSWORD = "console-test-password"
SECRET = "console-test-secret-key-long-enough-0123456789"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic",
                 # The alert beep plays without a click first, as on a wall screen left running.
                 "--autoplay-policy=no-user-gesture-required"]


@contextlib.contextmanager
def chromium(*extra_args: str) -> Iterator[Any]:
    """The system's Chromium driven by Playwright; skipped locally, failed in CI, if absent.

    Open it once per test module, not per session: sync Playwright keeps an event loop
    running in its thread, which would break every later test that calls asyncio.run().
    """
    require_chromium()
    from playwright.sync_api import sync_playwright

    manager = sync_playwright().start()
    try:
        browser = manager.chromium.launch(executable_path=CHROMIUM,
                                          args=[*CHROMIUM_ARGS, *extra_args])
    except Exception as err:
        manager.stop()
        require_or_skip(f"Chromium could not be started: {err}")
    try:
        yield browser
    finally:
        browser.close()
        manager.stop()


def require_chromium() -> None:
    """Skip (locally) or fail (CI) unless Playwright and the system's Chromium are here: a
    server for browser tests is started only when a browser can open its pages."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        require_or_skip("playwright is not installed (pip install -e '.[test]')")
    if not Path(CHROMIUM).exists():
        require_or_skip(f"no system Chromium at {CHROMIUM} (scripts/install-system-deps)")


_demo_template: Path | None = None


def prepare_demo(data_dir: Path) -> None:
    """Migrate and load the demo, as `ssz demo` would, but without serving.

    The demo is built once per test process and copied for each server after that: every
    browser module gets the same fresh demo without paying for the load again.
    """
    global _demo_template
    if _demo_template is None:
        template = Path(tempfile.mkdtemp(prefix="ssz-demo-template-"))
        settings = Settings(data_dir=template, secret_key=SECRET, demo_password=PASSWORD)
        db = Database(settings.effective_database_url)
        try:
            migrations.upgrade(db.engine)
            loader.load_demo(db, settings)
        finally:
            db.dispose()
        _demo_template = template
    shutil.copytree(_demo_template, data_dir, dirs_exist_ok=True)


def log_in(page: Any, url: str, username: str) -> None:
    """Log in on the console's page as a person does, and wait until it is ready to use."""
    page.goto(f"{url}/login")
    page.wait_for_selector("body[data-ready=true]")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console")
    page.wait_for_selector("body[data-ready=true]", timeout=20_000)


def fresh_artifacts(name: str) -> Path:
    """test-artifacts/<name>, emptied: the screenshots of this run only."""
    folder = Path(__file__).resolve().parents[2] / "test-artifacts" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextlib.contextmanager
def demo_server(folder: Path, **env: str) -> Iterator[Server]:
    """`ssz serve` on a fresh copy of the demo, in its own process, on a free port."""
    prepare_demo(folder / "data")
    running = Server(folder / "data", free_loopback_port(), folder / "server.log", **env)
    running.start()
    try:
        yield running
    finally:
        running.stop()


class Server:
    """`ssz serve` on a fixed port and data directory; can be stopped and started again."""

    def __init__(self, data_dir: Path, port: int, log: Path, **env: str) -> None:
        self.data_dir = data_dir
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 60) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SSZ_")}
        # The test environment: the console page then loads the browser tests' hooks
        # (window.__ssz), which a production page never has.
        # No monthly archive drawing in the background (from the 2nd of a month it would
        # take the CPU the journeys' bounded waits count on), and no recording (the demo
        # records a few cameras on alarm: an ffmpeg encoding each); a test may turn them on.
        env.update({"SSZ_ENVIRONMENT": "test", "SSZ_SECRET_KEY": SECRET,
                    "SSZ_LOG_LEVEL": "WARNING", "SSZ_REPORTS_MONTHLY_ARCHIVE_DAY": "0",
                    "SSZ_RECORDING_ENABLED": "false", **self.env})
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "safetyzone", "serve", "--port", str(self.port),
                 "--data-dir", str(self.data_dir)], env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ssz serve exited early:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"ssz serve did not become ready:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


class Field:
    """The outside world of one station: an admin's API session, trackers and SOS buttons."""

    def __init__(self, url: str, station: str) -> None:
        self.url = url
        self.station = station
        self.http = httpx.Client(base_url=url, timeout=10)
        self._admin: dict[str, str] | None = None
        self._admin_at = 0.0

    def token(self, username: str) -> str:
        response = self.http.post("/api/v1/auth/token",
                                  data={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    @property
    def admin(self) -> dict[str, str]:
        if self._admin is None or time.monotonic() - self._admin_at > 30:
            self._admin = {"Authorization": f"Bearer {self.token('admin')}"}
            self._admin_at = time.monotonic()
        return self._admin

    def get(self, path: str, **params: Any) -> Any:
        response = self.http.get(path, params=params, headers=self.admin)
        assert response.status_code == 200, response.text
        return response.json()

    def asset(self, code: str) -> dict[str, Any]:
        items = self.get("/api/v1/assets", q=code)["items"]
        asset: dict[str, Any] = next(a for a in items if a["code"] == code)
        return asset

    def credential(self, kind: str, subject_id: str, label: str) -> str:
        response = self.http.post("/api/v1/devices", headers=self.admin, json={
            "station_code": self.station, "subject_kind": kind, "subject_id": subject_id,
            "label": label})
        assert response.status_code == 201, response.text
        token: str = response.json()["token"]
        return token

    def event(self, token: str, kind: str, **fields: Any) -> dict[str, Any]:
        body = {"kind": kind, "device_event_id": uuid.uuid4().hex,
                "event_time": datetime.now(UTC).isoformat(), **fields}
        response = self.http.post("/api/v1/intake/events", json=body,
                                  headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        ack: dict[str, Any] = response.json()
        return ack

    def unit(self, code: str, lat: float, lon: float) -> str:
        """A patrol car on duty, placed by a first GPS fix from its own tracker."""
        response = self.http.post("/api/v1/units", headers=self.admin, json={
            "station_code": self.station, "code": code, "callsign": f"สายตรวจ {code}",
            "kind": "car", "status": "available"})
        assert response.status_code == 201, response.text
        unit_id: str = response.json()["id"]
        tracker = self.credential("unit", unit_id, f"tracker {code}")
        self.event(tracker, "gps.position", location={"lat": lat, "lon": lon})
        return unit_id

    def sos_button(self, code: str) -> tuple[dict[str, Any], str]:
        asset = self.asset(code)
        return asset, self.credential("asset", asset["id"], f"SOS {code}")

    def __enter__(self) -> Field:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()
