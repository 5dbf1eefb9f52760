"""The generic JSON plate read: our own format, so strict; garbage and fuzzing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safetyzone.adapters.errors import AdapterError
from safetyzone.adapters.lpr.generic import GenericPlateRead, decode_generic
from safetyzone.core.events import PlateIn
from support.event_checks import assert_valid_event

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lpr"
RECEIVED = datetime(2026, 8, 1, tzinfo=UTC)
WINDOW = {"not_before": datetime(2000, 1, 1, tzinfo=UTC),
          "not_after": RECEIVED + timedelta(days=1)}
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def refused_or_valid(data: bytes) -> None:
    try:
        decode(data)
    except AdapterError as err:
        refusal = err
    else:
        return
    assert refusal.detail


def decode(data: bytes, camera_id: str | None = None) -> PlateIn:
    event = decode_generic(data, received_at=RECEIVED, camera_id=camera_id)
    assert_valid_event(event, **WINDOW)
    return event


def sample(**change: Any) -> bytes:
    data = json.loads(FIXTURES.joinpath("generic_thai_full.json").read_text())
    data.update(change)
    return json.dumps({k: v for k, v in data.items() if v is not ...}).encode()


def test_full_read() -> None:
    event = decode(FIXTURES.joinpath("generic_thai_full.json").read_bytes())
    assert event.device_event_id == "generic:gate-2-000981"
    assert event.event_time == datetime(2026, 7, 31, 1, 15, 42, tzinfo=UTC)
    p = event.payload
    assert (p.plate, p.plate_normalized, p.province) == ("๑กข ๑๒๓๔", "1กข1234", "TH-10")
    assert (p.confidence, p.direction) == (91.5, "in")
    assert p.image_ref == "https://nvr.station.local/snapshots/000981.jpg"


def test_minimal_read_uses_received_at_and_a_derived_id() -> None:
    event = decode(b'{"plate": "AB 1234"}', camera_id="gate-2")
    assert event.event_time == RECEIVED
    assert event.device_event_id == "generic:gate-2:AB1234:1785542400000"
    assert (event.payload.province, event.payload.confidence) == (None, None)


def test_unknown_province_text_is_kept() -> None:
    assert decode(sample(province="Kuala Lumpur")).payload.province == "Kuala Lumpur"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "body: Invalid JSON"),
        (b"plate=AB12", "Invalid JSON"),  # a form body: wrong content type upstream
        (b"[]", "body: Input should be an object"),
        (b"{}", "plate: Field required"),
        (sample(plate=""), "plate: String should have at least 1 character"),
        (sample(plate="ก" * 40), "plate: String should have at most 32"),
        (sample(plate="???"), "not a Thai plate"),
        (sample(plate=1234), "plate: Input should be a valid string"),
        (sample(confidence="91"), "confidence: Input should be a valid number"),
        (sample(confidence=101), "confidence: Input should be less than or equal to 100"),
        (sample(confidence=-1), "greater than or equal to 0"),
        (b'{"plate": "AB12", "confidence": NaN}', "confidence: Input should be a finite number"),
        (b'{"plate": "AB12", "confidence": 1e999}', "confidence: Input should be a finite"),
        (sample(event_time="2026-07-31T08:15:42"), "event_time: Input should have timezone"),
        (sample(event_time="yesterday"), "event_time"),
        (sample(event_time="1999-12-31T23:59:59Z"), "not plausible"),
        (sample(event_time=1785542400), "event_time"),
        (sample(direction="northbound-lane-7"), "direction: String should have at most 16"),
        (sample(image_url="file:///etc/passwd"), "image_url: String should match pattern"),
        (sample(camera_event_id=""), "camera_event_id: String should have at least 1"),
        (sample(speed=42), "speed: Extra inputs are not permitted"),
        (b"[" * 60_000, "Invalid JSON|recursion"),
        (b"x" * 70_000, "larger than"),
    ],
)
def test_garbage_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(AdapterError, match=reason):
        decode_generic(data, received_at=RECEIVED)


def test_the_model_forbids_extra_fields() -> None:
    assert GenericPlateRead.model_config["extra"] == "forbid"


FIELDS = st.fixed_dictionaries({}, optional={
    "plate": st.one_of(st.text(max_size=40), st.integers()),
    "province": st.one_of(st.none(), st.text(max_size=20)),
    "confidence": st.one_of(st.none(), st.floats(allow_nan=False), st.text(max_size=5)),
    "direction": st.one_of(st.none(), st.text(max_size=20)),
    "event_time": st.one_of(st.none(), st.datetimes(timezones=st.just(UTC)).map(
        lambda d: d.isoformat()), st.text(max_size=25)),
    "camera_event_id": st.one_of(st.none(), st.text(max_size=120)),
    "image_url": st.one_of(st.none(), st.text(max_size=30)),
})


@FUZZ
@given(FIELDS)
def test_random_fields_are_refused_or_valid(fields: dict[str, Any]) -> None:
    refused_or_valid(json.dumps(fields).encode())


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_are_refused_or_valid(data: bytes) -> None:
    refused_or_valid(data)
