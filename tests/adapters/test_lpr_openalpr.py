"""OpenALPR / Rekor Scout webhooks: the documented samples, a real agent POST, garbage."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safetyzone.adapters.errors import NOT_A_READ, AdapterError
from safetyzone.adapters.lpr.openalpr import decode_openalpr, read_openalpr
from safetyzone.core.events import PlateIn
from support.event_checks import assert_valid_event

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lpr"
RECEIVED = datetime(2026, 8, 1, tzinfo=UTC)
WINDOW = {"not_before": datetime(2000, 1, 1, tzinfo=UTC),
          "not_after": RECEIVED + timedelta(days=1)}
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
READS = ["openalpr_alprd_group.json", "openalpr_alprd_results.json",
         "openalpr_alprd_webhook_brazil.json", "rekor_scout_group.json"]


def body(name: str) -> bytes:
    return FIXTURES.joinpath(name).read_bytes()


def decode(data: bytes) -> list[PlateIn]:
    events = decode_openalpr(data, received_at=RECEIVED)
    for event in events:
        assert_valid_event(event, **WINDOW)
    return events


def refused_or_valid(data: bytes) -> None:
    try:
        decode(data)
    except AdapterError as err:
        refusal = err
    else:
        return
    assert refusal.detail


def summary(event: PlateIn) -> tuple[object, ...]:
    p = event.payload
    return (p.plate_normalized, p.province, round(p.confidence or 0, 3), p.direction,
            event.event_time.isoformat(), event.device_event_id)


def test_alprd_results_one_event_per_plate_in_the_frame() -> None:
    events = decode(body("openalpr_alprd_results.json"))
    # The open-source alprd sample has no data_type and epoch seconds: both handled.
    assert [summary(e) for e in events] == [
        ("S11FRE", None, 77.131, None, "2014-06-07T17:10:50+00:00",
         "openalpr:f11e0acc-6aaf-4817-9299-9e6773043b8e#0"),
        ("EJLESSIE", None, 78.168, None, "2014-06-07T16:20:50+00:00",
         "openalpr:f11e0acc-6aaf-4817-9299-9e6773043b8e#1"),
    ]
    assert events[0].payload.image_ref == "openalpr:f11e0acc-6aaf-4817-9299-9e6773043b8e"


def test_alprd_group() -> None:
    (event,) = decode(body("openalpr_alprd_group.json"))
    assert summary(event) == (
        "A13709", "mo", 92.075, None, "2015-11-24T00:50:08.789000+00:00",
        "openalpr:dimitar-video-cam1414799424-1448326208789")


def test_real_agent_webhook_with_millisecond_epoch() -> None:
    reads = read_openalpr(body("openalpr_alprd_webhook_brazil.json"), received_at=RECEIVED)
    assert [summary(r.event) for r in reads] == [
        ("G8U8266", "br", 88.541, None, "2019-08-01T18:34:32.088000+00:00",
         "openalpr:p1-cam1-1564684472408#0")]
    assert (reads[0].camera_id, reads[0].site_id) == ("1", "p1")


def test_rekor_scout_group_with_gps_direction_and_vehicle() -> None:
    (read,) = read_openalpr(body("rekor_scout_group.json"), received_at=RECEIVED)
    event = read.event
    # best_plate.plate is read, as the brief says; this sample's best_plate_number differs.
    assert summary(event) == (
        "TEST123", "us-in", 93.505, "bearing:257", "2020-12-31T16:55:31.402000+00:00",
        "openalpr:U8HGWA66CW58AV9Q7YB4JJ749CV7WXNQLLNIBT4N-106232737-1609433731402")
    assert event.location is not None
    assert (event.location.lat, event.location.lon) == pytest.approx((40.00998, -86.14464),
                                                                     abs=1e-5)
    assert read.camera_id == "106232737"
    assert read.agent_uid == "U8HGWA66CW58AV9Q7YB4JJ749CV7WXNQLLNIBT4N"
    assert read.vehicle["make"] == "kenworth" and read.vehicle["body_type"] == "tractor-trailer"


def test_group_falls_back_to_best_plate_number() -> None:
    data = json.loads(body("rekor_scout_group.json"))
    del data["best_plate"]
    (event,) = decode(json.dumps(data).encode())
    assert event.payload.plate == "A424761"
    assert event.payload.confidence == pytest.approx(93.505, abs=1e-3)
    assert event.payload.province == "us-in"


def test_thai_region_and_plate() -> None:
    data = json.loads(body("openalpr_alprd_webhook_brazil.json"))
    data["results"][0].update(plate="1กข1234", region="th-10")
    (event,) = decode(json.dumps(data).encode())
    assert (event.payload.plate_normalized, event.payload.province) == ("1กข1234", "TH-10")


def test_heartbeat_and_empty_frames_are_not_reads() -> None:
    for data in (body("openalpr_alprd_heartbeat.json"),
                 b'{"data_type": "alpr_results", "results": []}',
                 b'{"data_type": "vehicle"}', b"{}"):
        with pytest.raises(AdapterError) as err:
            decode_openalpr(data, received_at=RECEIVED)
        assert err.value.code == NOT_A_READ


def test_retry_gets_the_same_event_ids() -> None:
    data = body("rekor_scout_group.json")
    later = decode_openalpr(data, received_at=RECEIVED + timedelta(minutes=3))
    assert decode(data) == later


def test_without_uuid_the_id_is_camera_plate_and_time() -> None:
    data = json.loads(body("openalpr_alprd_webhook_brazil.json"))
    del data["uuid"]
    (event,) = decode(json.dumps(data).encode())
    assert event.device_event_id == "openalpr:1:G8U8266:1564684472088"
    assert event.payload.image_ref is None


def test_gps_that_was_never_set_or_is_junk_is_no_location() -> None:
    data = json.loads(body("rekor_scout_group.json"))
    for lat, lon in ((0, 0), ("40", -86), (None, None), ("INF", 1), (10**400, 1), (95, 1)):
        data.update(gps_latitude=lat, gps_longitude=lon)
        raw = json.dumps(data).replace('"INF"', "1e999")  # parses as infinity
        (event,) = decode(raw.encode())
        assert event.location is None


def results_with(**change: Any) -> bytes:
    data = json.loads(body("openalpr_alprd_webhook_brazil.json"))
    data["results"][0].update(change)
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not valid JSON"),
        (b"<xml/>", "not valid JSON"),
        (b"[1, 2]", "must be an object"),
        (b'{"data_type": "alpr_results", "results": {}}', "has no results"),
        (b'{"data_type": "alpr_results", "results": [1]}', r"results\[0\] is not an object"),
        (b'{"data_type": "alpr_results", "results": [{"confidence": 90}]}', "has no plate"),
        (b'{"data_type": "alpr_group"}', "no best_plate.plate nor best_plate_number"),
        (b'{"data_type": "alpr_results", "results": [{"plate": "AB12", "confidence": NaN}]}',
         "NaN is not a number"),
        (results_with(confidence="88"), "confidence must be a number"),
        (results_with(confidence=188), "confidence 188 is out of range"),
        (results_with(plate="!"), "not a Thai plate"),
        (results_with(plate="A" * 40), "longer than 32"),
        (results_with(epoch_time=10**30), "out of range"),
        (results_with(epoch_time=1), "not plausible"),
        (b'{"results": [' + b'{"plate": "AB12"},' * 100 + b'{"plate": "AB12"}]}',
         "more than 100 results"),
        (b"{" * 100_000, "not valid JSON"),
    ],
)
def test_garbage_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(AdapterError, match=reason):
        decode_openalpr(data, received_at=RECEIVED)


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_are_refused_or_valid(data: bytes) -> None:
    refused_or_valid(data)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["plate", "confidence", "region", "epoch_time", "name", "x"]), inner,
        max_size=4),
    max_leaves=10,
)


@FUZZ
@given(st.sampled_from(["alpr_results", "alpr_group", None, "heartbeat"]),
       st.dictionaries(st.sampled_from(["results", "best_plate", "best_plate_number",
                                        "epoch_time", "epoch_start", "uuid", "best_uuid",
                                        "uuids", "camera_id", "gps_latitude", "gps_longitude",
                                        "travel_direction", "vehicle", "best_confidence"]),
                       JSON, max_size=8))
def test_structured_json_is_refused_or_valid(data_type: str | None, fields: dict[str, Any]) -> None:
    raw = json.dumps({"data_type": data_type, **fields}).encode()
    refused_or_valid(raw)


@pytest.mark.parametrize("name", READS)
def test_every_truncation_is_refused_or_valid(name: str) -> None:
    data = body(name)
    for end in range(0, len(data), 5):
        refused_or_valid(data[:end])
