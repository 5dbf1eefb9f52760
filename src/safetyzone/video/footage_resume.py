"""Resumable uploads of footage: a large file from a shop's phone over a mobile link, sent in
pieces, picking up where a cut connection left it.

A session is opened with the file's size (``start``), then pieces are appended, each naming
the offset it starts at (``append``): the piece is refused (409, with the offset the server
has) unless it starts exactly where the file on disk ends, so a piece sent twice is never
written twice and a lost answer is found out by asking (``state``). Bytes of a piece cut
halfway stay: the next piece starts after them. When the last byte arrives the file is
checked as a single upload is (kind by its bytes, ``ffprobe``, SHA-256 over the whole file)
and moved into the store; a refusal then drops the session. A session is two files in the
store's ``tmp/``: ``<id>.part`` (the bytes) and ``<id>.json`` (whose it is, for which
request, how large); the sweep removes sessions untouched for a day. One writer per session
at a time (a lock on the part file): a second is refused (409) rather than interleaved.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from safetyzone.core.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, Problem
from safetyzone.video.footage_store import (
    SNIFF_BYTES,
    FootageStore,
    Stored,
    refuse_kind,
    sniff,
    verify,
)

SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
STALE_SESSION_S = 24 * 3600.0
READ_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class Session:
    """An upload under way: whose, for which request, how large, how far."""

    id: str
    request_id: uuid.UUID
    partner_id: uuid.UUID
    username: str
    name: str
    size: int
    offset: int


class Resumable:
    """Resumable upload sessions in a footage store's ``tmp/``."""

    def __init__(self, store: FootageStore) -> None:
        self.store = store

    def _paths(self, upload_id: str) -> tuple[Path, Path]:
        if not SESSION_ID.match(upload_id):
            raise NotFound("no such upload")
        return self.store.tmp / f"{upload_id}.part", self.store.tmp / f"{upload_id}.json"

    def start(self, *, request_id: uuid.UUID, partner_id: uuid.UUID, username: str,
              name: str, size: int) -> Session:
        if size > self.store.max_bytes:
            raise PayloadTooLarge(f"a footage file is at most {self.store.max_bytes} bytes",
                                  [Problem(f"more than {self.store.max_bytes} bytes", "size")])
        self.store.tmp.mkdir(parents=True, exist_ok=True)
        upload_id = uuid.uuid4().hex
        part, meta = self._paths(upload_id)
        part.touch(exist_ok=False)
        meta.write_text(json.dumps({"request_id": str(request_id),
                                    "partner_id": str(partner_id), "username": username,
                                    "name": name, "size": size}), "utf-8")
        return Session(upload_id, request_id, partner_id, username, name, size, 0)

    def get(self, upload_id: str, *, request_id: uuid.UUID,
            partner_id: uuid.UUID) -> Session:
        """The session, if it is the caller's partner's and this request's; else missing."""
        part, meta = self._paths(upload_id)
        try:
            data = json.loads(meta.read_text("utf-8"))
            offset = part.stat().st_size
        except (FileNotFoundError, ValueError) as err:
            raise NotFound("no such upload (finished, refused or expired: start again)"
                           ) from err
        if data["request_id"] != str(request_id) or data["partner_id"] != str(partner_id):
            raise NotFound("no such upload (finished, refused or expired: start again)")
        return Session(upload_id, request_id, partner_id, str(data["username"]),
                       str(data["name"]), int(data["size"]), offset)

    def writer(self, session: Session, offset: int) -> IO[bytes]:
        """The part file, locked and positioned at its end, if ``offset`` is its end; the
        caller closes it (which releases the lock)."""
        part, _ = self._paths(session.id)
        handle = part.open("r+b")
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as err:
                raise Conflict("another piece of this upload is being sent: wait for it",
                               code="upload-busy") from err
            have = os.fstat(handle.fileno()).st_size
            if offset != have:
                raise Conflict(f"the server has {have} bytes of this upload: send from there",
                               [Problem(str(have), "Upload-Offset")], code="upload-offset")
            handle.seek(have)
        except BaseException:
            handle.close()
            raise
        return handle

    @staticmethod
    def write(handle: IO[bytes], session: Session, chunk: bytes) -> None:
        """Append a piece's bytes (refusing past the declared size, and a start that is no
        footage), synced so a crash keeps what was acknowledged."""
        at = handle.tell()
        if at + len(chunk) > session.size:
            raise PayloadTooLarge(f"this upload was declared as {session.size} bytes",
                                  [Problem("past the declared size", "body")])
        if at < SNIFF_BYTES <= at + len(chunk):  # shorter files are sniffed at the end
            handle.flush()
            with open(handle.name, "rb") as head_of:
                head = head_of.read(at) + chunk[:SNIFF_BYTES]
            if sniff(head[:SNIFF_BYTES]) is None:
                refuse_kind()
        handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())

    def finish(self, session: Session) -> Stored:
        """The whole file, checked and moved into the store; the session ends either way."""
        part, _ = self._paths(session.id)
        try:
            digest, head = hashlib.sha256(), b""
            with part.open("rb") as handle:
                while block := handle.read(READ_BLOCK):
                    if len(head) < SNIFF_BYTES:
                        head += block[:SNIFF_BYTES]
                    digest.update(block)
            kind = sniff(head[:SNIFF_BYTES])
            if kind is None:
                refuse_kind()
            assert kind is not None
            if session.size == 0:
                raise InvalidInput("the file is empty", [Problem("empty", "size")])
            verify(part, kind)
            return self.store.keep(part, kind, digest.hexdigest(), session.size)
        finally:
            self.drop(session.id)

    def drop(self, upload_id: str) -> None:
        for path in self._paths(upload_id):
            path.unlink(missing_ok=True)

    def clear_stale(self, older_than_s: float = STALE_SESSION_S) -> int:
        """Remove sessions untouched for a day (their owner gave up); returns how many."""
        if not self.store.tmp.is_dir():
            return 0
        cutoff, gone = time.time() - older_than_s, 0
        for meta in self.store.tmp.glob("*.json"):
            part = meta.with_suffix(".part")
            with contextlib.suppress(FileNotFoundError):
                touched = max(meta.stat().st_mtime,
                              part.stat().st_mtime if part.exists() else 0)
                if touched < cutoff:
                    self.drop(meta.stem)
                    gone += 1
        return gone
