"""Live video: streams per node and CPU per stream, against a plain ffmpeg copy in the same run.

What one run does, all on 127.0.0.1:

1. Starts a real RTSP camera (GStreamer's RTSP server, ``scripts/rtsp-test-camera``: H.264
   640x360 at 15 fps, one shared encoder, as a real camera's) and builds the test world in a
   fresh SQLite database (``tests/support/world.py``).
2. **Baseline**: N plain ffmpeg processes, each copying the camera's stream into HLS in a
   folder, with exactly the command the server runs (``video.media.hls.restream_argv``) but
   no server. Their CPU over the window, from /proc.
3. **SafetyZone**: ``ssz serve`` (in a subprocess) with N cameras on that RTSP address; a
   player per camera opens a live session through the API and fetches the playlist every
   second and each new segment, as hls.js does. CPU of the server process and of its ffmpeg
   children over the same window; every segment each player got, and the ones it missed.

Printed per N: CPU per stream (percent of one core) of the plain copy and of SafetyZone
(ffmpeg + the server's share), their ratio, segments delivered against the ones written, and
the streams one core would carry at that cost. The camera's own encoder is the same for both
and counted for neither. A window is CPU time over wall time, so a busy machine lengthens
nothing that is compared.

    .venv/bin/python benchmarks/live_streams.py               # N = 1, 8, 24; 20 s windows
    .venv/bin/python benchmarks/live_streams.py --streams 1 4 --seconds 8   # quick
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
SECRET = "benchmark-only-secret-key-0123456789abcdef"  # noqa: S105 - a throwaway server's key
HOST = "127.0.0.1"
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Phase:
    streams: int
    plain_cpu_per_stream: float  # fraction of one core
    ours_cpu_per_stream: float
    ours_ffmpeg_per_stream: float
    ours_server_per_stream: float
    ratio: float
    segments_got: int
    segments_missed: int
    streams_per_core: float


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def children(pid: int, name: str = "ffmpeg") -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and comm == name:
            out.append(int(entry.name))
    return out


def camera(port: int, log: Path) -> subprocess.Popen[bytes]:
    """The RTSP camera, its output to a file (a pipe nobody reads would stall it)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own script
            ["/usr/bin/python3", str(ROOT / "scripts" / "rtsp-test-camera"), "--port",
             str(port), "--user", "bench", "--password", "bench-pw"],
            stdout=out, stderr=subprocess.STDOUT)
    for _ in range(200):
        if log.read_text().startswith("ready") or proc.poll() is not None:
            break
        time.sleep(0.05)
    if not log.read_text().startswith("ready"):
        proc.kill()
        raise RuntimeError(f"the RTSP camera did not start: {log.read_text()[-500:]}")
    return proc


def build(directory: Path) -> Path:
    from sqlalchemy import create_engine

    from safetyzone import migrations
    from safetyzone.config import Settings
    from safetyzone.core.clock import SystemClock
    from safetyzone.core.db import Database
    from support.world import build_world

    path = directory / "safetyzone.db"
    engine = create_engine(f"sqlite:///{path}")
    migrations.upgrade(engine)
    engine.dispose()
    db = Database(f"sqlite:///{path}")
    build_world(db, SystemClock(), Settings(environment="production", data_dir=directory,
                                             secret_key=SECRET))
    db.dispose()
    return path


def plain_copies(n: int, rtsp: str, directory: Path, seconds: float) -> float:
    """CPU seconds per second of n plain ffmpeg copies (the baseline), all together."""
    from safetyzone.video.media import hls, tools
    from safetyzone.video.media.inputs import RTSP_IO_TIMEOUT_S, MediaInput

    media = MediaInput(args=("-rtsp_transport", "tcp", "-timeout",
                             str(RTSP_IO_TIMEOUT_S * 1_000_000), "-i", rtsp), shown="bench")
    procs = []
    for i in range(n):
        out = directory / f"plain-{i}"
        out.mkdir(parents=True)
        procs.append(subprocess.Popen(  # noqa: S603 - ffmpeg with our own arguments
            hls.restream_argv(tools.require("ffmpeg"), media, out), stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    time.sleep(3)  # connected and writing
    before = sum(cpu_s(p.pid) for p in procs)
    start = time.monotonic()
    time.sleep(seconds)
    used = sum(cpu_s(p.pid) for p in procs) - before
    elapsed = time.monotonic() - start
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait()
    return used / elapsed


async def player(client: httpx.AsyncClient, headers: dict[str, str], camera_id: str,
                 stop: asyncio.Event, counts: dict[str, int]) -> None:
    """What hls.js does for a live playlist: ask it every second, fetch each new segment."""
    opened = await client.post(f"/api/v1/cameras/{camera_id}/live", headers=headers)
    opened.raise_for_status()
    playlist = opened.json()["playlist"]
    base = playlist.rsplit("/", 1)[0]
    seen: set[str] = set()
    while not stop.is_set():
        answer = await client.get(playlist, headers=headers)
        if answer.status_code == 200:
            names = [x for x in answer.text.splitlines() if x and not x.startswith("#")]
            for name in names:
                if name in seen:
                    continue
                got = await client.get(f"{base}/{name}", headers=headers)
                counts["got" if got.status_code == 200 else "missed"] += 1
                seen.add(name)
        else:
            counts["missed"] += 1
        await asyncio.sleep(1.0)
    await client.delete(f"/api/v1/live/{opened.json()['session']}", headers=headers)


async def watch(url: str, token: str, ids: list[str], server_pid: int, seconds: float
                ) -> tuple[float, float, dict[str, int]]:
    headers = {"Authorization": f"Bearer {token}"}
    stop = asyncio.Event()
    counts = {"got": 0, "missed": 0}
    async with httpx.AsyncClient(base_url=url, timeout=20) as client:
        tasks = [asyncio.create_task(player(client, headers, i, stop, counts)) for i in ids]
        await asyncio.sleep(4)  # every stream started and delivering
        counts.update(got=0, missed=0)
        kids = children(server_pid)
        before_ffmpeg = sum(cpu_s(k) for k in kids)
        before_server = cpu_s(server_pid)
        start = time.monotonic()
        await asyncio.sleep(seconds)
        elapsed = time.monotonic() - start
        ffmpeg = (sum(cpu_s(k) for k in kids) - before_ffmpeg) / elapsed
        server = (cpu_s(server_pid) - before_server) / elapsed
        window = dict(counts)
        stop.set()
        await asyncio.gather(*tasks)
    return ffmpeg, server, window


def serve(data_dir: Path, port: int, max_viewers: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSZ_")}
    env.update({"SSZ_SECRET_KEY": SECRET, "SSZ_CAMERA_NETWORKS": "127.0.0.0/8",
                "SSZ_LOG_LEVEL": "WARNING", "SSZ_LIVE_MAX_VIEWERS": str(max_viewers),
                "SSZ_REPORTS_MONTHLY_ARCHIVE_DAY": "0"})
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "safetyzone", "serve", "--port", str(port), "--data-dir",
         str(data_dir)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            if httpx.get(f"http://{HOST}:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("ssz serve did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, nargs="+", default=[1, 8, 24])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from support.world import PASSWORD

    directory = Path(tempfile.mkdtemp(prefix="ssz-live-bench-"))
    rtsp_port = free_port()
    cam = camera(rtsp_port, directory / "camera.log")
    rtsp = f"rtsp://127.0.0.1:{rtsp_port}/live"
    results: list[Phase] = []
    try:
        build(directory)
        port = free_port()
        server = serve(directory, port, max(args.streams))
        url = f"http://{HOST}:{port}"
        try:
            token = httpx.post(f"{url}/api/v1/auth/token", data={
                "username": "admin", "password": PASSWORD}).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            ids = []
            for i in range(max(args.streams)):
                made = httpx.post(f"{url}/api/v1/cameras", headers=headers, json={
                    "station_code": "ST-A", "point_code": "ST-A-POLICE-P1",
                    "code": f"BENCH-{i}", "name_th": f"กล้อง {i}",
                    "sharing_level": "live_always", "stream_url": rtsp,
                    "stream_username": "bench", "stream_password": "bench-pw"})
                made.raise_for_status()
                ids.append(made.json()["id"])
            for n in args.streams:
                plain = plain_copies(n, f"rtsp://bench:bench-pw@127.0.0.1:{rtsp_port}/live",
                                     directory / f"plain-{n}", args.seconds) / n
                ffmpeg, srv, counts = asyncio.run(
                    watch(url, token, ids[:n], server.pid, args.seconds))
                ours = (ffmpeg + srv) / n
                results.append(Phase(
                    streams=n, plain_cpu_per_stream=plain, ours_cpu_per_stream=ours,
                    ours_ffmpeg_per_stream=ffmpeg / n, ours_server_per_stream=srv / n,
                    ratio=ours / plain if plain else float("nan"),
                    segments_got=counts["got"], segments_missed=counts["missed"],
                    streams_per_core=1 / ours if ours else float("inf")))
                time.sleep(16)  # the streams' linger, so the next phase starts cold
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
    finally:
        cam.terminate()
        cam.wait()
        shutil.rmtree(directory, ignore_errors=True)

    print(f"{'streams':>7} {'plain %core':>11} {'ours %core':>10} {'(ffmpeg':>8} "
          f"{'server)':>8} {'ratio':>6} {'segments':>9} {'missed':>6} {'per core':>8}")
    for r in results:
        print(f"{r.streams:>7} {100 * r.plain_cpu_per_stream:>11.2f} "
              f"{100 * r.ours_cpu_per_stream:>10.2f} {100 * r.ours_ffmpeg_per_stream:>8.2f} "
              f"{100 * r.ours_server_per_stream:>8.2f} {r.ratio:>6.2f} {r.segments_got:>9} "
              f"{r.segments_missed:>6} {r.streams_per_core:>8.0f}")
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    figures: dict[str, Any] = {"phases": [asdict(r) for r in results]}
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
