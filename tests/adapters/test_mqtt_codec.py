"""MQTT codec: the documented payloads as fixtures, topics, commands byte for byte, fuzzing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safetyzone.adapters.errors import AdapterError
from safetyzone.adapters.mqtt import (
    Channel,
    Command,
    Topic,
    decode_ack,
    decode_message,
    encode_command,
    parse_topic,
    subscriptions,
)
from safetyzone.core.events import DeviceState, EventKind, SosIn, StatusIn
from support.event_checks import assert_valid_event

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mqtt"
RECEIVED = datetime(2026, 11, 25, 13, 0, 5, tzinfo=UTC)
WINDOW = {"not_before": datetime(2026, 11, 1, tzinfo=UTC),
          "not_after": RECEIVED + timedelta(days=1)}
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fixture(name: str) -> bytes:
    return FIXTURES.joinpath(name).read_bytes()


def decoded(name: str) -> SosIn | StatusIn:
    channel = Channel(name.split("_", 1)[0])
    event = decode_message(channel, fixture(name), received_at=RECEIVED)
    assert_valid_event(event, **WINDOW)
    return event


def test_button_press_is_an_sos_with_the_devices_id_time_and_place() -> None:
    event = decoded("event_button.json")
    assert isinstance(event, SosIn)
    assert event.kind is EventKind.SOS_PRESS
    assert event.device_event_id == "POLE-0042-000117"
    assert event.event_time == datetime(2026, 11, 25, 13, 14, 3, tzinfo=UTC)
    assert event.payload.button == "1"
    assert event.location is not None and event.location.lat == 13.7301


def test_epoch_seconds_are_accepted() -> None:
    event = decoded("event_button_epoch.json")
    assert event.event_time == datetime.fromtimestamp(1795440000, UTC)
    assert event.location is None


@pytest.mark.parametrize(("name", "state"), [
    ("event_lamp_failure.json", DeviceState.LAMP_FAILURE),
    ("event_tamper.json", DeviceState.TAMPER),
    ("status_heartbeat.json", DeviceState.HEARTBEAT),
    ("status_offline_will.json", DeviceState.OFFLINE),
])
def test_device_states(name: str, state: DeviceState) -> None:
    event = decoded(name)
    assert isinstance(event, StatusIn)
    assert event.payload.state is state


def test_lamp_failure_keeps_the_detail() -> None:
    event = decoded("event_lamp_failure.json")
    assert isinstance(event, StatusIn)
    assert event.payload.detail == "LED driver open circuit, 0 mA"


@pytest.mark.parametrize(("name", "reason"), [
    ("rejected_time_without_offset.json", "needs an offset"),
    ("rejected_unknown_type.json", "is not one of"),
    ("rejected_swapped_position.json", "swapped"),
    ("rejected_no_id.json", "'id' is missing"),
    ("rejected_not_json.json", "not valid JSON"),
    ("rejected_epoch_zero_clock.json", "device clock is wrong"),
])
def test_garbage_is_refused_with_a_reason(name: str, reason: str) -> None:
    with pytest.raises(AdapterError, match=reason):
        decode_message(Channel.EVENT, fixture(name), received_at=RECEIVED)


def test_a_button_press_on_the_status_channel_is_refused() -> None:
    with pytest.raises(AdapterError, match="event channel"):
        decode_message(Channel.STATUS, fixture("event_button.json"), received_at=RECEIVED)


def test_cmd_and_ack_channels_carry_no_events() -> None:
    with pytest.raises(AdapterError, match="no device events"):
        decode_message(Channel.ACK, fixture("ack_ok.json"), received_at=RECEIVED)


def test_topics_round_trip_and_bad_levels_are_refused() -> None:
    topic = parse_topic("ssz/ST-A/sos_point/POLE-0042/event")
    assert topic == Topic("ST-A", "sos_point", "POLE-0042", Channel.EVENT)
    assert str(topic) == "ssz/ST-A/sos_point/POLE-0042/event"
    assert str(Topic("ST-A", "loudspeaker", "SPK-7", Channel.CMD)) == \
        "ssz/ST-A/loudspeaker/SPK-7/cmd"
    assert subscriptions() == ["ssz/+/+/+/event", "ssz/+/+/+/status", "ssz/+/+/+/ack"]
    for bad in ("ssz/ST-A/sos_point/POLE-0042", "other/ST-A/sos_point/P/event",
                "ssz/ST-A/sos_point/P/event/extra", "ssz/ST-A/sos_point/P/reboot",
                "ssz//sos_point/P/event", "ssz/ST-A/sos point/P/event",
                "ssz/ST-A/sos_point/+/event", "ssz/ST-A/sos_point/" + "x" * 65 + "/event"):
        with pytest.raises(AdapterError):
            parse_topic(bad)


def test_commands_are_encoded_byte_for_byte() -> None:
    at = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    announce = Command(id="6f1c8a3e-0d5b-4c1e-9a57-2b8f0e6d4c11", action="announce", at=at,
                       text="กรุณาอยู่ในความสงบ")
    assert encode_command(announce) == fixture("cmd_announce.json")
    play = Command(id="0b4e6c2a-71f3-4d8e-b0a1-5c9d2e7f3a64", action="play", at=at,
                   message="help_coming")
    assert encode_command(play) == fixture("cmd_play.json")
    light = json.loads(encode_command(Command(id="c1", action="light_on", at=at)))
    assert light == {"id": "c1", "action": "light_on", "time": "2026-11-25T13:00:00+00:00"}
    with pytest.raises(AdapterError, match="needs a text"):
        Command(id="c2", action="announce", at=at)
    with pytest.raises(AdapterError, match="needs a message"):
        Command(id="c3", action="play", at=at)


def test_acks() -> None:
    ok = decode_ack(fixture("ack_ok.json"), received_at=RECEIVED)
    assert (ok.command_id, ok.ok, ok.detail) == ("6f1c8a3e-0d5b-4c1e-9a57-2b8f0e6d4c11", True,
                                                 None)
    failed = decode_ack(fixture("ack_failed.json"), received_at=RECEIVED)
    assert not failed.ok and failed.detail == "amplifier fault"
    with pytest.raises(AdapterError, match="'ok' must be"):
        decode_ack(b'{"id":"x","ok":"yes","time":"2026-11-25T13:00:02Z"}', received_at=RECEIVED)


def refused_or_valid(decode: Callable[[], Any]) -> None:
    """The fuzzing contract: a valid result or AdapterError, never another exception."""
    try:
        result = decode()
    except AdapterError:
        return
    if isinstance(result, SosIn | StatusIn):
        assert_valid_event(result, not_before=datetime(2000, 1, 1, tzinfo=UTC),
                           not_after=RECEIVED + timedelta(days=1))


@FUZZ
@given(st.binary(max_size=600), st.sampled_from(list(Channel)))
def test_random_bytes_never_crash(payload: bytes, channel: Channel) -> None:
    refused_or_valid(lambda: decode_message(channel, payload, received_at=RECEIVED))
    refused_or_valid(lambda: decode_ack(payload, received_at=RECEIVED))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=80),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                               max_size=3),
    max_leaves=6)


@FUZZ
@given(st.fixed_dictionaries({}, optional={
    "id": JSON_VALUES, "time": JSON_VALUES | st.sampled_from(
        ["2026-11-25T13:00:00Z", "2026-11-25T13:00:00", "9999-12-31T23:59:59-23:59"]),
    "type": st.sampled_from(["button", "heartbeat", "lamp_failure", "tamper", "x"]) | JSON_VALUES,
    "lat": JSON_VALUES, "lon": JSON_VALUES, "detail": JSON_VALUES, "button": JSON_VALUES,
    "ok": JSON_VALUES}))
def test_structured_garbage_never_crashes(body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    refused_or_valid(lambda: decode_message(Channel.EVENT, payload, received_at=RECEIVED))
    refused_or_valid(lambda: decode_message(Channel.STATUS, payload, received_at=RECEIVED))
    refused_or_valid(lambda: decode_ack(payload, received_at=RECEIVED))


@FUZZ
@given(st.text(max_size=200))
def test_random_topics_never_crash(topic: str) -> None:
    refused_or_valid(lambda: parse_topic(topic))


def test_truncated_fixtures_are_refused_not_crashed() -> None:
    for name in ("event_button.json", "status_heartbeat.json", "ack_ok.json"):
        data = fixture(name)
        for cut in range(len(data)):
            refused_or_valid(lambda d=data[:cut]: decode_message(  # type: ignore[misc]
                Channel.EVENT, d, received_at=RECEIVED))
