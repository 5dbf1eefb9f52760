"""OsmAnd decoder: Traccar's own test requests as fixtures, garbage, and fuzzing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safetyzone.adapters.errors import AdapterError, UnusableFix
from safetyzone.adapters.osmand import (
    KNOT_MPS,
    OsmAndFix,
    decode_osmand,
    decode_osmand_json,
    parse_form,
)
from safetyzone.core.clock import BANGKOK
from support.event_checks import assert_valid_event

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "osmand"
RECEIVED = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
WINDOW = {"not_before": datetime(2000, 1, 1, tzinfo=UTC),
          "not_after": RECEIVED + timedelta(days=1)}
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def query(name: str) -> list[tuple[str, str]]:
    return parse_form(FIXTURES.joinpath(name).read_text().strip())


def decoded(name: str) -> OsmAndFix:
    if name.endswith(".json"):
        fix = decode_osmand_json(FIXTURES.joinpath(name).read_bytes(), received_at=RECEIVED)
    else:
        fix = decode_osmand(query(name), received_at=RECEIVED)
    assert_valid_event(fix.event, **WINDOW)
    return fix


def refused_or_valid(decode: Callable[[], OsmAndFix]) -> None:
    """The fuzzing contract: a valid event, or AdapterError; never anything else."""
    try:
        fix = decode()
    except AdapterError as err:
        refusal = err
    else:
        assert_valid_event(fix.event, **WINDOW)
        return
    assert refusal.detail


GOOD = sorted(p.name for p in FIXTURES.iterdir()
              if p.suffix in (".txt", ".json") and not p.name.startswith("rejected_"))


@pytest.mark.parametrize("name", GOOD)
def test_every_real_sample_decodes_to_a_valid_event(name: str) -> None:
    fix = decoded(name)
    assert fix.device_id
    assert fix.event.device_event_id == f"osmand:{fix.device_id}:" + str(
        round(fix.event.event_time.timestamp() * 1000))


# fixture: device id, event time, lat, lon
EXPECTED = {
    "query_iso_timestamp.txt": ("902064", "2016-01-27T18:55:47+00:00", 42.06288, -88.23412),
    "query_millis_timestamp.txt": ("902064", "2015-09-12T14:38:06.579000+00:00",
                                   42.06288, -88.23412),
    "query_space_separated_date.txt": ("353861053849681", "2014-06-04T09:10:11+00:00",
                                       49.60688, 6.15788),
    "query_seconds_bearing.txt": ("123456", "2013-08-22T13:14:27+00:00", 60.0, 30.0),
    "query_minimal.txt": ("123456", "2013-08-22T13:14:27+00:00", 60.0, 30.0),
    "query_deviceid_no_timestamp.txt": ("123456", RECEIVED.isoformat(), 60.0, 30.0),
    "query_battery.txt": ("861001000719969", RECEIVED.isoformat(), 41.666667, -0.883333),
    "query_location_pair.txt": ("123456", "2013-08-22T13:14:27+00:00", 60.0, 30.0),
    "query_extra_attributes.txt": ("123456789012345", "2017-09-07T05:56:50+00:00",
                                   40.7232948571, -74.0061408571),
    "json_motionchange.json": ("48241179", "2025-06-15T13:45:12.862000+00:00",
                               37.4219983, -122.084),
    "json_typed_extras.json": ("48241179", "2025-06-15T13:45:12.862000+00:00",
                               37.4219983, -122.084),
    "json_ios_mock_unknowns.json": ("658765", "2025-05-09T04:11:30.579000+00:00",
                                    37.785834, -122.406417),
    "json_moving_jakarta.json": ("8737767034", "2021-07-21T08:06:34.444000+00:00",
                                 -6.1148096, 106.6837015),
}


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED.items()))
def test_fixture_fields(name: str, expected: tuple[str, str, float, float]) -> None:
    fix = decoded(name)
    device_id, when, lat, lon = expected
    assert fix.device_id == device_id
    assert fix.event.event_time.isoformat() == when
    assert fix.event.location.lat == pytest.approx(lat)
    assert fix.event.location.lon == pytest.approx(lon)


def test_query_units_and_attributes() -> None:
    payload = decoded("query_extra_attributes.txt").event.payload
    assert payload.speed_mps == pytest.approx(40 * KNOT_MPS)  # speed is in knots
    assert payload.heading_deg == pytest.approx(7.19889788244)
    assert payload.attributes == {"ignition": True, "rpm": 933, "fuel": 24}
    assert decoded("query_battery.txt").event.payload.battery_pct == 87
    iso = decoded("query_iso_timestamp.txt").event.payload
    assert (iso.hdop, iso.altitude_m, iso.speed_mps) == (6.0, 224.0, 0.0)
    heading = decoded("query_deviceid_no_timestamp.txt").event.payload
    assert heading.heading_deg == 0.0
    assert heading.attributes == {"vacc": 0, "hacc": 0}


def test_space_separated_date_is_utc_unless_told_otherwise() -> None:
    pairs = query("query_space_separated_date.txt")
    local = decode_osmand(pairs, received_at=RECEIVED, naive_tz=BANGKOK)
    assert local.event.event_time == datetime(2014, 6, 4, 2, 10, 11, tzinfo=UTC)


def test_json_fields() -> None:
    moving = decoded("json_moving_jakarta.json").event
    assert moving.payload.speed_mps == pytest.approx(18.67)  # JSON speed is m/s already
    assert moving.payload.heading_deg == 63
    assert moving.payload.battery_pct == pytest.approx(79)
    assert moving.location.accuracy_m == pytest.approx(3.8)
    assert moving.payload.attributes["uuid"] == "0e9a2473-a9a7-4c00-997b-fb97d2154e75"

    still = decoded("json_motionchange.json").event
    assert still.payload.heading_deg is None  # -1: unknown
    assert still.payload.battery_pct == 100
    assert still.payload.attributes == {
        "is_charging": False, "activity": "still", "event": "motionchange",
        "is_moving": False, "odometer": 0,
    }

    ios = decoded("json_ios_mock_unknowns.json").event.payload
    assert (ios.speed_mps, ios.heading_deg, ios.battery_pct) == (None, None, None)
    assert ios.attributes["mock"] is True

    extras = decoded("json_typed_extras.json").event.payload.attributes
    assert extras["device_string_test"] == "long_device_id"
    assert extras["device_bool_false_test"] is False
    assert extras["device_integer_test"] == 1 and isinstance(extras["device_integer_test"], int)
    assert extras["device_very_long_double_test"] == pytest.approx(1763636.3442)


def test_rejected_samples_say_why() -> None:
    with pytest.raises(AdapterError, match="device id is missing"):
        decode_osmand(query("rejected_query_no_id.txt"), received_at=RECEIVED)
    with pytest.raises(AdapterError, match="position is missing"):
        decode_osmand(query("rejected_query_cells_no_position.txt"), received_at=RECEIVED)


def test_sos_alarm_is_kept_for_the_domain() -> None:
    pairs = [*query("query_minimal.txt"), ("alarm", "sos")]
    assert decode_osmand(pairs, received_at=RECEIVED).event.payload.alarm == "sos"
    body = json.loads(FIXTURES.joinpath("json_motionchange.json").read_text())
    body["location"]["extras"] = {"alarm": "sos"}
    fix = decode_osmand_json(json.dumps(body).encode(), received_at=RECEIVED)
    assert fix.event.payload.alarm == "sos"
    assert "alarm" not in fix.event.payload.attributes
    body["location"]["alarm"] = "general"  # location.alarm wins, as in Traccar
    fix = decode_osmand_json(json.dumps(body).encode(), received_at=RECEIVED)
    assert fix.event.payload.alarm == "general"


def test_retry_gets_the_same_event_id() -> None:
    pairs = query("query_iso_timestamp.txt")
    first = decode_osmand(pairs, received_at=RECEIVED)
    retry = decode_osmand(pairs, received_at=RECEIVED + timedelta(minutes=5))
    assert first.event.device_event_id == retry.event.device_event_id
    assert first == retry


def test_mapping_and_pairs_agree() -> None:
    pairs = query("query_seconds_bearing.txt")
    assert decode_osmand(dict(pairs), received_at=RECEIVED) == decode_osmand(
        pairs, received_at=RECEIVED)


BASE = {"id": "123456", "timestamp": "1377177267", "lat": "13.7563", "lon": "100.5018"}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"lat": "nan"}, "latitude must be a number"),
        ({"lat": "inf"}, "latitude must be a number"),
        ({"lat": "1e400"}, "latitude must be a finite number"),
        ({"lat": "91"}, "latitude 91 is out of range"),
        ({"lon": "-180.5"}, "longitude -180.5 is out of range"),
        ({"lat": "0", "lon": "0"}, "null island"),
        ({"lat": "1_3"}, "latitude must be a number"),
        ({"lat": "๑๓.๗"}, "latitude must be a number"),
        ({"lat": "13,7"}, "latitude must be a number"),
        ({"lat": ""}, "position is missing"),
        ({"timestamp": "99999999999999999999999"}, "out of range"),
        ({"timestamp": "yesterday"}, "neither epoch nor a date"),
        ({"timestamp": "0"}, "not plausible"),
        ({"timestamp": "2999-01-01T00:00:00Z"}, "not plausible"),
        ({"timestamp": "9999-12-31T23:59:59-23:59"}, "not plausible"),
        ({"speed": "NaN"}, "speed must be a number"),
        ({"alarm": "x" * 40}, "alarm is longer than 32"),
        ({"id": "a\x00b"}, "not printable"),
        ({"id": "x" * 65}, "too long"),
        ({"lat": "1" * 2000}, "too long"),
    ],
)
def test_garbage_is_refused_with_a_reason(change: dict[str, str], reason: str) -> None:
    with pytest.raises(AdapterError, match=reason):
        decode_osmand({**BASE, **change}, received_at=RECEIVED)


def test_conflicting_duplicates_and_flooding_are_refused() -> None:
    with pytest.raises(AdapterError, match="given twice"):
        decode_osmand([*BASE.items(), ("lat", "14.0")], received_at=RECEIVED)
    assert decode_osmand([*BASE.items(), ("lat", "13.7563")], received_at=RECEIVED)
    with pytest.raises(AdapterError, match="too many parameters"):
        decode_osmand([*BASE.items()] + [(f"k{i}", "1") for i in range(300)],
                      received_at=RECEIVED)
    with pytest.raises(AdapterError, match="too many parameters"):
        parse_form("&".join(f"k{i}=1" for i in range(300)))
    with pytest.raises(AdapterError, match="device id is missing"):
        decode_osmand({}, received_at=RECEIVED)


def test_readings_out_of_range_are_kept_aside_and_the_position_used() -> None:
    fix = decode_osmand({**BASE, "speed": "1e9", "batt": "101", "altitude": "20000"},
                        received_at=RECEIVED)
    payload = fix.event.payload
    assert (payload.speed_mps, payload.battery_pct, payload.altitude_m) == (None, None, None)
    assert payload.attributes == {"speed_out_of_range": 1e9, "batt_out_of_range": 101,
                                  "altitude_out_of_range": 20000}


def test_a_position_out_of_range_is_unusable_not_garbage() -> None:
    with pytest.raises(UnusableFix, match="latitude 91 is out of range") as caught:
        decode_osmand({**BASE, "lat": "91"}, received_at=RECEIVED)
    assert (caught.value.reason, caught.value.device_id) == ("bad_position", BASE["id"])


def test_negative_speed_and_heading_mean_unknown() -> None:
    fix = decode_osmand({**BASE, "speed": "-1", "bearing": "-1"}, received_at=RECEIVED)
    assert (fix.event.payload.speed_mps, fix.event.payload.heading_deg) == (None, None)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "not valid JSON"),
        (b"id=1&lat=2&lon=3", "not valid JSON"),  # a form body sent to the JSON decoder
        (b"[]", "must be an object"),
        (b'{"device_id": "1"}', "'location' object is missing"),
        (b'{"device_id": "1", "location": {}}', "coords"),
        (b'{"device_id": true, "location": {}}', "device_id must be text"),
        (b'{"location": {"coords": {"latitude": 1, "longitude": 2}}}', "device id is missing"),
        (b'{"device_id": "1", "location": {"coords": {"latitude": NaN, "longitude": 2}}}',
         "NaN is not a number"),
        (b'{"device_id": "1", "location": {"coords": {"latitude": 1e999, "longitude": 2}}}',
         "finite"),
        (b'{"device_id": "1", "location": {"coords": {"latitude": "13.7", "longitude": 2}}}',
         "latitude must be a number"),
        (b'{"device_id": "1", "location": {"coords": {"latitude": 13, "longitude": 1'
         + b"0" * 400 + b"}}}", "far too large"),
        (b'{"device_id": "1", "location": {"timestamp": "soon", "coords": '
         b'{"latitude": 13, "longitude": 100}}}', "neither epoch nor a date"),
        (b"[" * 100_000, "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
    ],
)
def test_json_garbage_is_refused(body: bytes, reason: str) -> None:
    with pytest.raises(AdapterError, match=reason):
        decode_osmand_json(body, received_at=RECEIVED)


KEYS = st.sampled_from(["id", "deviceid", "lat", "lon", "location", "timestamp", "speed",
                        "bearing", "heading", "altitude", "accuracy", "hdop", "batt", "alarm",
                        "valid", "x"])
VALUES = st.one_of(
    st.text(max_size=30),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["13.75,100.5", "1377177267", "2016-01-27T18:55:47Z", "sos", "true"]),
)


@FUZZ
@given(st.lists(st.tuples(st.text(max_size=20), st.text(max_size=40)), max_size=30))
def test_random_pairs_never_raise_anything_else(pairs: list[tuple[str, str]]) -> None:
    refused_or_valid(lambda: decode_osmand(pairs, received_at=RECEIVED))


@FUZZ
@given(st.dictionaries(KEYS, VALUES, max_size=14))
def test_plausible_looking_params_never_raise_anything_else(params: dict[str, str]) -> None:
    refused_or_valid(lambda: decode_osmand(params, received_at=RECEIVED))


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_never_raise_anything_else(body: bytes) -> None:
    refused_or_valid(lambda: decode_osmand_json(body, received_at=RECEIVED))
    refused_or_valid(lambda: decode_osmand(parse_form(body), received_at=RECEIVED))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["latitude", "longitude", "speed", "heading", "accuracy", "altitude",
                         "level", "is_charging", "type", "alarm", "x"]), inner, max_size=4),
    max_leaves=12,
)


@FUZZ
@given(JSON_VALUES, JSON_VALUES, JSON_VALUES, JSON_VALUES)
def test_structured_json_never_raises_anything_else(
    coords: object, battery: object, extras: object, timestamp: object
) -> None:
    body = {"device_id": "p1", "location": {"coords": coords, "battery": battery,
                                            "extras": extras, "timestamp": timestamp}}
    raw = json.dumps(body).encode()  # NaN floats become the NaN literal, refused
    refused_or_valid(lambda: decode_osmand_json(raw, received_at=RECEIVED))


@pytest.mark.parametrize("name", [n for n in GOOD if n.endswith(".json")])
def test_every_truncation_of_a_json_sample_is_refused_or_valid(name: str) -> None:
    raw = FIXTURES.joinpath(name).read_bytes()
    for end in range(len(raw)):
        refused_or_valid(partial(decode_osmand_json, raw[:end], received_at=RECEIVED))


@pytest.mark.parametrize("name", [n for n in GOOD if n.endswith(".txt")])
def test_every_truncation_of_a_query_sample_is_refused_or_valid(name: str) -> None:
    text = FIXTURES.joinpath(name).read_text().strip()
    for end in range(len(text)):
        refused_or_valid(partial(decode_osmand, parse_form(text[:end]), received_at=RECEIVED))
