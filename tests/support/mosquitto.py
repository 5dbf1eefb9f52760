"""Throwaway Mosquitto brokers, for tests that need the real MQTT broker.

Like the NATS helper: a private broker on a free loopback port with its own config file,
never the machine's own broker on 1883; fails in CI when it cannot start, skips locally.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from support.postgres import free_loopback_port, require_or_skip
from support.processes import serving

SYSTEM_PORT = 1883


@dataclass(frozen=True)
class MosquittoServer:
    port: int
    username: str | None = None
    password: str | None = None


def _binary(name: str) -> str | None:
    return shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if Path(p).exists()), None)


def mosquitto_binary() -> str | None:
    return _binary("mosquitto")


def passwd_binary() -> str | None:
    return _binary("mosquitto_passwd")


@contextlib.contextmanager
def throwaway_mosquitto(users: dict[str, str] | None = None) -> Iterator[MosquittoServer]:
    """A broker on 127.0.0.1; anonymous, or with a password file holding ``users``."""
    binary = mosquitto_binary()
    if binary is None:
        require_or_skip("mosquitto is not installed (scripts/install-system-deps installs it)")
    workdir = Path(tempfile.mkdtemp(prefix="ssz-mosquitto-"))
    port = free_loopback_port()
    while port == SYSTEM_PORT:
        port = free_loopback_port()
    lines = [f"listener {port} 127.0.0.1", "persistence false"]
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
    try:
        with serving([binary, "-c", str(config)], port, "mosquitto"):
            user = next(iter(users.items()), None) if users else None
            yield MosquittoServer(port, *(user or (None, None)))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
