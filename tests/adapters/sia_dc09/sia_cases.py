"""Load the published DC-09 frames in tests/fixtures/sia_dc09 (one case per file)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from safetyzone.adapters.sia_dc09 import AccountConfig

FIXTURES = Path(__file__).parents[2] / "fixtures" / "sia_dc09"


@dataclass(frozen=True)
class SiaCase:
    """One fixture file: a frame as published, the accounts it needs, what it must give."""

    name: str
    source: str
    frame: bytes
    accounts: dict[str, AccountConfig]
    received_at: datetime
    expect: dict[str, Any]


def load_case(path: Path) -> SiaCase:
    raw = json.loads(path.read_text(encoding="utf-8"))
    frame = (
        bytes.fromhex(raw["frame_hex"]) if "frame_hex" in raw else raw["frame"].encode("latin-1")
    )
    accounts = {
        number: AccountConfig.from_text(spec.get("key"), spec.get("format", "auto"))
        for number, spec in raw["accounts"].items()
    }
    assert raw["source"], f"{path.name} does not say where its frame comes from"
    return SiaCase(
        name=path.stem, source=raw["source"], frame=frame, accounts=accounts,
        received_at=datetime.fromisoformat(raw["received_at"]), expect=raw["expect"],
    )


def all_cases() -> list[SiaCase]:
    return [load_case(path) for path in sorted(FIXTURES.glob("*.json"))]



CASES = all_cases()
each_case = pytest.mark.parametrize("sia_case", CASES, ids=[case.name for case in CASES])
"""Run a test once per fixture file, as ``sia_case``."""
