"""Live view through the app: a real RTSP camera (GStreamer's server on loopback) restreamed
by ffmpeg into HLS, served only to the person who opened the session, within the owner's
sharing terms and the camera's viewer limit, audited at start and end.

Loopback is a camera network here only (the settings fixture), as in test_snapshots.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.outbound import parse_networks
from safetyzone.video.live import PER_PERSON
from safetyzone.web.app import create_app
from support.rtsp import RtspCamera, require_ffmpeg, rtsp_camera
from support.world import World
from video.test_snapshots import add_camera


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"camera_networks": parse_networks(["127.0.0.0/8"]),
                                       "live_max_viewers": 2})


@pytest.fixture(scope="module")
def camera() -> Iterator[RtspCamera]:
    require_ffmpeg()
    with rtsp_camera() as cam:
        yield cam


def open_live(client: TestClient, headers: dict[str, str], camera_id: str) -> Any:
    return client.post(f"/api/v1/cameras/{camera_id}/live", headers=headers)


def segments(playlist: str) -> list[str]:
    return [line for line in playlist.splitlines() if line and not line.startswith("#")]


def until_segments(client: TestClient, headers: dict[str, str], playlist_url: str,
                   count: int) -> str:
    """The playlist once it lists ``count`` segments (ffmpeg writes one a second)."""
    for _ in range(300):
        response = client.get(playlist_url, headers=headers)
        if response.status_code == 200 and len(segments(response.text)) >= count:
            return response.text
        time.sleep(0.1)
    raise AssertionError(f"the playlist never listed {count} segments")


def test_an_rtsp_camera_plays_through_the_app_and_only_for_its_viewer(
    client: TestClient, world: World, camera: RtspCamera, tmp_path: Path,
) -> None:
    admin = world.headers(client, "admin")
    camera_id = add_camera(client, admin, "RTSP-1", camera.url,
                           stream_username="viewer", stream_password="pw")
    operator = world.headers(client, "a.operator")
    opened = open_live(client, operator, camera_id)
    assert opened.status_code == 201, opened.text
    session = opened.json()
    assert session["viewers"] == 1 and session["max_viewers"] == 2
    assert "127.0.0.1" not in opened.text and "pw" not in opened.text
    playlist = until_segments(client, operator, session["playlist"], 2)
    assert "#EXT-X-MAP:URI=\"init.mp4\"" in playlist
    base = session["playlist"].rsplit("/", 1)[0]
    init = client.get(f"{base}/init.mp4", headers=operator)
    assert init.status_code == 200 and init.headers["content-type"] == "video/mp4"
    first = client.get(f"{base}/{segments(playlist)[0]}", headers=operator)
    assert first.status_code == 200 and first.headers["content-type"] == "video/iso.segment"
    # What came through is the camera's H.264, copied (not re-encoded): ffprobe says so.
    movie = tmp_path / "got.mp4"
    movie.write_bytes(init.content + first.content)
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height",
         "-of", "default=nw=1", str(movie)], capture_output=True, text=True, check=True)
    assert "codec_name=h264" in probe.stdout and "width=640" in probe.stdout

    # Someone else, even of the same station, cannot use the session's path.
    other = world.headers(client, "a.commander")
    assert client.get(session["playlist"], headers=other).status_code == 404
    assert client.get(session["playlist"]).status_code == 401
    # Only the stream's own file names: no path built from anything else.
    for name in ("..%2F..%2Fsafetyzone.db", "live.m3u8.bak", "seg1.m4s"):
        assert client.get(f"{base}/{name}", headers=operator).status_code in {404, 422}

    closed = client.delete(f"/api/v1/live/{session['session']}", headers=operator)
    assert closed.status_code == 204
    assert client.get(session["playlist"], headers=operator).status_code == 404
    audit = client.get("/api/v1/audit", params={"entity_id": camera_id}, headers=admin).json()
    actions = [row["action"] for row in audit["items"]]
    assert "camera.live.start" in actions and "camera.live.end" in actions
    end = next(row for row in audit["items"] if row["action"] == "camera.live.end")
    assert end["detail"]["reason"] == "closed" and end["username"] == "a.operator"


def test_the_viewer_limit_and_the_sharing_terms_are_checked_when_a_session_starts(
    client: TestClient, world: World, camera: RtspCamera,
) -> None:
    admin = world.headers(client, "admin")
    camera_id = add_camera(client, admin, "RTSP-2", camera.url,
                           stream_username="viewer", stream_password="pw")
    operator = world.headers(client, "a.operator")
    first = open_live(client, operator, camera_id).json()
    assert open_live(client, world.headers(client, "a.commander"), camera_id).status_code == 201
    full = open_live(client, admin, camera_id)
    assert full.status_code == 429 and full.json()["code"] == "camera-viewers-full"
    assert full.headers["retry-after"] == "10"
    assert client.delete(f"/api/v1/live/{first['session']}", headers=operator).status_code == 204

    on_alarm = add_camera(client, admin, "RTSP-3", camera.url, sharing="live_on_alarm",
                          stream_username="viewer", stream_password="pw")
    refused = open_live(client, operator, on_alarm)
    assert refused.status_code == 403 and "live on alarm" in refused.json()["detail"]
    registry = add_camera(client, admin, "RTSP-4", camera.url, sharing="registry_only")
    assert open_live(client, operator, registry).status_code == 403
    # Another station's camera does not exist for this operator.
    assert open_live(client, world.headers(client, "b.operator"), camera_id).status_code == 404
    snapshot_only = add_camera(client, admin, "HTTP-9", "http://127.0.0.1:9/snap.jpg")
    no_stream = open_live(client, operator, snapshot_only)
    assert no_stream.status_code == 409 and no_stream.json()["code"] == "camera-no-stream"


def test_wrong_credentials_or_a_refused_address_give_one_answer_and_no_leak(
    client: TestClient, world: World, camera: RtspCamera,
) -> None:
    admin = world.headers(client, "admin")
    wrong = add_camera(client, admin, "RTSP-5", camera.url, stream_username="viewer",
                       stream_password="not-the-password")
    operator = world.headers(client, "a.operator")
    session = open_live(client, operator, wrong).json()
    answer = client.get(session["playlist"], headers=operator)
    for _ in range(100):  # ffmpeg gives up on the 401 within a second or two
        if answer.status_code == 502:
            break
        time.sleep(0.1)
        answer = client.get(session["playlist"], headers=operator)
    assert answer.status_code == 502 and answer.json()["code"] == "camera-unavailable"
    assert "not-the-password" not in answer.text and "127.0.0.1" not in answer.text
    stream = client.app.state.live._streams[__import__("uuid").UUID(wrong)]  # type: ignore[attr-defined]
    assert "401" in (stream.problem or "") and "not-the-password" not in (stream.problem or "")


def test_a_demo_camera_streams_its_generated_picture(client: TestClient, world: World) -> None:
    require_ffmpeg()
    admin = world.headers(client, "admin")
    camera_id = add_camera(client, admin, "SIM-9", "sim://sim-9")
    operator = world.headers(client, "a.operator")
    session = open_live(client, operator, camera_id).json()
    playlist = until_segments(client, operator, session["playlist"], 1)
    assert re.search(r"seg\d{6}\.m4s", playlist)


def test_one_person_cannot_take_every_seat_of_a_camera(
    db: Database, clock: ManualClock, settings: Settings, world: World, camera: RtspCamera,
) -> None:
    """The wall, the incident panel and a popped-out wall may each watch a camera; a fourth
    session of the same person ends their oldest, so others still get a seat."""
    roomy = settings.model_copy(update={"live_max_viewers": 8})
    with TestClient(create_app(roomy, db, clock)) as client:
        admin = world.headers(client, "admin")
        camera_id = add_camera(client, admin, "RTSP-6", camera.url,
                               stream_username="viewer", stream_password="pw")
        operator = world.headers(client, "a.operator")
        sessions = [open_live(client, operator, camera_id).json() for _ in range(PER_PERSON + 2)]
        assert [s["viewers"] for s in sessions] == [1, 2, 3, 3, 3]
        gone = sessions[:2]  # the two oldest, replaced
        for session in gone:
            assert client.delete(f"/api/v1/live/{session['session']}",
                                 headers=operator).status_code == 404
        assert open_live(client, world.headers(client, "a.commander"), camera_id).json()[
            "viewers"] == 4
        audit = client.get("/api/v1/audit", params={"entity_id": camera_id},
                           headers=admin).json()["items"]
        assert sum(1 for row in audit if row["action"] == "camera.live.end"
                   and row["detail"]["reason"] == "replaced") == 2

