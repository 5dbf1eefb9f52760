"""Names every part of the intake benchmark shares."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "intake.py"  # the subprocess servers re-run it
SECRET = "benchmark-only-secret-key-0123456789abcdef"  # noqa: S105 - a throwaway server's key
HOST = "127.0.0.1"
STATION = "ST-A"  # from tests/support/world.py
SOS_ASSET = "ST-A-SOS1"
OPERATOR = "a.operator"
COMMANDER = "a.commander"
SOS_RULE = {
    "name": "sos-bench", "position": 1, "trigger": {"event_kind": "sos.press"},
    "action": {"incident_kind": "sos", "priority": 1, "title_th": "กดปุ่ม SOS ที่ {source_th}",
               "title_en": "SOS pressed at {source_en}", "merge_window_s": 0},
}
T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on uvloop when installed (it is, with uvicorn[standard])."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)
