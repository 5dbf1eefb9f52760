"""LINE webhook adapter: the SDKs' published signature examples, their sample webhook, limits,
garbage and fuzzing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from linebot.v3 import SignatureValidator

from safetyzone.adapters import line
from safetyzone.adapters.errors import AdapterError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "line"
VECTORS: list[dict[str, str]] = json.loads((FIXTURES / "signatures.json").read_text())
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def body_of(vector: dict[str, str]) -> bytes:
    if "body_file" in vector:
        return (FIXTURES / vector["body_file"]).read_bytes()
    return vector["body"].encode("utf-8")


@pytest.mark.parametrize("vector", VECTORS, ids=[v["source"].split("@")[0] for v in VECTORS])
def test_published_signature_examples(vector: dict[str, str]) -> None:
    body, secret = body_of(vector), vector["secret"]
    assert line.sign(body, secret) == vector["valid"]
    assert line.signature_matches(body, vector["valid"], secret)
    assert not line.signature_matches(body, vector["invalid"], secret)
    assert line.verify(body, vector["valid"], ["another secret", secret]) == secret
    with pytest.raises(line.BadSignature):
        line.verify(body, vector["invalid"], [secret])
    # The SDK's own validator (it takes text) agrees on every example.
    assert SignatureValidator(secret).validate(body.decode("utf-8"), vector["valid"])


def test_signature_is_over_the_raw_bytes_not_the_json() -> None:
    vector = VECTORS[3]
    body = body_of(vector)
    same_json = json.dumps(json.loads(body), ensure_ascii=True).encode()  # escapes the emoji
    assert json.loads(same_json) == json.loads(body)
    assert not line.signature_matches(same_json, vector["valid"], vector["secret"])
    assert not line.signature_matches(body + b"\n", vector["valid"], vector["secret"])


@pytest.mark.parametrize("header", [None, "", "x" * 44, "=" * 44, "ä" * 44,
                                    "/gg9a+LvFevTH1sd7XCQycD7tsWclCsInj7MhBHxN7k",
                                    "/gg9a+LvFevTH1sd7XCQycD7tsWclCsInj7MhBHxN7k=="])
def test_malformed_signature_headers_are_refused(header: str | None) -> None:
    with pytest.raises(line.BadSignature) as caught:
        line.verify(b"bodybodybodybody", header, ["channel_secret"])
    assert caught.value.code == "line-signature-invalid"


def test_the_sdk_sample_webhook() -> None:
    hook = line.parse((FIXTURES / "sdk_python_webhook.json").read_bytes())
    assert hook.destination == "U123"
    assert len(hook.events) == 28
    kinds = [type(e).__name__ for e in hook.events]
    assert kinds.count("Text") == 4
    assert kinds.count("Postback") == 4
    text = hook.events[0]
    assert isinstance(text, line.Text)
    assert (text.text, text.message_id) == ("Hello, world", "325708")
    assert text.meta.user_id == "U206d25c2ea6bd87c17655609a1c37cb8"
    assert text.meta.event_id == "testwebhookeventid"
    assert text.meta.reply_token == "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA"
    assert text.meta.source == "user" and text.meta.active and not text.meta.redelivery
    assert text.meta.at.isoformat() == "2016-05-07T13:57:59.859000+00:00"
    external = hook.events[1]
    assert isinstance(external, line.Image) and external.external
    assert external.meta.source == "room" and external.meta.user_id is None
    photo = hook.events[24]
    assert isinstance(photo, line.Image) and not photo.external
    place = hook.events[4]
    assert isinstance(place, line.Location)
    assert (round(place.lat, 4), round(place.lon, 4)) == (35.6591, 139.7037)
    assert place.title == "my location"
    sticker = hook.events[5]
    assert isinstance(sticker, line.OtherMessage) and sticker.kind == "sticker"
    assert isinstance(hook.events[6], line.Follow)
    assert isinstance(hook.events[7], line.Unfollow)
    postback = hook.events[10]
    assert isinstance(postback, line.Postback)
    assert postback.data == "action=buyItem&itemId=123123&color=red"
    assert hook.events[25].meta is not None and hook.events[25].meta.redelivery
    join = hook.events[8]
    assert isinstance(join, line.Unsupported) and join.kind == "join"
    unknown = hook.events[27]
    assert isinstance(unknown, line.Unsupported) and unknown.kind == "undefined"
    assert unknown.meta is not None and unknown.meta.redelivery


def event(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": "message", "mode": "active", "timestamp": 1767225600000,
        "source": {"type": "user", "userId": "U" + "a" * 32},
        "webhookEventId": "01JH00000000000000000000AA",
        "deliveryContext": {"isRedelivery": False}, "replyToken": "r" * 32,
        "message": {"id": "1001", "type": "text", "text": "ไฟดับทั้งซอย", "quoteToken": "q"}}
    base.update(overrides)
    return base


def body(*events: dict[str, Any], destination: str = "U" + "b" * 32) -> bytes:
    return json.dumps({"destination": destination, "events": list(events)},
                      ensure_ascii=False).encode()


def only(raw: bytes) -> line.LineEvent:
    (parsed,) = line.parse(raw).events
    return parsed


def test_thai_text_and_standby_mode() -> None:
    parsed = only(body(event(mode="standby")))
    assert isinstance(parsed, line.Text) and parsed.text == "ไฟดับทั้งซอย"
    assert not parsed.meta.active


@pytest.mark.parametrize(("message", "reason"), [
    ({"type": "text", "text": "x" * 5001, "quoteToken": "q"}, "longer than 5000"),
    ({"type": "text", "text": "bell\x07", "quoteToken": "q"}, "control character"),
    ({"type": "location", "latitude": 0, "longitude": 0}, "not a place"),
    ({"type": "location", "latitude": 91.0, "longitude": 100.5}, "not a place"),
    ({"type": "location", "latitude": "13.7", "longitude": 100.5}, "LINE's schema"),
    ({"type": "location", "latitude": 13.7, "longitude": 100.5, "title": "t" * 201},
     "longer than 200"),
    ({"type": "hologram"}, "does not know"),
])
def test_events_over_a_limit_are_unsupported_with_the_reason(
        message: dict[str, Any], reason: str) -> None:
    parsed = only(body(event(message={"id": "1001", **message})))
    assert isinstance(parsed, line.Unsupported)
    assert reason in parsed.reason
    assert parsed.meta is not None and parsed.meta.user_id == "U" + "a" * 32


def test_bad_ids_and_times_are_unsupported() -> None:
    for broken in (event(webhookEventId="no spaces allowed"),
                   event(source={"type": "user", "userId": "U<script>"}),
                   event(timestamp=10 ** 20), event(timestamp="1767225600000"),
                   event(deliveryContext=None), "not an object"):
        parsed = only(body(broken))  # type: ignore[arg-type]
        assert isinstance(parsed, line.Unsupported), broken


@pytest.mark.parametrize(("raw", "reason"), [
    (b"", "not valid JSON"),
    (b"[]", "must be an object"),
    (b'{"events": []}', "destination"),
    (b'{"destination": "U1", "events": {}}', "'events' list"),
    (b'{"destination": "U1", "events": [], "x": NaN}', "NaN"),
    (body(*[event()] * 101), "at most 100"),
    (b" " * (line.MAX_BODY + 1), "larger than"),
])
def test_bodies_that_are_not_webhooks_are_refused(raw: bytes, reason: str) -> None:
    with pytest.raises(AdapterError, match=reason):
        line.parse(raw)


def test_an_empty_event_list_is_a_webhook() -> None:
    """LINE's "verify" button sends one: it must be answered 200."""
    assert line.parse(body()).events == ()


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes_are_refused_or_parsed(raw: bytes) -> None:
    try:
        line.parse(raw)
    except AdapterError as err:
        refusal = err
    else:
        return
    assert refusal.detail


@FUZZ
@given(st.data())
def test_mutated_events_never_escape_as_other_errors(data: st.DataObject) -> None:
    raw = event()
    key = data.draw(st.sampled_from(sorted(raw)))
    raw[key] = data.draw(st.one_of(st.none(), st.integers(), st.text(max_size=30),
                                   st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
                                   st.dictionaries(st.text(max_size=5), st.integers())))
    parsed = only(body(raw))
    assert isinstance(parsed, (line.Text, line.Unsupported, line.OtherMessage, line.Follow,
                               line.Unfollow, line.Postback, line.Location, line.Image))
