"""Throwaway NATS servers with JetStream, for tests that need the real broker.

Like the PostgreSQL helper: a private server on a free loopback port with its own storage
directory, never the machine's own NATS on 4222; fails in CI when it cannot start.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from support.postgres import free_loopback_port, require_or_skip
from support.processes import serving


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


@contextlib.contextmanager
def throwaway_nats() -> Iterator[NatsServer]:
    binary = nats_binary()
    if binary is None:
        require_or_skip("nats-server is not installed (scripts/install-system-deps installs it)")
    store = Path(tempfile.mkdtemp(prefix="ssz-nats-"))
    port = free_loopback_port()
    while port == 4222:
        port = free_loopback_port()
    try:
        with serving([binary, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(store)],
                     port, "nats-server"):
            yield NatsServer(port, store)
    finally:
        shutil.rmtree(store, ignore_errors=True)
