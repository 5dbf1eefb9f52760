"""Evidence clips with real parts: footage recorded from GStreamer's RTSP camera, a clip cut
from it by ffmpeg with the watermark burned in, its hash, its chain of custody, and the
export package checked by ``sha256sum -c`` and ``ssz evidence verify`` (and, tampered, not).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from conftest import SECRET
from safetyzone.cli import app as cli
from safetyzone.config import Settings
from safetyzone.core.db import Database
from safetyzone.video.evidence.signing import EvidenceSigner
from support.recording import dock, record_until, recorder_for, recording_settings, set_policy
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


def probe(path: Path, entries: str) -> dict[str, str]:
    done = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0",
                           "-show_entries", entries, "-of", "default=nw=1", str(path)],
                          capture_output=True, text=True, check=True)
    return dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)


def top_band_rgb(path: Path) -> tuple[float, float, float]:
    """The mean colour of the frame's top rows one second in (where the red band is)."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", "1", "-i", str(path), "-frames:v",
                          "1", "-vf", "crop=iw:8:0:4,scale=64:8", "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    n = len(raw) // 3
    return (sum(raw[0::3]) / n, sum(raw[1::3]) / n, sum(raw[2::3]) / n)


def verify(path: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["evidence", "verify", str(path), *extra])
    return result.exit_code, result.output


def rewrite(source: Path, target: Path, change: dict[str, bytes]) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info.filename, change.get(info.filename, old.read(info.filename)))


def test_a_clip_from_an_incident_is_watermarked_hashed_in_custody_and_verifies_offline(
    client: TestClient, world: World, db: Database, settings: Settings, camera: RtspCamera,
    tmp_path: Path,
) -> None:
    admin = world.headers(client, "admin")
    camera_id = add_camera(client, admin, "EV-1", camera.url, stream_username="viewer",
                           stream_password="pw")
    assert set_policy(client, admin, camera_id, mode="continuous").status_code == 200
    recorder = recorder_for(client, db, settings)
    with asyncio.Runner() as runner:
        rows = record_until(runner, recorder, db, camera_id, 7)
        runner.run(recorder.stop())
    incident = dock(db, camera_id, "EV-1")
    at = rows[3].starts_at.replace(tzinfo=UTC) + timedelta(milliseconds=500)
    investigator = world.headers(client, "a.investigator")
    made = client.post(f"/api/v1/incidents/{incident}/clips", headers=investigator,
                       json={"at": at.isoformat(), "before_s": 2, "after_s": 2})
    assert made.status_code == 201, made.text
    clip = made.json()["clips"][0]
    assert clip["camera_code"] == "EV-1" and clip["made_by"] == "a.investigator"
    assert clip["incident_number"].startswith("INC-")
    stored = next((settings.data_dir / "evidence").rglob("*.mp4"))
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == clip["sha256"]

    # Download: the exact bytes; ffprobe shows a re-encoded clip of about x + y seconds.
    operator = world.headers(client, "a.operator")
    got = client.get(f"/api/v1/clips/{clip['id']}/download", headers=operator)
    assert got.status_code == 200 and got.headers["content-type"] == "video/mp4"
    assert hashlib.sha256(got.content).hexdigest() == clip["sha256"]
    movie = tmp_path / "clip.mp4"
    movie.write_bytes(got.content)
    shown = probe(movie, "stream=codec_name,profile,width:format=duration")
    source = probe(settings.data_dir / "recordings" / rows[3].path, "stream=profile")
    assert shown["codec_name"] == "h264" and shown["width"] == "640"
    assert shown["profile"] == "High" and source["profile"] != "High"  # encoded by us
    assert 3.0 <= float(shown["duration"]) <= 5.0
    red, green, blue = top_band_rgb(movie)
    assert red > 150 and green < 80 and blue < 80  # the burned-in band, over a test card
    assert client.get(f"/api/v1/clips/{clip['id']}/view",
                      headers=world.headers(client, "a.commander")).status_code == 200

    # Export: a ZIP that sha256sum -c and the CLI both accept.
    exported = client.post(f"/api/v1/incidents/{incident}/evidence-export", headers=operator,
                           json={})
    assert exported.status_code == 200, exported.text
    package = tmp_path / "evidence.zip"
    package.write_bytes(exported.content)
    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(io.BytesIO(exported.content)).extractall(unpacked)
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=unpacked,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    # The signature with nothing of ours: OpenSSL, as README.txt in the package says.
    signed = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey",
                             "server-public-key.pem", "-rawin", "-in", "manifest.json",
                             "-sigfile", "manifest.json.sig"], cwd=unpacked,
                            capture_output=True, text=True)
    assert signed.returncode == 0 and "Signature Verified Successfully" in signed.stdout
    manifest = json.loads((unpacked / "manifest.json").read_text("utf-8"))
    entry = manifest["clips"][0]
    assert entry["sha256"] == clip["sha256"] and entry["camera"] == "EV-1"
    assert entry["from"]["bangkok"].endswith("+07:00") and entry["from"]["utc"].endswith(
        "+00:00")
    assert manifest["exported_by"] == "a.operator" and manifest["incident"]["number"] == clip[
        "incident_number"]
    code, output = verify(package)
    assert code == 0 and "VERIFIED" in output, output
    trusted = tmp_path / "station.pem"
    trusted.write_bytes(EvidenceSigner(SECRET).public_pem)
    assert verify(package, "--public-key", str(trusted))[0] == 0
    stranger = tmp_path / "other.pem"
    stranger.write_bytes(EvidenceSigner("another-server-secret-key-0123456789abcdef").public_pem)
    code, output = verify(package, "--public-key", str(stranger))
    assert code == 1 and "NOT the trusted key" in output

    # One byte of the clip changed: the CLI names the clip (both hashes disagree).
    data = zipfile.ZipFile(package).read(entry["file"])
    bent = bytearray(data)
    bent[len(bent) // 2] ^= 0x01
    tampered = tmp_path / "tampered-clip.zip"
    rewrite(package, tampered, {entry["file"]: bytes(bent)})
    code, output = verify(tampered)
    assert code == 1 and f"FAIL {entry['file']}: sha256 is" in output
    assert "the manifest says" in output and "NOT VERIFIED" in output
    # The manifest changed, its SHA256SUMS line fixed to match: the signature says no.
    forged = json.dumps({**manifest, "exported_by": "someone.else"}).encode()
    sums = zipfile.ZipFile(package).read("SHA256SUMS").decode().splitlines()
    sums = [f"{hashlib.sha256(forged).hexdigest()}  manifest.json"
            if line.endswith("  manifest.json") else line for line in sums]
    tampered = tmp_path / "tampered-manifest.zip"
    rewrite(package, tampered, {"manifest.json": forged,
                                "SHA256SUMS": ("\n".join(sums) + "\n").encode()})
    code, output = verify(tampered)
    assert code == 1 and "FAIL manifest.json: the signature does not match" in output
    assert "FAIL manifest.json: sha256" not in output
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"PK\x03\x04 not really")
    code, output = verify(garbage)
    assert code == 1 and "not a readable ZIP" in output

    # The chain of custody: made, downloaded, viewed, exported, each with its hash.
    detail = client.get(f"/api/v1/clips/{clip['id']}", headers=investigator).json()
    steps = [(c["action"], c["username"]) for c in detail["custody"]]
    assert steps == [("made", "a.investigator"), ("downloaded", "a.operator"),
                     ("viewed", "a.commander"), ("exported", "a.operator")]
    assert all(c["sha256"] == clip["sha256"] and c["intact"] and c["address"]
               for c in detail["custody"])
    audit = client.get("/api/v1/audit", params={"entity_id": clip["id"]},
                       headers=admin).json()["items"]
    assert {row["action"] for row in audit} == {"evidence.made", "evidence.downloaded",
                                                "evidence.viewed", "evidence.exported"}

    # The stored clip changed on disk: not handed out, and the attempt is in the chain.
    stored.chmod(0o600)
    with stored.open("r+b") as handle:
        handle.seek(100)
        byte = handle.read(1)
        handle.seek(100)
        handle.write(bytes([byte[0] ^ 0xFF]))
    refused = client.get(f"/api/v1/clips/{clip['id']}/download", headers=operator)
    assert refused.status_code == 409 and refused.json()["code"] == "evidence-tampered"
    last = client.get(f"/api/v1/clips/{clip['id']}", headers=operator).json()["custody"][-1]
    assert last["action"] == "downloaded" and not last["intact"]
    assert last["sha256"] != clip["sha256"]
    assert client.post(f"/api/v1/incidents/{incident}/evidence-export", headers=operator,
                       json={}).status_code == 409
