"""Camera health from the snapshots themselves, and camera-view sessions for the audit trail.

Both live in the server process: they see every snapshot request, and what they learn is
written to the database only when it matters (a state change, a new viewing session).
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from safetyzone.video.models import CameraState

# Frozen: the same image bytes this many times in a row, spanning at least this long.
FROZEN_REPEATS = 3
FROZEN_AFTER = timedelta(seconds=10)
# A viewer who has not refreshed a camera for this long starts a new session when they do.
VIEW_SESSION_GAP = timedelta(minutes=2)


@dataclass
class _Seen:
    state: CameraState
    since: datetime
    checked_at: datetime
    digest: bytes | None = None
    same_count: int = 0
    same_since: datetime | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Observation:
    """The state after one snapshot attempt, and whether it changed."""

    state: CameraState
    since: datetime
    changed: bool
    detail: str | None


class HealthTracker:
    """Decides online / offline / frozen from each snapshot attempt."""

    def __init__(self, repeats: int = FROZEN_REPEATS, frozen_after: timedelta = FROZEN_AFTER
                 ) -> None:
        self._lock = threading.Lock()
        self._seen: dict[uuid.UUID, _Seen] = {}
        self._repeats = repeats
        self._frozen_after = frozen_after

    def image(self, camera_id: uuid.UUID, content: bytes, now: datetime) -> Observation:
        digest = hashlib.blake2b(content, digest_size=16).digest()
        with self._lock:
            seen = self._seen.get(camera_id)
            if seen is not None and seen.digest == digest:
                seen.same_count += 1
            elif seen is not None:
                seen.digest, seen.same_count, seen.same_since = digest, 1, now
            frozen = (seen is not None and seen.same_count >= self._repeats
                      and seen.same_since is not None
                      and now - seen.same_since >= self._frozen_after)
            state = CameraState.FROZEN if frozen else CameraState.ONLINE
            detail = "the same image again and again" if frozen else None
            observation = self._set(camera_id, state, now, detail)
            if seen is None:
                stored = self._seen[camera_id]
                stored.digest, stored.same_count, stored.same_since = digest, 1, now
            return observation

    def failure(self, camera_id: uuid.UUID, detail: str, now: datetime) -> Observation:
        with self._lock:
            observation = self._set(camera_id, CameraState.OFFLINE, now, detail[:200])
            seen = self._seen[camera_id]
            seen.digest, seen.same_count, seen.same_since = None, 0, None
            return observation

    def _set(self, camera_id: uuid.UUID, state: CameraState, now: datetime,
             detail: str | None) -> Observation:
        seen = self._seen.get(camera_id)
        if seen is None:
            self._seen[camera_id] = _Seen(state=state, since=now, checked_at=now, detail=detail)
            return Observation(state, now, True, detail)
        seen.checked_at = now
        # A new failure detail (a refused address after a timeout) is news for the admins
        # who read the health record, even when the camera stays offline.
        changed = seen.state is not state or seen.detail != detail
        if seen.state is not state:
            seen.state, seen.since = state, now
        seen.detail = detail
        return Observation(seen.state, seen.since, changed, detail)


class ViewSessions:
    """Tells when a person starts looking at a camera (one audit row), not every refresh."""

    def __init__(self, gap: timedelta = VIEW_SESSION_GAP) -> None:
        self._lock = threading.Lock()
        self._last: dict[tuple[uuid.UUID, uuid.UUID], datetime] = {}
        self._gap = gap

    def starts(self, user_id: uuid.UUID, camera_id: uuid.UUID, now: datetime) -> bool:
        """Note a view now; True when it begins a new session."""
        key = (user_id, camera_id)
        with self._lock:
            last = self._last.get(key)
            self._last[key] = now
            if len(self._last) > 50_000:  # bounded: forget sessions long over
                cutoff = now - self._gap
                self._last = {k: v for k, v in self._last.items() if v >= cutoff}
            return last is None or now - last > self._gap
