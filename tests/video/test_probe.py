"""One probe of one camera against real streams: GStreamer's RTSP server on loopback (a
moving and a frozen picture, with Basic authentication) read by the real ffmpeg.

Loopback is a camera network here only (the policy below), as in test_snapshots.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from safetyzone.core.outbound import OutboundPolicy, parse_networks
from safetyzone.video.models import CameraState
from safetyzone.video.probe import ProbeResult, probe_stream, same_picture
from safetyzone.video.sources import StreamAddress
from support.rtsp import RtspCamera, require_ffmpeg, rtsp_camera

LOOPBACK = OutboundPolicy(parse_networks(["127.0.0.0/8"]))
WRONG = "wrong-secret-4711"


@pytest.fixture(scope="module")
def moving() -> Iterator[RtspCamera]:
    require_ffmpeg()
    with rtsp_camera(pattern="moving") as cam:
        yield cam


@pytest.fixture(scope="module")
def frozen() -> Iterator[RtspCamera]:
    require_ffmpeg()
    with rtsp_camera(pattern="frozen") as cam:
        yield cam


def probe(address: StreamAddress, work_dir: Path, policy: OutboundPolicy = LOOPBACK
          ) -> ProbeResult:
    return asyncio.run(probe_stream(address, code="CAM-1", policy=policy, work_dir=work_dir,
                                    ffmpeg=require_ffmpeg(), timeout_s=20))


def test_a_moving_camera_is_online_with_its_size_and_latency(
    moving: RtspCamera, tmp_path: Path,
) -> None:
    got = probe(StreamAddress(moving.url, "viewer", "pw"), tmp_path)
    assert got.state is CameraState.ONLINE, got.detail
    assert (got.width, got.height) == (640, 360)
    assert got.latency_ms is not None and got.latency_ms > 0
    assert list(tmp_path.iterdir()) == []  # the pictures are not kept


def test_a_frozen_camera_is_frozen(frozen: RtspCamera, tmp_path: Path) -> None:
    got = probe(StreamAddress(frozen.url, "viewer", "pw"), tmp_path)
    assert got.state is CameraState.FROZEN, got.detail
    assert (got.width, got.height) == (640, 360) and got.latency_ms is not None


def test_wrong_credentials_are_offline_with_the_answer_and_without_the_password(
    moving: RtspCamera, tmp_path: Path,
) -> None:
    got = probe(StreamAddress(moving.url, "viewer", WRONG), tmp_path)
    assert got.state is CameraState.OFFLINE
    assert got.detail is not None and "401" in got.detail
    assert WRONG not in got.detail and "viewer:" not in got.detail


def test_a_closed_port_is_offline(tmp_path: Path) -> None:
    with socket.socket() as holder:  # a port nobody listens on
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]
    got = probe(StreamAddress(f"rtsp://127.0.0.1:{port}/live"), tmp_path)
    assert got.state is CameraState.OFFLINE
    assert got.detail and "CAM-1" in got.detail


def test_an_address_outside_the_camera_networks_is_never_contacted(tmp_path: Path) -> None:
    got = probe(StreamAddress("rtsp://127.0.0.1:554/live"), tmp_path,
                policy=OutboundPolicy(parse_networks(["10.0.0.0/8"])))
    assert got.state is CameraState.OFFLINE and got.detail and "refused" in got.detail


def test_pictures_differing_only_by_coding_noise_are_the_same() -> None:
    rng = np.random.default_rng(1)
    still = rng.integers(0, 255, 640 * 360, dtype=np.uint8)
    noisy = still.copy()
    noisy[:50] ^= 1  # a few pixels off by one: a re-encoded still picture
    moved = still.copy()
    moved[: 640 * 10] = 255 - moved[: 640 * 10]  # a band of the picture changed
    assert same_picture(still, still.copy())
    assert same_picture(still, noisy)
    assert not same_picture(still, moved)
    assert not same_picture(still, still[:-1])
