"""What is written about cameras' health: the current record and the history of states.

One home for both writers (the prober and the snapshot desk), so every state change closes
the camera's open stretch in ``camera_health_change`` and opens the next one in the same
transaction as the current record: the history can never disagree with the record.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safetyzone.assets.models import AssetStatus, Camera
from safetyzone.core.secretbox import SecretBox
from safetyzone.video.models import CameraHealth, CameraHealthChange, CameraState
from safetyzone.video.sources import StreamAddress


@dataclass(frozen=True)
class Reading:
    """One camera's state as a writer saw it; ``since`` is when this state began."""

    camera_id: uuid.UUID
    station_id: uuid.UUID
    state: CameraState
    since: datetime
    detail: str | None
    checked_at: datetime | None = None
    latency_ms: int | None = None
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Known:
    """A camera's stored record, as the prober starts from it after a restart."""

    camera_id: uuid.UUID
    state: CameraState
    since: datetime
    detail: str | None
    alert_incident_id: uuid.UUID | None


@dataclass(frozen=True)
class ProbeTarget:
    """A camera the prober checks, with its opened address (server side only)."""

    camera_id: uuid.UUID
    station_id: uuid.UUID
    code: str
    address: StreamAddress


def _open_change(session: Session, reading: Reading) -> None:
    for stretch in session.scalars(select(CameraHealthChange).where(
            CameraHealthChange.camera_id == reading.camera_id,
            CameraHealthChange.until.is_(None))):
        stretch.until = max(reading.since, stretch.since)
    session.add(CameraHealthChange(camera_id=reading.camera_id, station_id=reading.station_id,
                                   state=reading.state, since=reading.since, until=None,
                                   detail=reading.detail))


def record(session: Session, *, readings: Sequence[Reading]) -> list[uuid.UUID]:
    """Write each reading onto its camera's record; a new state also goes into the history.

    Returns the cameras whose state changed. Figures a reading does not carry (a snapshot
    says nothing of latency) keep their stored values.
    """
    if not readings:
        return []
    rows = {row.camera_id: row for row in session.scalars(select(CameraHealth).where(
        CameraHealth.camera_id.in_({r.camera_id for r in readings})))}
    changed = []
    for reading in readings:
        row = rows.get(reading.camera_id)
        if row is None:
            row = CameraHealth(camera_id=reading.camera_id, station_id=reading.station_id,
                               state=reading.state, since=reading.since, detail=reading.detail)
            session.add(row)
            rows[reading.camera_id] = row
            _open_change(session, reading)
            changed.append(reading.camera_id)
        elif row.state is not reading.state:
            _open_change(session, reading)
            row.state, row.since = reading.state, reading.since
            changed.append(reading.camera_id)
        row.detail = reading.detail
        if reading.checked_at is not None:
            row.checked_at = reading.checked_at
            row.latency_ms, row.width, row.height = (reading.latency_ms, reading.width,
                                                     reading.height)
    return changed


def known(session: Session) -> list[Known]:
    """Every stored record (the prober's memory after a restart)."""
    return [Known(h.camera_id, h.state, h.since, h.detail, h.alert_incident_id)
            for h in session.scalars(select(CameraHealth))]


def probe_targets(session: Session, *, secrets: SecretBox) -> list[ProbeTarget]:
    """Every active camera with an address, its address opened (the prober's list)."""
    out = []
    for camera in session.scalars(select(Camera).where(
            Camera.status == AssetStatus.ACTIVE, Camera.stream_url_sealed.is_not(None))
            .order_by(Camera.station_id, Camera.code)):
        assert camera.stream_url_sealed is not None
        out.append(ProbeTarget(camera.id, camera.station_id, camera.code, StreamAddress(
            url=secrets.open(camera.stream_url_sealed),
            username=(secrets.open(camera.stream_username_sealed)
                      if camera.stream_username_sealed else None),
            password=(secrets.open(camera.stream_password_sealed)
                      if camera.stream_password_sealed else None))))
    return out


def history(session: Session, *, camera_id: uuid.UUID, since: datetime, until: datetime,
            limit: int = 1000) -> list[CameraHealthChange]:
    """The camera's stretches that overlap [since, until), oldest first."""
    return list(session.scalars(select(CameraHealthChange).where(
        CameraHealthChange.camera_id == camera_id, CameraHealthChange.since < until,
        (CameraHealthChange.until.is_(None)) | (CameraHealthChange.until > since))
        .order_by(CameraHealthChange.since).limit(limit)))
