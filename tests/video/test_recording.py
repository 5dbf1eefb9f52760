"""Recording with real parts: GStreamer's RTSP camera on loopback, ffmpeg's segment muxer,
the index with each file's SHA-256, the continuous ring, the on-alarm pre- and post-roll,
and a dead ffmpeg restarted with its reason kept. Policies through the API (who may set
them, what the owner's terms allow, garbage)."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from safetyzone.config import Settings
from safetyzone.core.db import Database
from support.recording import (
    close,
    dock,
    file_of,
    record_until,
    recorder_for,
    recording_settings,
    segments_of,
    set_policy,
)
from support.rtsp import RtspCamera, require_ffmpeg, rtsp_camera
from support.world import World
from video.test_snapshots import add_camera


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return recording_settings(settings)


@pytest.fixture(scope="module")
def camera() -> Iterator[RtspCamera]:
    require_ffmpeg()
    with rtsp_camera() as cam:
        yield cam


# Seconds of pre-roll: more than a segment and the one the recorder holds back until the next
# is listed (its file may not be flushed yet), so the buffer is never empty when looked at.
PRE = 4


def utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def test_continuous_recording_indexes_hashed_segments_and_the_ring_drops_the_oldest(
    client: TestClient, world: World, db: Database, settings: Settings, camera: RtspCamera,
) -> None:
    admin = world.headers(client, "admin")
    camera_id = add_camera(client, admin, "REC-1", camera.url, stream_username="viewer",
                           stream_password="pw")
    commander = world.headers(client, "a.commander")
    assert set_policy(client, world.headers(client, "a.operator"), camera_id,
                      mode="continuous").status_code == 403
    answer = set_policy(client, commander, camera_id, mode="continuous", ring_hours=1)
    assert answer.status_code == 200, answer.text
    assert answer.json()["mode"] == "continuous" and answer.json()["retain_days"] == 30
    recorder = recorder_for(client, db, settings)
    with asyncio.Runner() as runner:
        rows = record_until(runner, recorder, db, camera_id, 4)
        running = recorder.running()
        runner.run(recorder.stop())
    assert any(state.recording for state in running.values())
    rows = segments_of(db, camera_id)
    for row in rows:
        path = file_of(settings, row)
        assert path.parent.parent.name == "ST-A" and path.parent.name == "REC-1"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == row.sha256
        assert path.stat().st_size == row.bytes and row.ends_at > row.starts_at
    starts = [utc(r.starts_at) for r in rows]
    assert starts == sorted(starts) and abs(starts[0] - datetime.now(UTC)) < timedelta(
        minutes=2)
    # Copied, not re-encoded: the camera's 640-wide H.264 plays from a segment on its own.
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width",
         "-of", "default=nw=1", str(file_of(settings, rows[1]))],
        capture_output=True, text=True, check=True)
    assert "codec_name=h264" in probe.stdout and "width=640" in probe.stdout

    # An hour and a moment after the second segment ended, the ring drops the first two.
    later = utc(rows[1].ends_at) + timedelta(hours=1, milliseconds=100)
    assert utc(rows[2].ends_at) > utc(rows[1].ends_at) + timedelta(milliseconds=100)
    with asyncio.Runner() as runner:
        runner.run(recorder.sweep(later, prune=True))
        runner.run(recorder.stop())
    left = segments_of(db, camera_id)
    assert [r.path for r in left[:len(rows) - 2]] == [r.path for r in rows[2:]]
    assert not file_of(settings, rows[0]).exists() and not file_of(settings, rows[1]).exists()
    audit = client.get("/api/v1/audit", params={"action": "recording.deleted"},
                       headers=admin).json()["items"]
    assert audit and audit[0]["detail"]["reason"] == "ring" and audit[0]["detail"][
        "segments"] == 2
    policy_audit = client.get("/api/v1/audit", params={"action": "recording.policy"},
                              headers=admin).json()["items"]
    assert policy_audit[0]["username"] == "a.commander"
    assert policy_audit[0]["detail"]["after"]["mode"] == "continuous"


def test_on_alarm_keeps_only_the_pre_roll_until_an_alarm_then_keeps_the_post_roll(
    client: TestClient, world: World, db: Database, settings: Settings, camera: RtspCamera,
) -> None:
    admin = world.headers(client, "admin")
    camera_id = add_camera(client, admin, "REC-2", camera.url, sharing="live_on_alarm",
                           stream_username="viewer", stream_password="pw")
    commander = world.headers(client, "a.commander")
    refused = set_policy(client, commander, camera_id, mode="continuous")
    assert refused.status_code == 409 and refused.json()["code"] == "recording-not-allowed"
    assert set_policy(client, commander, camera_id, mode="on_alarm", pre_roll_s=PRE,
                      post_roll_s=2).status_code == 200
    recorder = recorder_for(client, db, settings)
    with asyncio.Runner() as runner:
        record_until(runner, recorder, db, camera_id, 4)
        now = datetime.now(UTC)
        runner.run(recorder.sweep(now, prune=True))
        buffered = segments_of(db, camera_id)
        # The rolling buffer: nothing older than the pre-roll survives without an alarm.
        assert buffered and all(utc(r.ends_at) >= now - timedelta(seconds=PRE)
                                for r in buffered)
        assert not any(r.alarm for r in buffered)

        incident = dock(db, camera_id, "REC-2")
        alarm_at = datetime.now(UTC)
        runner.run(recorder.sweep(alarm_at, prune=False))
        record_until(runner, recorder, db, camera_id, 3, newer_than=alarm_at)
        close(db, incident)
        closed_at = datetime.now(UTC)
        runner.run(recorder.sweep(closed_at, prune=False))
        # Past the post-roll, a few more seconds of buffer only.
        record_until(runner, recorder, db, camera_id, 3,
                     newer_than=closed_at + timedelta(seconds=3))
        end = datetime.now(UTC)
        runner.run(recorder.sweep(end, prune=True))
        runner.run(recorder.stop())
    kept = segments_of(db, camera_id)
    alarm = [r for r in kept if r.alarm]
    assert len(alarm) >= 3
    # The alarm footage runs from the pre-roll before the alarm to the post-roll after it.
    assert utc(alarm[0].ends_at) >= alarm_at - timedelta(seconds=PRE)
    assert utc(alarm[0].starts_at) <= alarm_at
    assert utc(alarm[-1].ends_at) >= closed_at
    assert utc(alarm[-1].starts_at) <= closed_at + timedelta(seconds=3)
    # What followed the post-roll is buffer again: only its last pre-roll is there.
    after = [r for r in kept if not r.alarm]
    assert after and all(utc(r.ends_at) >= end - timedelta(seconds=PRE) for r in after)
    assert all(utc(r.starts_at) > utc(alarm[-1].starts_at) for r in after)


def test_a_dead_ffmpeg_is_restarted_with_a_pause_and_its_reason_kept(
    client: TestClient, world: World, db: Database, settings: Settings, camera: RtspCamera,
) -> None:
    admin = world.headers(client, "admin")
    camera_id = add_camera(client, admin, "REC-3", camera.url, stream_username="viewer",
                           stream_password="wrong-password")
    assert set_policy(client, admin, camera_id, mode="continuous").status_code == 200
    recorder = recorder_for(client, db, settings)
    restarted = False
    with asyncio.Runner() as runner:
        for _ in range(300):
            runner.run(recorder.sweep(prune=False))
            state = next(iter(recorder.running().values()))
            if state.restarts >= 1:
                restarted = True
                break
            runner.run(asyncio.sleep(0.1))
        runner.run(recorder.stop())
    assert restarted
    assert "401" in (state.problem or "") and "wrong-password" not in (state.problem or "")
    status = client.get("/api/v1/stations/ST-A/recordings", headers=admin).json()
    # The status of this app (its own recorder is off) lists the camera and its policy.
    assert any(c["code"] == "REC-3" and c["mode"] == "continuous" for c in status["cameras"])


def test_policies_refuse_garbage_other_stations_and_the_owners_terms(
    client: TestClient, world: World,
) -> None:
    admin = world.headers(client, "admin")
    shop_only = add_camera(client, admin, "REC-4", "rtsp://127.0.0.1:9/x",
                           sharing="footage_on_request")
    commander = world.headers(client, "a.commander")
    refused = set_policy(client, commander, shop_only, mode="on_alarm")
    assert refused.status_code == 409 and "footage_on_request" in refused.json()["detail"]
    assert set_policy(client, commander, shop_only, mode="none").status_code == 200
    live = add_camera(client, admin, "REC-5", "rtsp://127.0.0.1:9/x")
    for body in ({"mode": "sometimes"}, {"mode": "on_alarm", "pre_roll_s": -1},
                 {"mode": "continuous", "ring_hours": 0}, {"mode": "continuous", "x": 1},
                 {"mode": "continuous", "retain_days": 10_000}, {}):
        assert set_policy(client, commander, live, **body).status_code == 422, body
    assert client.put(f"/api/v1/cameras/{live}/recording", headers=commander,
                      content=b"\xff\xfe").status_code == 422
    assert client.put("/api/v1/cameras/not-a-uuid/recording", headers=commander,
                      json={"mode": "none"}).status_code == 422
    # Another station's commander and a partner see no such camera / may not.
    other = world.headers(client, "b.operator")
    assert client.get(f"/api/v1/cameras/{live}/recording", headers=other).status_code == 404
    assert client.get(f"/api/v1/cameras/{live}/segments", headers=other).status_code == 404
    assert client.get("/api/v1/stations/ST-A/recordings", headers=other).status_code == 404
    shop = world.headers(client, "a.shop")
    assert client.get(f"/api/v1/cameras/{live}/recording", headers=shop).status_code == 403
    assert client.get(f"/api/v1/cameras/{live}/recording",
                      headers=world.headers(client, "a.viewer")).json()["mode"] == "none"
    quota = client.put("/api/v1/stations/ST-A/recording-quota", headers=commander,
                       json={"max_bytes": 5_000_000})
    assert quota.status_code == 200 and quota.json()["quota_bytes"] == 5_000_000
    assert client.put("/api/v1/stations/ST-A/recording-quota", headers=commander,
                      json={"max_bytes": 5}).status_code == 422
    assert client.put("/api/v1/stations/ST-A/recording-quota", headers=other,
                      json={"max_bytes": 5_000_000}).status_code == 403
