"""Run a throwaway server process until it accepts TCP on its port; always clean it up.

Shared by the NATS and Mosquitto helpers: both start a system binary on a free loopback
port and must fail in CI (skip locally) when it does not come up.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Iterator

from support.postgres import require_or_skip

START_TIMEOUT_S = 20


def accepting(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start(argv: list[str], port: int, name: str) -> subprocess.Popen[bytes]:
    """Start ``argv`` and wait until ``port`` accepts; fail (CI) or skip when it does not."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + START_TIMEOUT_S
    while not accepting(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            stop(proc)
            require_or_skip(f"{name} did not start: {err[-500:]}")
        time.sleep(0.05)
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (a broker saves its state on it), then SIGKILL if it does not go in 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stderr is not None:
        proc.stderr.close()


@contextlib.contextmanager
def serving(argv: list[str], port: int, name: str) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``argv``, wait until ``port`` accepts, yield the process, stop it afterwards."""
    proc = start(argv, port, name)
    try:
        yield proc
    finally:
        stop(proc)
