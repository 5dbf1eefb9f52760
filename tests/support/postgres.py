"""Throwaway PostgreSQL servers for tests that need the real database.

Why a private server per test session instead of "the PostgreSQL on localhost":

* a fresh developer machine or CI runner may have no server running at all, or one holding
  data somebody cares about; tests must never depend on or touch it (port 5432);
* a server we start ourselves has known settings (trust auth, UTF-8, UTC, no fsync) so the
  tests behave the same everywhere and run fast.

Each server lives in one temporary directory (data dir, unix socket, log) that is removed
when the context manager exits, also when the test session fails.

``initdb`` and ``postgres`` refuse to run as root. Tests run as root in containers and CI,
so when the effective uid is 0 the server programs run as the ``postgres`` system account
(the one Debian's ``postgresql`` package creates); otherwise they run as the current user.

A test may ``stop()`` and ``start()`` its server (same port, same data directory) to see
what the application does while the database is away and after it comes back.

Set ``SSZ_TEST_PG_BINDIR`` to force a directory holding ``initdb``, ``pg_ctl`` and
``postgres`` (no fallback is tried then, which also lets a test break the lookup on purpose).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.rows import TupleRow

BINDIR_ENV = "SSZ_TEST_PG_BINDIR"
"""Environment variable naming the directory with ``initdb``/``pg_ctl``/``postgres``."""

SUPERUSER = "postgres"
"""Database superuser created by ``initdb``; trust auth, so no password."""

START_TIMEOUT_S = 30
"""Upper bound for a server to accept connections; beyond it the start is a failure."""

STOP_TIMEOUT_S = 10
"""Upper bound per ``pg_ctl stop`` mode (fast, then immediate) before SIGKILL."""

_REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres")
_SYSTEM_ACCOUNT = "postgres"
_SYSTEM_PORT = 5432
_DEBIAN_BINDIR_GLOB = "/usr/lib/postgresql/*/bin"
# sun_path holds 108 bytes; the socket file name ".s.PGSQL.NNNNN" needs ~15 of them.
_MAX_SOCKET_DIR_LEN = 90
_START_ATTEMPTS = 3
_PORT_CLASH = re.compile(r"could not bind|address already in use|could not create any TCP", re.I)


class PostgresUnavailableError(RuntimeError):
    """No throwaway server can be provided; the message is written for the person reading it."""


@dataclass
class _Process:
    """How to run (and the running process of) one server: what stop/start need."""

    bindir: Path
    account: pwd.struct_passwd | None
    root: Path
    proc: subprocess.Popen[bytes] | None = None


@dataclass(frozen=True)
class PostgresServer:
    """A running throwaway server; valid only inside its ``throwaway_postgres()`` block."""

    host: str
    port: int
    user: str
    socket_dir: Path
    data_dir: Path
    process: _Process = field(compare=False, repr=False)

    @property
    def pid(self) -> int:
        """The pid of the postmaster last started (it may have stopped since)."""
        assert self.process.proc is not None
        return self.process.proc.pid

    def stop(self) -> None:
        """Stop the server (fast shutdown: open sessions are cut), keeping its data."""
        if self.process.proc is not None:
            _stop(self.process.bindir, self.process.account, self.process.root, self.data_dir,
                  self.process.proc)

    def start(self) -> None:
        """Start the stopped server again on the same port and data directory."""
        if self.process.proc is not None and self.process.proc.poll() is None:
            return
        log = self.process.root / "server.log"
        log_start = log.stat().st_size if log.exists() else 0
        proc = _spawn(self.process, self.data_dir, self.port)
        self.process.proc = proc
        outcome = _wait_until_accepting(self, proc)
        if outcome is not None:
            self.stop()
            raise PostgresUnavailableError(
                f"PostgreSQL did not start again on {self.host}:{self.port}: {outcome[0]}\n"
                f"--- server log tail ---\n{_log_tail(log, log_start)}")

    def url(self, database: str = "postgres", driver: str = "postgresql+psycopg") -> str:
        """SQLAlchemy URL for ``database``; TCP on loopback so it works from any process."""
        user = quote(self.user, safe="")
        return f"{driver}://{user}@{self.host}:{self.port}/{quote(database, safe='')}"

    def conninfo(self, database: str = "postgres") -> str:
        """libpq connection string, for psycopg or ``psql`` without going through SQLAlchemy."""
        return make_conninfo(host=self.host, port=self.port, user=self.user, dbname=database)

    def connect(self, database: str = "postgres") -> psycopg.Connection[TupleRow]:
        """Autocommit psycopg connection: CREATE DATABASE and friends refuse transactions."""
        return psycopg.connect(self.conninfo(database), autocommit=True, connect_timeout=5)

    def create_database(self, name: str) -> str:
        """Create an empty database ``name`` and return its SQLAlchemy URL.

        A database per test module (or test) keeps tests independent without paying for
        another ``initdb``; the name is quoted as an identifier, so any string is safe.
        """
        with self.connect() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)


def in_ci() -> bool:
    """True when running in CI, where a missing test dependency must fail, not skip."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1"}


def require_or_skip(reason: str) -> NoReturn:
    """Skip on a developer machine, fail in CI.

    A skip in CI would let a broken runner report green while never touching the database;
    locally a skip with the reason is friendlier than a wall of errors.
    """
    if in_ci():
        pytest.fail(f"{reason} (CI=true, so this is a failure rather than a skip)", pytrace=False)
    pytest.skip(reason)


_HANDED_OUT: set[int] = set()


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it).

    There is a small race until the server binds it; ``throwaway_postgres`` retries on a
    bind failure, and other servers started by tests should do the same.
    """
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        # Never even look like the machine's own cluster; and never hand out one port twice
        # in a process (the OS may offer a just-released port again: two receivers of one
        # test on one port fail to start).
        if port != _SYSTEM_PORT and port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def process_is_running(pid: int) -> bool:
    """Whether ``pid`` is a live process; zombies count as gone.

    An exited but unreaped process (reparented to a PID 1 that reaps lazily, as in many
    containers) still answers ``kill(pid, 0)``, which would report a dead server as running.
    """
    if Path("/proc/self/stat").exists():
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return state not in {"Z", "X", "x"}
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def postgres_unavailable_reason() -> str | None:
    """Why a throwaway server cannot be started here, or None if it should work.

    Cheap checks only (binaries, account); a server that still fails to start is reported
    by ``throwaway_postgres`` with the server log.
    """
    try:
        _locate_bindir()
        _server_account()
    except PostgresUnavailableError as exc:
        return str(exc)
    return None


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[PostgresServer]:
    """Start a private PostgreSQL server, yield it, then stop it and delete all its files.

    Raises ``PostgresUnavailableError`` when the server cannot be provided; use
    ``throwaway_postgres_or_skip`` in fixtures to turn that into skip/fail.
    """
    bindir = _locate_bindir()
    account = _server_account()
    root = Path(tempfile.mkdtemp(prefix="ssz-pg-", dir=_base_tmpdir(account)))
    data_dir = root / "data"
    process = _Process(bindir, account, root)
    try:
        if account is not None:
            os.chown(root, account.pw_uid, account.pw_gid)
        _initdb(bindir, account, root, data_dir)
        _configure(data_dir, socket_dir=root)
        yield _start(process, data_dir)
    finally:
        try:
            if process.proc is not None:
                _stop(bindir, account, root, data_dir, process.proc)
        finally:
            _remove_in_background(root)


def _remove_in_background(root: Path) -> None:
    """Delete a stopped server's files without waiting for it.

    A test session clones a database per test (about 10 MB each), so a worker's cluster
    holds gigabytes in hundreds of thousands of files by the end; deleting them took up to
    a minute and a half at the end of a run, with nothing left to wait for. A detached
    ``rm -rf`` does it after the tests have finished; if it cannot start, it is done here.
    """
    try:
        subprocess.Popen(["rm", "-rf", "--", str(root)], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    except OSError:
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def throwaway_postgres_or_skip() -> Iterator[PostgresServer]:
    """``throwaway_postgres`` for fixtures: an unavailable server skips locally, fails in CI.

    Only start-up problems are converted; errors raised by the tests pass through untouched.
    """
    reason = postgres_unavailable_reason()
    if reason is not None:
        require_or_skip(reason)
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(throwaway_postgres())
        except PostgresUnavailableError as exc:
            require_or_skip(str(exc))
        yield server


# --- internals -------------------------------------------------------------------------


def _missing_binaries(bindir: Path) -> list[str]:
    return [
        name
        for name in _REQUIRED_BINARIES
        if not ((bindir / name).is_file() and os.access(bindir / name, os.X_OK))
    ]


def _version_key(bindir: Path) -> tuple[int, ...]:
    """Sort key for /usr/lib/postgresql/<version>/bin so that 16 beats 9.6."""
    return tuple(int(part) for part in re.findall(r"\d+", bindir.parent.name))


def _pg_config_bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    try:
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    out = result.stdout.strip()
    return Path(out) if result.returncode == 0 and out else None


def _locate_bindir() -> Path:
    """Find the server binaries; Debian keeps them off PATH under /usr/lib/postgresql."""
    override = os.environ.get(BINDIR_ENV, "").strip()
    if override:
        missing = _missing_binaries(Path(override))
        if missing:
            raise PostgresUnavailableError(
                f"{BINDIR_ENV}={override} does not contain the PostgreSQL server programs "
                f"(missing: {', '.join(missing)})"
            )
        return Path(override)

    candidates: list[Path] = []
    from_pg_config = _pg_config_bindir()
    if from_pg_config is not None:
        candidates.append(from_pg_config)
    candidates.extend(
        sorted((Path(p) for p in glob.glob(_DEBIAN_BINDIR_GLOB)), key=_version_key, reverse=True)
    )
    on_path = shutil.which("initdb")
    if on_path is not None:
        candidates.append(Path(on_path).resolve().parent)
    for candidate in candidates:
        if not _missing_binaries(candidate):
            return candidate
    looked = ", ".join(str(c) for c in candidates) or "nothing found"
    raise PostgresUnavailableError(
        "PostgreSQL server programs (initdb, pg_ctl, postgres) not found "
        f"(pg_config --bindir, {_DEBIAN_BINDIR_GLOB}, PATH; candidates: {looked}). "
        f"Run scripts/install-system-deps, or set {BINDIR_ENV}."
    )


def _server_account() -> pwd.struct_passwd | None:
    """The account to run the server as: None means "as the current user"."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(_SYSTEM_ACCOUNT)
    except KeyError:
        raise PostgresUnavailableError(
            "tests run as root, PostgreSQL refuses to run as root, and there is no "
            f"'{_SYSTEM_ACCOUNT}' system user to run it as (install the postgresql package "
            "or run the tests as an ordinary user)"
        ) from None


def _traversable_by_others(path: Path) -> bool:
    for directory in (path, *path.parents):
        try:
            if not directory.stat().st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
    return True


def _base_tmpdir(account: pwd.struct_passwd | None) -> str:
    """Temp base that the server account can reach and that keeps the socket path short."""
    base = tempfile.gettempdir()
    too_long = len(base) + len("/ssz-pg-xxxxxxxx") > _MAX_SOCKET_DIR_LEN
    if too_long or (account is not None and not _traversable_by_others(Path(base))):
        return "/tmp"  # noqa: S108 - deliberate: short, world-traversable, sticky
    return base


def _child_env(home: Path) -> dict[str, str]:
    """Environment for server programs: no PG* leakage from the caller, C messages, UTC."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(LC_ALL="C", LANG="C", TZ="UTC", HOME=str(home))
    return env


def _run(
    cmd: Sequence[str | Path],
    account: pwd.struct_passwd | None,
    cwd: Path,
    timeout: float,
) -> subprocess.CompletedProcess[str]:
    """Run a server program, switching to ``account`` in the child when we are root."""
    return subprocess.run(
        [str(part) for part in cmd],
        cwd=cwd,
        env=_child_env(cwd),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        user=None if account is None else account.pw_uid,
        group=None if account is None else account.pw_gid,
        extra_groups=None if account is None else [],
    )


def _log_tail(log: Path, start: int = 0, lines: int = 40) -> str:
    try:
        with log.open("rb") as fh:
            fh.seek(start)
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return "(no server log)"
    return "\n".join(text.splitlines()[-lines:]) or "(server log is empty)"


def _initdb(bindir: Path, account: pwd.struct_passwd | None, root: Path, data_dir: Path) -> None:
    cmd: list[str | Path] = [
        bindir / "initdb",
        "-D",
        data_dir,
        "--auth=trust",
        "-U",
        SUPERUSER,
        "--no-sync",
        "--encoding=UTF8",
        "--locale=C",
    ]
    try:
        result = _run(cmd, account, root, timeout=120)
    except subprocess.TimeoutExpired as exc:
        raise PostgresUnavailableError(f"initdb did not finish within {exc.timeout}s") from None
    if result.returncode != 0:
        raise PostgresUnavailableError(
            f"initdb failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
        )


def _configure(data_dir: Path, socket_dir: Path) -> None:
    """Append test settings: loopback only, private socket, durability off for speed."""

    def quoted(value: str) -> str:
        return "'" + value.replace("'", "''") + "'"

    settings = {
        "listen_addresses": quoted("127.0.0.1"),
        "unix_socket_directories": quoted(str(socket_dir)),
        "fsync": "off",
        "full_page_writes": "off",
        "synchronous_commit": "off",
        "timezone": quoted("UTC"),
        "log_timezone": quoted("UTC"),
    }
    # Appending keeps the file's owner (the server account); later lines win in postgresql.conf.
    with (data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write("\n# SafetyZone throwaway test server\n")
        conf.writelines(f"{key} = {value}\n" for key, value in settings.items())


def _spawn(process: _Process, data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    account = process.account
    with (process.root / "server.log").open("ab") as log_fh:
        return subprocess.Popen(
            [str(process.bindir / "postgres"), "-D", str(data_dir), "-p", str(port)],
            cwd=process.root,
            env=_child_env(process.root),
            stdin=subprocess.DEVNULL,
            stdout=log_fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C meant for pytest must not hit it first
            user=None if account is None else account.pw_uid,
            group=None if account is None else account.pw_gid,
            extra_groups=None if account is None else [],
        )


def _start(process: _Process, data_dir: Path) -> PostgresServer:
    """Start the postmaster on a free port, retrying if another process grabbed the port.

    ``postgres`` is started directly (not via ``pg_ctl start``) so that it is our child:
    we see at once if it dies during start-up, and we reap it, so no zombie outlives the
    session even where PID 1 does not reap orphans.
    """
    log = process.root / "server.log"
    for attempt in range(1, _START_ATTEMPTS + 1):
        port = free_loopback_port()
        log_start = log.stat().st_size if log.exists() else 0
        process.proc = proc = _spawn(process, data_dir, port)
        server = PostgresServer(
            host="127.0.0.1",
            port=port,
            user=SUPERUSER,
            socket_dir=process.root,
            data_dir=data_dir,
            process=process,
        )
        outcome = _wait_until_accepting(server, proc)
        if outcome is None:
            return server
        failure, port_taken = outcome
        server.stop()
        tail = _log_tail(log, log_start)
        if attempt < _START_ATTEMPTS and (port_taken or _PORT_CLASH.search(tail)):
            continue
        raise PostgresUnavailableError(
            f"PostgreSQL did not start on 127.0.0.1:{port}: {failure}\n"
            f"--- server log tail ---\n{tail}"
        )
    raise AssertionError("unreachable")  # pragma: no cover


def _wait_until_accepting(
    server: PostgresServer, proc: subprocess.Popen[bytes]
) -> tuple[str, bool] | None:
    """Poll real TCP connections until our server answers; None when ready.

    Otherwise returns (why, port_taken). The answering server's data directory is checked:
    if the port was taken, another server (say the system cluster) may answer before ours
    notices the bind failure and exits, and we must never hand that server to tests.
    """
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        exit_code = proc.poll()
        if exit_code is not None:
            return f"the server exited with status {exit_code} during start-up", False
        try:
            with psycopg.connect(server.conninfo(), connect_timeout=2) as conn:
                row = conn.execute("show data_directory").fetchone()
        except psycopg.OperationalError as exc:
            if time.monotonic() >= deadline:
                why = f"no connection accepted within {START_TIMEOUT_S}s (last error: {exc})"
                return why, False
        else:
            answered_by = Path(str(row[0])) if row else None
            if answered_by is not None and answered_by.resolve() == server.data_dir.resolve():
                return None
            return f"port {server.port} is answered by another server ({answered_by})", True
        time.sleep(0.05)


def _stop(
    bindir: Path,
    account: pwd.struct_passwd | None,
    root: Path,
    data_dir: Path,
    proc: subprocess.Popen[bytes],
) -> None:
    """Stop the server: ``pg_ctl stop`` fast, then immediate, then SIGKILL; always reap it."""
    for mode in ("fast", "immediate"):
        if proc.poll() is not None:
            return
        cmd: list[str | Path] = [bindir / "pg_ctl", "stop", "-D", data_dir, "-m", mode, "-w"]
        cmd += ["-t", str(STOP_TIMEOUT_S)]
        with contextlib.suppress(subprocess.TimeoutExpired, OSError):
            _run(cmd, account, root, timeout=STOP_TIMEOUT_S + 5)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=2)
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=10)
