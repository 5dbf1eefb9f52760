"""A server killed mid-recording (``kill -9``): its ffmpeg, in a session of its own, records
on; the next server stops that ffmpeg (and only it: the pid's command line must name the
list) and indexes everything it wrote, so no footage is lost and no two ffmpeg write one
camera's files."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import SECRET
from safetyzone.config import Settings
from safetyzone.core.db import Database
from safetyzone.video.recording import recovery
from support.recording import recorder_for, recording_settings, segments_of, set_policy
from support.rtsp import RtspCamera, require_ffmpeg, rtsp_camera
from support.world import World
from video.test_snapshots import add_camera

SERVER = """
import asyncio, sys
from pathlib import Path
from safetyzone.core.db import Database
from safetyzone.core.outbound import OutboundPolicy, parse_networks
from safetyzone.core.secretbox import SecretBox
from safetyzone.video.recording.recorder import Recorder

url, secret, root = sys.argv[1:4]
recorder = Recorder(db=Database(url), secrets_box=SecretBox(secret),
                    policy=OutboundPolicy(parse_networks(["127.0.0.0/8"])), root=Path(root),
                    work_dir=Path(root) / ".work", segment_s=1, sweep_s=0.2, prune_s=10**9)

async def main():
    await recorder.start()
    await asyncio.Event().wait()

asyncio.run(main())
"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return recording_settings(settings)


def lines(listing: Path) -> int:
    return listing.read_text().count("\n") if listing.exists() else 0


def test_the_next_server_stops_the_orphaned_ffmpeg_and_indexes_what_it_recorded(
    client: TestClient, world: World, db: Database, db_url: str, settings: Settings,
) -> None:
    require_ffmpeg()
    admin = world.headers(client, "admin")
    with rtsp_camera() as camera:
        _run(client, world, db, db_url, settings, admin, camera)


def _run(client: TestClient, world: World, db: Database, db_url: str, settings: Settings,
         admin: dict[str, str], camera: RtspCamera) -> None:
    camera_id = add_camera(client, admin, "REC-9", camera.url, stream_username="viewer",
                           stream_password="pw")
    assert set_policy(client, admin, camera_id, mode="continuous").status_code == 200
    root = settings.data_dir / "recordings"
    server = subprocess.Popen([sys.executable, "-c", SERVER, db_url, SECRET, str(root)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    orphan = None
    try:
        for _ in range(600):
            if len(segments_of(db, camera_id)) >= 2:
                break
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            time.sleep(0.1)
        directory = root / "ST-A" / "REC-9"
        mark = json.loads((directory / recovery.PID_FILE).read_text())
        orphan, listing = int(mark["pid"]), Path(mark["list"])
        server.send_signal(signal.SIGKILL)
        server.wait()
        indexed = len(segments_of(db, camera_id))
        for _ in range(600):  # the orphan records on, unindexed
            if lines(listing) >= indexed + 2:
                break
            time.sleep(0.1)
        assert recovery._alive(orphan) and lines(listing) >= indexed + 2
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    recorder = recorder_for(client, db, settings)
    with asyncio.Runner() as runner:
        assert runner.run(recorder.recover()) >= 2
    assert not recovery._alive(orphan)
    rows = {r.path: r for r in segments_of(db, camera_id)}
    files = sorted(directory.glob("*.mp4"))
    assert len(rows) > indexed and len(files) == len(rows)
    for path in files:
        row = rows[path.relative_to(root).as_posix()]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == row.sha256
    assert not list(directory.glob(".list-*")) and not (directory / recovery.PID_FILE).exists()
    # A pid file naming a process that is not our ffmpeg: nothing is stopped.
    sleeper = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        recovery.mark_process(directory, sleeper.pid, directory / ".list-0-1.csv")
        assert recovery.stop_orphan(directory) is None and sleeper.poll() is None
    finally:
        os.killpg(sleeper.pid, signal.SIGKILL)
        sleeper.wait()
