"""The ``ssz`` command as a person runs it: a real process, a real port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from safetyzone import migrations
from safetyzone.cli import app
from support.postgres import free_loopback_port

runner = CliRunner()


def test_serve_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    result = runner.invoke(app, ["serve", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "ssz db upgrade" in result.output


def test_db_upgrade_then_check(tmp_path: Path) -> None:
    assert runner.invoke(app, ["db", "check", "--data-dir", str(tmp_path)]).exit_code == 2
    upgraded = runner.invoke(app, ["db", "upgrade", "--data-dir", str(tmp_path)])
    assert upgraded.exit_code == 0, upgraded.output
    assert f"revision {migrations.head_revision()}" in upgraded.output
    checked = runner.invoke(app, ["db", "check", "--data-dir", str(tmp_path)])
    assert checked.exit_code == 0
    assert "current" in checked.output


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[tuple[str, str, subprocess.Popen[str]]]:
    port = free_loopback_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSZ_")}
    env["SSZ_DEMO_PASSWORD"] = "demo-password-for-the-test"
    proc = subprocess.Popen(
        [sys.executable, "-m", "safetyzone", "demo", "--port", str(port),
         "--data-dir", str(tmp_path / "demo"), "--history-days", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # loading the demo takes seconds on a slow machine
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"ssz demo exited early:\n{proc.stdout.read() if proc.stdout else ''}")
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        else:
            pytest.fail("ssz demo did not become ready")
        yield url, "demo-password-for-the-test", proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_demo_starts_a_server_with_the_seed_zones(
    demo_server: tuple[str, str, subprocess.Popen[str]],
) -> None:
    url, password, proc = demo_server
    token = httpx.post(f"{url}/api/v1/auth/token",
                       data={"username": "admin", "password": password}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    zones = httpx.get(f"{url}/api/v1/zones", headers=headers).json()
    assert zones["total"] == 4
    assert {z["code"] for z in zones["items"]} == {"PCR-KBL", "RYG-CITY", "PLK-BKL", "ATG-KRS"}
    operator = httpx.post(f"{url}/api/v1/auth/token",
                          data={"username": "ryg.operator", "password": password}).json()
    seen = httpx.get(f"{url}/api/v1/zones",
                     headers={"Authorization": f"Bearer {operator['access_token']}"}).json()
    assert [z["code"] for z in seen["items"]] == ["RYG-CITY"]
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=20)
    assert "pcr.operator" in output
    assert "demo-password-for-the-test" in output
    assert f"{url}/docs" in output
    assert "history (simulated, marked demo data; off: --no-history): 2 days for 4 stations" \
        in output
