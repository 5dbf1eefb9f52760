"""No token reaches a log line: masked in every record, checked on a real server's output."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time

import httpx
import pytest
from websockets.sync.client import connect

from safetyzone.core import redact
from support.postgres import free_loopback_port
from support.world import PASSWORD, World


def test_redact_masks_secret_query_values_only() -> None:
    line = ('127.0.0.1:5 - "GET /api/v1/stream?access_token=eyJ.a.b&after=7&ticket=T1 '
            'HTTP/1.1" 101 /x?refresh_token=r&token=t&q=plain')
    assert redact.redact(line) == (
        '127.0.0.1:5 - "GET /api/v1/stream?access_token=***&after=7&ticket=*** '
        'HTTP/1.1" 101 /x?refresh_token=***&token=***&q=plain')
    open311 = '"GET /open311/v2/requests.json?status=open&api_key=o311_AbC-9 HTTP/1.1" 200'
    assert redact.redact(open311) == (
        '"GET /open311/v2/requests.json?status=open&api_key=*** HTTP/1.1" 200')


def test_records_of_any_logger_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    redact.install()
    redact.install()  # idempotent
    with caplog.at_level(logging.INFO):
        logging.getLogger("anything").info('%s - "WebSocket %s"', "1.2.3.4",
                                           "/api/v1/stream?access_token=SECRET1")
        logging.getLogger("other").warning("GET /x?ticket=SECRET2 failed")
    assert "SECRET" not in caplog.text
    assert "access_token=***" in caplog.text and "ticket=***" in caplog.text


def test_a_real_server_logs_no_token(db_url: str, world: World) -> None:
    """``ssz serve`` with its default (uvicorn) logging: the access and WebSocket lines."""
    port = free_loopback_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSZ_")}
    env["SSZ_DATABASE_URL"] = db_url
    proc = subprocess.Popen([sys.executable, "-m", "safetyzone", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, "ssz serve exited early"
            assert time.monotonic() < deadline, "ssz serve did not become ready"
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        access = httpx.post(f"{url}/api/v1/auth/token", data={
            "username": "a.operator", "password": PASSWORD}).json()["access_token"]
        headers = {"Authorization": f"Bearer {access}"}
        ticket = httpx.post(f"{url}/api/v1/stream/tickets", headers=headers).json()["ticket"]
        for query in (f"access_token={access}", f"ticket={ticket}"):
            with connect(f"ws://127.0.0.1:{port}/api/v1/stream?{query}") as ws:
                assert '"hello"' in str(ws.recv(timeout=10))
        httpx.get(f"{url}/api/v1/zones?token={access}", headers=headers)
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=30)
    assert "/api/v1/stream?access_token=***" in output, output[-2000:]
    assert "ticket=***" in output
    assert access not in output and access.split(".")[2] not in output
    assert ticket not in output
