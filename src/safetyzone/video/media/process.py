"""One ffmpeg process, started and stopped by the server, with what it last said kept.

Why a class of its own: the live view, the health prober and the recorder each run ffmpeg
per camera, and each must (1) never leave a process behind when the server stops, (2) know
why a process ended (the last lines of its stderr, credentials removed) so the camera's
health record can say "401 Unauthorized" rather than "it stopped", and (3) stop gently
(ffmpeg finishes the file it writes on ``q``) and then firmly.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import re
import signal
from collections.abc import Sequence

log = logging.getLogger(__name__)

STOP_GRACE_S = 3.0
TAIL_LINES = 8
# rtsp://user:pass@host -> rtsp://host: ffmpeg repeats its input URL in its messages.
_USERINFO = re.compile(r"(rtsps?://)[^/@\s]*@")


def redact(text: str) -> str:
    """``text`` with any credentials in RTSP URLs removed."""
    return _USERINFO.sub(r"\1", text)


class MediaProcess:
    """An ffmpeg (or ffprobe) child process with its stderr tail; no restarts (the caller
    decides whether a camera is worth asking again, and when)."""

    def __init__(self, argv: Sequence[str], *, name: str,
                 env: Sequence[tuple[str, str]] = ()) -> None:
        self.argv = list(argv)
        self.name = name
        self._env = {**os.environ, **dict(env)}
        self._proc: asyncio.subprocess.Process | None = None
        self._tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
        self._reader: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    @property
    def returncode(self) -> int | None:
        return None if self._proc is None else self._proc.returncode

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    def last_words(self) -> str:
        """The last lines ffmpeg wrote to stderr, without credentials; for health records."""
        return redact(" | ".join(self._tail))[-300:]

    async def start(self) -> None:
        assert self._proc is None, "a MediaProcess is started once"
        self._proc = await asyncio.create_subprocess_exec(
            *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE, env=self._env, start_new_session=True)
        self._reader = asyncio.create_task(self._read_stderr(), name=f"stderr {self.name}")
        log.info("started %s (pid %s)", self.name, self._proc.pid)

    async def wait(self) -> int:
        assert self._proc is not None
        code = await self._proc.wait()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        return code

    async def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """``q`` on stdin (ffmpeg closes its files properly), SIGTERM, then SIGKILL."""
        proc = self._proc
        if proc is None or proc.returncode is not None:
            return
        for ask in (self._quit, self._terminate, self._kill):
            ask(proc)
            try:
                await asyncio.wait_for(proc.wait(), grace_s)
                break
            except TimeoutError:
                continue
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        log.info("stopped %s (exit %s)", self.name, proc.returncode)

    @staticmethod
    def _quit(proc: asyncio.subprocess.Process) -> None:
        if proc.stdin is not None and not proc.stdin.is_closing():
            with contextlib.suppress(OSError):
                proc.stdin.write(b"q")
                proc.stdin.close()

    @staticmethod
    def _terminate(proc: asyncio.subprocess.Process) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)

    @staticmethod
    def _kill(proc: asyncio.subprocess.Process) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)

    async def _read_stderr(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        while line := await self._proc.stderr.readline():
            text = line.decode("utf-8", errors="replace").strip()
            if text:
                self._tail.append(text)
