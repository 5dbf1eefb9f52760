"""Where the server's time goes: py-spy profiles, summarised by role."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

from intakebench.client import Maker
from intakebench.measuring import Load, closed_loop

# --------------------------------------------------------------------------- profiling


def py_spy() -> str | None:
    here = Path(sys.executable).parent / "py-spy"
    return str(here) if here.exists() else shutil.which("py-spy")


def start_profile(pid: int, seconds: float, out: Path,
                  gil: bool = True) -> subprocess.Popen[bytes] | None:
    """py-spy on the server: ``gil`` samples only the thread holding the GIL (CPU view);
    otherwise every thread, idle or not (wall-clock view: who waits for what)."""
    exe = py_spy()
    if exe is None:
        return None
    mode = ["--gil"] if gil else ["--idle"]
    # Blocking mode (py-spy pauses the server for each sample): slower while profiled, but
    # --nonblocking reads torn stacks and was seen to triple some frames' shares.
    return subprocess.Popen(  # noqa: S603 - py-spy on our own server process
        [exe, "record", "--pid", str(pid), "--duration", str(max(1, round(seconds))),
         "--rate", "250", *mode, "--threads", "--format", "raw", "--output", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


Frames = list[str]


def has(*needles: str) -> Callable[[Frames], bool]:
    return lambda frames: any(n in f for f in frames for n in needles)


def under(parent: str, child: str) -> Callable[[Frames], bool]:
    """The frame right below one starting with ``parent`` starts with ``child``."""
    return lambda frames: any(a.startswith(parent) and b.startswith(child)
                              for a, b in pairwise(frames))


def main_thread(frames: Frames) -> bool:
    return frames[0] == "MainThread"


# (label, which samples count), inclusive: a sample counts toward every line it matches.
COMPONENTS: list[tuple[str, Callable[[Frames], bool]]] = [
    ("event-loop thread (HTTP, app, WebSocket)", main_thread),
    ("  uvicorn protocol outside the app", lambda f: main_thread(f) and has(
        "httptools_impl.py")(f) and not has("run_asgi (")(f)),
    ("  ASGI app: middleware+routing+endpoint", has("run_asgi (")),
    ("    route matching", has("_IncludedRouter._match (", "APIRouter.matches (")),
    ("    solve_dependencies (all Depends, body)", has("solve_dependencies (")),
    ("      dependency cache keys (introspection)", has("_get_cache_key (")),
    ("      body validation (pydantic)", has("request_body_to_args (")),
    ("      device auth (get_device)", has("get_device (")),
    ("    endpoint (create_event[_batch])", has("create_event (", "create_event_batch (")),
    ("      InboxWriter.submit (checks)", has("InboxWriter.submit (")),
    ("    response encoding", has("serialize_response (", "_serialize_data (")),
    ("    response send (middleware+socket)", has("RequestResponseCycle.send (")),
    ("    prometheus_client (Metrics)", has("prometheus_client/")),
    ("    logging (uvicorn access log)", has("logging/__init__.py")),
    ("  relay, bus, hub, WebSocket send", has("Runtime._relay (", "MemoryBus.", "Hub._fanout (",
                                              "stream_feed (", "websockets/")),
    ("inbox-writer thread", lambda f: f[0] == "inbox-writer"),
    ("  store(): SQL (SELECT dupes, INSERT)", under("store (", "Session.execute (")),
    ("  event_from_row (re-validates rows)", has("event_from_row (")),
    ("  COMMIT", has("Session.commit (")),
    ("ccoc-engine thread", lambda f: f[0] == "ccoc-engine"),
    ("  claim UPDATE inbox_event", under("process_event (", "Session.execute (")),
    ("  effective_rules (per event)", has("effective_rules (")),
    ("  _source + _heard lookups", has("_source (", "_heard (")),
    ("  apply_fix + unit.updated feed", has("apply_fix (", "_publish_unit (")),
    ("  open_or_merge (incidents)", has("open_or_merge (")),
    ("AnyIO worker threads (sync routes)", lambda f: f[0].startswith("AnyIO")),
    ("pydantic, anywhere", has("pydantic/", "pydantic_core/")),
    ("  copy.deepcopy of model defaults", has("BaseModel.__deepcopy__ (")),
    ("SQLAlchemy, anywhere", has("sqlalchemy/")),
]


def read_profile(path: Path) -> list[tuple[Frames, int]]:
    """py-spy raw output as ([thread name, frame, frame...], samples)."""
    samples = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            head, _, rest = stack.partition(";")
            thread = head.partition(": ")[2] or head
            samples.append(([thread, *rest.split(";")], int(count)))
    return samples


def summarise_profile(path: Path, top: int = 10) -> dict[str, Any]:
    """Share of GIL-held samples by component (inclusive) and top self-time frames."""
    samples = read_profile(path)
    total = sum(n for _, n in samples)
    if not total:
        return {"samples": 0}
    components: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    for frames, n in samples:
        for label, match in COMPONENTS:
            if match(frames):
                components[label] += n
        leaves[frames[-1]] += n
    return {
        "samples": total,
        "components_pct": {label: round(100 * components[label] / total, 1)
                           for label, _ in COMPONENTS},
        "top_self_pct": {k: round(100 * v / total, 1) for k, v in leaves.most_common(top)},
    }


def thread_states(path: Path) -> dict[str, dict[str, float]]:
    """Wall-clock view (py-spy --idle): what the writer and engine threads spend time on."""
    states: dict[str, Counter[str]] = {"inbox-writer": Counter(), "ccoc-engine": Counter()}
    for frames, n in read_profile(path):
        if frames[0] not in states:
            continue
        leaf = frames[-1]
        if leaf.startswith("Database.write ("):
            state = "waiting for the process-wide write lock"
        elif leaf.startswith(("Condition.wait (", "Queue.get (")):
            state = "idle, waiting for work"
        elif leaf.startswith("DefaultDialect.do_commit ("):
            state = "SQLite COMMIT (fsync)"
        elif leaf.startswith(("DefaultDialect.do_execute", "_ConnectionFairy")):
            state = "SQLite statements"
        else:
            state = "running Python (or waiting for the GIL)"
        states[frames[0]][state] += n
    return {thread: {k: round(100 * v / max(1, sum(c.values())), 1) for k, v in c.most_common()}
            for thread, c in states.items()}


async def profiled_window(port: int, make: Maker, clients: int, seconds: float, pid: int,
                          out: Path) -> tuple[Load, dict[str, Any] | None]:
    """An extra load window under py-spy (the measured windows never run under it)."""
    box: list[subprocess.Popen[bytes] | None] = []

    async def start() -> None:
        box.append(start_profile(pid, seconds, out))

    load = await closed_loop(port, make, clients, 0.3, seconds, pid, during=start)
    proc = box[0] if box else None
    if proc is None:
        return load, None
    await asyncio.to_thread(proc.wait, 60)
    return load, await asyncio.to_thread(lambda: summarise_profile(out) if out.exists() else None)
