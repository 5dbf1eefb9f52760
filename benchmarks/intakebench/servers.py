"""The servers the intake benchmark runs: the real app in a subprocess, and a canned-answer one."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from intakebench.client import content_length
from intakebench.common import HOST, ROOT, SCRIPT, run
from intakebench.world import Fixture, server_settings

# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def serve_main(db_url: str, data_dir: Path, port: int, access_log: bool,
               engine: bool = True) -> None:
    """Subprocess entry: what ``ssz serve`` runs (cli._serve), on a given port.

    ``engine=False`` is a what-if, not a configuration: the CCOC engine ignores the bus, so
    events are stored and acknowledged but never processed. It shows what intake alone costs.
    """
    import uvicorn

    from safetyzone.core.db import Database
    from safetyzone.ops.engine import Engine
    from safetyzone.web.app import create_app

    if not engine:
        async def ignore(self: Engine, message: Any) -> None:
            return None

        Engine._on_message = ignore  # type: ignore[method-assign]
    threading.Thread(target=publish_threads, args=(data_dir / "threads.json",), daemon=True,
                     name="bench-threads").start()

    logging.basicConfig(level="INFO", format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = create_app(server_settings(data_dir), Database(db_url))
    uvicorn.run(app, host=HOST, port=port, log_level="info", access_log=access_log)


def publish_threads(path: Path) -> None:
    """Server side: thread name -> native id, so the benchmark can read each thread's CPU."""
    while True:
        names: dict[str, list[int]] = {}
        for thread in threading.enumerate():
            if thread.native_id is not None:
                names.setdefault(thread.name, []).append(thread.native_id)
        path.with_suffix(".tmp").write_text(json.dumps(names))
        path.with_suffix(".tmp").replace(path)
        time.sleep(0.5)


CANNED = (b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 15\r\n\r\n"
          b'{"status":"ok"}')


class _Canned(asyncio.Protocol):
    """Answers every HTTP/1.1 request (body by Content-Length) with a fixed response."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is no subclass
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            length = content_length(self.buffer[:end + 2])
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length:]
            self.transport.write(CANNED)


def canned_main(port: int) -> None:
    """Subprocess entry: the trivial server that measures the load generator's own ceiling."""
    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(_Canned, HOST, port)
        async with server:
            await server.serve_forever()

    run(main())


class Server:
    """A subprocess server on a free port; stopped (killed if need be) on exit."""

    def __init__(self, args: list[str], port: int, log: Path) -> None:
        self.port = port
        self.log = log
        with log.open("wb") as out:
            self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and script
                [sys.executable, str(SCRIPT), *args, "--port", str(port)],
                stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, path: str = "/healthz", seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as s:
                    s.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
                    if s.recv(64).startswith(b"HTTP/1.1 200"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server not ready after {seconds} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                # The engine drains its queue on a graceful stop; a backlog is not our business.
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@contextlib.contextmanager
def app_server(fixture: Fixture, directory: Path, name: str, access_log: bool,
               engine: bool = True) -> Iterator[tuple[Server, Path]]:
    """A fresh copy of the world database and the real server on it."""
    data = directory / name
    data.mkdir()
    db_path = data / "safetyzone.db"
    shutil.copy(fixture.template, db_path)
    args = ["--serve", "--db-url", f"sqlite:///{db_path}", "--data-dir", str(data)]
    if not access_log:
        args.append("--no-access-log")
    if not engine:
        args.append("--engine-off")
    server = Server(args, free_port(), data / "server.log")
    try:
        server.wait_ready()
        yield server, db_path
    finally:
        server.stop()


@contextlib.contextmanager
def canned_server(directory: Path) -> Iterator[Server]:
    server = Server(["--canned"], free_port(), directory / "canned.log")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
