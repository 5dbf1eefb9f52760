"""Throwaway Mosquitto brokers, for tests that need the real MQTT broker.

Like the NATS helper: a private broker on a free loopback port with its own config file,
never the machine's own broker on 1883; fails in CI when it cannot start, skips locally.
With ``persistent=True`` the broker keeps sessions and queued messages in its own directory
and can be stopped (SIGTERM: mosquitto writes its store then) and started again on the same
port, as an operator restarting the broker would.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from support import processes
from support.postgres import free_loopback_port, require_or_skip

SYSTEM_PORT = 1883


class _Process:
    """One broker process that can be stopped and started again with the same config."""

    def __init__(self, argv: list[str], port: int) -> None:
        self.argv = argv
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert self.proc is None, "already running"
        self.proc = processes.start(self.argv, self.port, "mosquitto")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            processes.stop(proc)


@dataclass(frozen=True)
class MosquittoServer:
    port: int
    username: str | None = None
    password: str | None = None
    _process: _Process | None = field(default=None, compare=False, repr=False)

    def stop(self) -> None:
        """Stop the broker (SIGTERM); a persistent one saves its sessions and queues first."""
        assert self._process is not None
        self._process.stop()

    def start(self) -> None:
        """Start it again on the same port, with the same config and store."""
        assert self._process is not None
        self._process.start()


def _binary(name: str) -> str | None:
    return shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if Path(p).exists()), None)


def mosquitto_binary() -> str | None:
    return _binary("mosquitto")


def passwd_binary() -> str | None:
    return _binary("mosquitto_passwd")


@contextlib.contextmanager
def throwaway_mosquitto(users: dict[str, str] | None = None, *, persistent: bool = False
                        ) -> Iterator[MosquittoServer]:
    """A broker on 127.0.0.1; anonymous, or with a password file holding ``users``;
    ``persistent``: with a store on disk, as production runs it (docs/devices/mqtt.md)."""
    binary = mosquitto_binary()
    if binary is None:
        require_or_skip("mosquitto is not installed (scripts/install-system-deps installs it)")
    workdir = Path(tempfile.mkdtemp(prefix="ssz-mosquitto-"))
    port = free_loopback_port()
    while port == SYSTEM_PORT:
        port = free_loopback_port()
    lines = [f"listener {port} 127.0.0.1", "log_type error", "log_type warning"]
    if persistent:
        store = workdir / "store"
        store.mkdir()
        store.chmod(0o777)  # run as root, mosquitto drops to its own user, which writes here
        workdir.chmod(0o755)
        lines += ["persistence true", f"persistence_location {store}/"]
    else:
        lines.append("persistence false")
    if users:
        tool = passwd_binary()
        if tool is None:
            require_or_skip("mosquitto_passwd is not installed")
        password_file = workdir / "passwd"
        for user, password in users.items():
            subprocess.run([tool, *([] if password_file.exists() else ["-c"]), "-b",
                            str(password_file), user, password], check=True,
                           capture_output=True)
        # Run as root, mosquitto drops to its own user, which must still read the file.
        workdir.chmod(0o755)
        password_file.chmod(0o644)
        lines += ["allow_anonymous false", f"password_file {password_file}"]
    else:
        lines.append("allow_anonymous true")
    config = workdir / "mosquitto.conf"
    config.write_text("\n".join(lines) + "\n")
    process = _Process([binary, "-c", str(config)], port)
    try:
        process.start()
        user = next(iter(users.items()), None) if users else None
        yield MosquittoServer(port, *(user or (None, None)), _process=process)
    finally:
        process.stop()
        shutil.rmtree(workdir, ignore_errors=True)
