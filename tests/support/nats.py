"""Throwaway NATS servers with JetStream, for tests that need the real broker.

Like the PostgreSQL helper: a private server on a free loopback port with its own storage
directory, never the machine's own NATS on 4222; fails in CI when it cannot start.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from support.postgres import free_loopback_port, require_or_skip

START_TIMEOUT_S = 20


@dataclass(frozen=True)
class NatsServer:
    port: int
    store_dir: Path

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"


def nats_binary() -> str | None:
    return shutil.which("nats-server") or next(
        (p for p in ("/usr/sbin/nats-server", "/usr/bin/nats-server") if Path(p).exists()), None)


def _accepting(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def throwaway_nats() -> Iterator[NatsServer]:
    binary = nats_binary()
    if binary is None:
        require_or_skip("nats-server is not installed (scripts/install-system-deps installs it)")
    store = Path(tempfile.mkdtemp(prefix="ssz-nats-"))
    port = free_loopback_port()
    while port == 4222:
        port = free_loopback_port()
    proc = subprocess.Popen([binary, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(store)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _accepting(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                require_or_skip(f"nats-server did not start: {err[-500:]}")
            time.sleep(0.05)
        yield NatsServer(port, store)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
        shutil.rmtree(store, ignore_errors=True)
