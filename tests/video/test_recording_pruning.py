"""Deletions on both backends, with files on disk: the quota takes the oldest footage no
hold keeps (and says so when it cuts what the policy would keep), retention takes what is
past the policy's days unless an evidence clip or a case holds it, each batch audited."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from safetyzone.audit.models import AuditEntry
from safetyzone.core.db import Database
from safetyzone.core.security import system_scope
from safetyzone.org.models import OrgUnit
from safetyzone.video.recording import pruning
from safetyzone.video.recording import service as recording
from safetyzone.video.recording.models import (
    HoldReason,
    RecordingMode,
    RecordingPolicy,
    RecordingQuota,
    RecordingSegment,
)
from support.world import World

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def station(db: Database, code: str) -> uuid.UUID:
    with db.read() as s:
        found = s.scalar(select(OrgUnit.id).where(OrgUnit.code == code))
    assert found is not None
    return found


def footage(db: Database, root: Path, station_id: uuid.UUID, camera_id: uuid.UUID,
            starts: list[datetime], size: int = 100) -> list[str]:
    """Segments of 10 s with files of ``size`` bytes, as the recorder indexes them."""
    paths = []
    with db.write() as s:
        for start in starts:
            path = f"X/{camera_id.hex[:6]}/{start:%Y%m%dT%H%M%S}+0000.mp4"
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(b"x" * size)
            s.add(RecordingSegment(camera_id=camera_id, station_id=station_id,
                                   starts_at=start, ends_at=start + timedelta(seconds=10),
                                   path=path, bytes=size, sha256="0" * 64, alarm=False))
            paths.append(path)
    return paths


def policy(db: Database, camera_id: uuid.UUID, station_id: uuid.UUID, **kw: object) -> None:
    values = {"mode": RecordingMode.CONTINUOUS, "pre_roll_s": 30, "post_roll_s": 60,
              "ring_hours": 24, "retain_days": 30, **kw}
    with db.write() as s:
        s.add(RecordingPolicy(camera_id=camera_id, station_id=station_id, updated_at=T0,
                              updated_by="t", **values))


def run(db: Database, root: Path, now: datetime) -> pruning.Pruned:
    with db.write() as s:
        out = pruning.prune(s, now=now)
    for path in out.paths:
        (root / path).unlink()
    return out


def left(db: Database) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(RecordingSegment.path).order_by(
            RecordingSegment.starts_at)))


def a_camera(db: Database) -> uuid.UUID:
    """A real camera row of ST-A (policies point at cameras)."""
    from safetyzone.assets.models import Camera

    with db.read() as s:
        camera = s.scalar(select(Camera.id).where(Camera.code.like("ST-A-%")).limit(1))
    assert camera is not None
    return camera


def test_the_quota_deletes_the_oldest_unheld_footage_first_and_warns(
    db: Database, world: World, tmp_path: Path,
) -> None:
    st_a, st_b = station(db, "ST-A"), station(db, "ST-B")
    camera = a_camera(db)
    policy(db, camera, st_a)
    starts = [T0 + timedelta(seconds=10 * i) for i in range(10)]
    paths = footage(db, tmp_path, st_a, camera, starts)
    other = footage(db, tmp_path, st_b, uuid.uuid4(), starts[:3])  # B has no quota
    with db.write() as s:
        s.add(RecordingQuota(station_id=st_a, max_bytes=550, updated_at=T0, updated_by="t",
                             forced_bytes=0))
        recording.add_hold(s, station_id=st_a, camera_id=camera, since=starts[0],
                           until=starts[1] + timedelta(seconds=5), reason=HoldReason.CLIP,
                           at=T0, username="t")
    out = run(db, tmp_path, T0 + timedelta(minutes=5))
    assert out.counts == {"quota": 5}
    # The held two stay; the next five oldest go; B's footage is B's quota's business.
    assert set(left(db)) == set(paths[:2] + paths[7:] + other)
    assert not (tmp_path / paths[2]).exists() and (tmp_path / paths[0]).exists()
    with db.read() as s:
        quota = s.get(RecordingQuota, st_a)
        assert quota is not None and quota.forced_bytes == 500 and quota.forced_at is not None
        status = recording.station_status(s, scope=system_scope(), station_code="ST-A",
                                          running={}, now=T0 + timedelta(minutes=6))
        batch = s.scalar(select(AuditEntry).where(AuditEntry.action == "recording.deleted"))
    assert status.warning is not None and "quota" in status.warning
    assert status.used_bytes == 500 and status.quota_bytes == 550
    assert batch is not None and batch.detail["segments"] == 5 and batch.reason == "quota"
    assert batch.detail["bytes"] == 500
    # Under the quota now: another pass deletes nothing.
    assert run(db, tmp_path, T0 + timedelta(minutes=7)).paths == []


def test_retention_deletes_old_footage_unless_a_clip_or_a_case_holds_it(
    db: Database, world: World, tmp_path: Path,
) -> None:
    st_a = station(db, "ST-A")
    camera = a_camera(db)
    policy(db, camera, st_a, mode=RecordingMode.ON_ALARM, retain_days=7)
    old = [T0 + timedelta(minutes=i) for i in range(4)]
    paths = footage(db, tmp_path, st_a, camera, old)
    with db.write() as s:
        s.execute(update(RecordingSegment).values(alarm=True))
        recording.add_hold(s, station_id=st_a, camera_id=camera, since=old[1],
                           until=old[1] + timedelta(seconds=10), reason=HoldReason.CLIP,
                           at=T0, username="t")
        recording.add_hold(s, station_id=st_a, camera_id=camera, since=old[3],
                           until=old[3] + timedelta(seconds=1), reason=HoldReason.CASE,
                           at=T0, username="t")
    # Six days on, alarm footage is inside the retention period: all stays.
    assert run(db, tmp_path, T0 + timedelta(days=6)).paths == []
    out = run(db, tmp_path, T0 + timedelta(days=7, minutes=5))
    assert out.counts == {"retention": 2}
    assert set(left(db)) == {paths[1], paths[3]}
    with db.read() as s:
        batch = s.scalar(select(AuditEntry).where(AuditEntry.action == "recording.deleted"))
    assert batch is not None and batch.reason == "retention" and batch.username == "system"
