"""Recording in tests: the app's own recorder is off (``recording_enabled=False``), and a test
drives a :class:`Recorder` of its own pass by pass on one event loop, so it decides when
footage is indexed and when deletions run (and with which "now")."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from safetyzone.config import Settings
from safetyzone.core.db import Database
from safetyzone.core.outbound import OutboundPolicy, parse_networks
from safetyzone.ops import incidents
from safetyzone.ops.models import Incident, IncidentState
from safetyzone.org.models import OrgUnit
from safetyzone.video.recording.models import RecordingSegment
from safetyzone.video.recording.recorder import Recorder

SEGMENT_S = 1


def recording_settings(settings: Settings) -> Settings:
    """Loopback cameras allowed (tests only), the app's recorder off, 1 s segments."""
    return settings.model_copy(update={"camera_networks": parse_networks(["127.0.0.0/8"]),
                                       "recording_enabled": False,
                                       "recording_segment_s": SEGMENT_S})


def recorder_for(client: TestClient, db: Database, settings: Settings) -> Recorder:
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    return Recorder(db=db, secrets_box=ctx.secrets,
                    policy=OutboundPolicy(settings.camera_networks),
                    root=settings.data_dir / "recordings",
                    work_dir=settings.data_dir / "recordings" / ".work",
                    segment_s=SEGMENT_S, prune_s=10**9)


def segments_of(db: Database, camera_id: str) -> list[RecordingSegment]:
    with db.read() as s:
        return list(s.scalars(select(RecordingSegment).where(
            RecordingSegment.camera_id == uuid.UUID(camera_id))
            .order_by(RecordingSegment.starts_at)))


def record_until(runner: asyncio.Runner, recorder: Recorder, db: Database, camera_id: str,
                 count: int, *, newer_than: datetime | None = None) -> list[RecordingSegment]:
    """Pass after pass until ``count`` segments (ending after ``newer_than``) are indexed."""
    for _ in range(600):
        runner.run(recorder.sweep(prune=False))
        rows = [r for r in segments_of(db, camera_id)
                if newer_than is None or r.ends_at.replace(tzinfo=UTC) > newer_than]
        if len(rows) >= count:
            return rows
        runner.run(asyncio.sleep(0.1))
    raise AssertionError(f"fewer than {count} segments were recorded")


def set_policy(client: TestClient, headers: dict[str, str], camera_id: str,
               **body: Any) -> Any:
    return client.put(f"/api/v1/cameras/{camera_id}/recording", headers=headers, json=body)


def dock(db: Database, camera_id: str, code: str, station: str = "ST-A") -> str:
    """An open incident at the station docking the camera (an alarm for its recording)."""
    with db.write() as s:
        station_id = s.scalar(select(OrgUnit.id).where(OrgUnit.code == station))
        assert station_id is not None
        incident = incidents.open_alert(
            s, station_id=station_id, kind="sos", priority=1, title_th="เหตุทดสอบ",
            title_en="test alarm", lat=None, lon=None, now=datetime.now(UTC),
            ack_timeout_s=60, source_th="ทดสอบ", source_en="test",
            cameras=[{"camera_id": camera_id, "code": code, "live": True}])
        return str(incident.id)


def close(db: Database, incident_id: str) -> None:
    with db.write() as s:
        incident = s.get(Incident, uuid.UUID(incident_id))
        assert incident is not None
        incident.state = IncidentState.CLOSED


def file_of(settings: Settings, segment: RecordingSegment) -> Path:
    return settings.data_dir / "recordings" / segment.path


def seconds(value: float) -> timedelta:
    return timedelta(seconds=value)
