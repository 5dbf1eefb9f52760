"""Property tests: garbage, truncated and mutated frames through framer, decoder and receiver.

The promise: nothing but a ``Dc09Error`` ever comes out of decoding, the framer never holds
more than one frame's worth of bytes, and only a frame that passes its CRC can be ACKed.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sia_cases import all_cases

from safetyzone.adapters.sia_dc09 import (
    AccountConfig,
    Dc09Error,
    Dc09Receiver,
    FrameRejected,
    Header,
    StreamFramer,
    decode_frame,
    encode_message,
)
from safetyzone.adapters.sia_dc09.crc import crc16
from safetyzone.adapters.sia_dc09.framing import MAX_FRAME_BYTES
from safetyzone.core.clock import ManualClock
from safetyzone.core.events import EventIn

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
KEY = bytes.fromhex("00112233445566778899AABBCCDDEEFF")
ACCOUNTS = {"1234": AccountConfig(), "5678": AccountConfig(key=KEY)}
CASES = all_cases()


def _own(seq: str, key: bytes | None) -> bytes:
    account = "5678" if key else "1234"
    header = Header(token="SIA-DCS", encrypted=key is not None, seq=seq, receiver="1",
                    line="0", account=account)
    return encode_message(header, f"#{account}|Nri1/BA01", xdata=["X100.5", "Y13.7"],
                          timestamp=NOW, key=key)


VALID = [(_own("0001", None), ACCOUNTS, NOW), (_own("0002", KEY), ACCOUNTS, NOW)] + [
    (case.frame, case.accounts, case.received_at) for case in CASES
    if case.expect["reply"] != "none"
]
PROPERTY = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _decode(frame: bytes, accounts: dict[str, AccountConfig], now: datetime) -> bool:
    """Decode; True when accepted. Any exception but Dc09Error fails the test."""
    try:
        decode_frame(frame, accounts=accounts, now=now)
    except Dc09Error:
        return False
    return True


def _crc_holds(frame: bytes) -> bool:
    return len(frame) > 10 and frame[1:5].upper() == f"{crc16(frame[9:-1]):04X}".encode()


async def _nothing(account: str, events: list[EventIn]) -> None:
    return None


@PROPERTY
@given(st.binary(max_size=600), st.lists(st.integers(1, 64), min_size=1, max_size=20))
def test_random_bytes_never_raise_and_are_never_acked(data: bytes, cuts: list[int]) -> None:
    framer = StreamFramer(max_frame_bytes=256)
    receiver = Dc09Receiver(accounts=ACCOUNTS, commit=_nothing, clock=ManualClock(NOW))
    frames: list[bytes] = []
    position = 0
    for cut in cuts * (len(data) // max(sum(cuts), 1) + 1):
        frames += framer.feed(data[position : position + cut])
        assert framer.pending < 256
        position += cut
        if position >= len(data):
            break
    assert sum(map(len, frames)) + framer.discarded_bytes + framer.pending == len(data)
    for frame in frames:
        assert frame.startswith(b"\n") and frame.endswith(b"\r")
        assert b"\n" not in frame[1:]
        assert not _decode(frame, ACCOUNTS, NOW)
        reply = asyncio.run(receiver.handle_frame(frame, "fuzz"))
        assert reply is None or b'"ACK"' not in reply


@PROPERTY
@given(st.binary(max_size=300))
def test_random_bodies_in_a_correct_envelope_never_raise(body: bytes) -> None:
    """The CRC is right, so everything after the envelope check is exercised."""
    frame = b"\n" + f"{crc16(body):04X}{len(body):04X}".encode() + body + b"\r"
    _decode(frame, ACCOUNTS, NOW)


@PROPERTY
@given(st.sampled_from(VALID), st.data())
def test_truncated_frames_are_rejected_without_reply(valid: tuple[bytes, dict[str, AccountConfig],
                                                                  datetime],
                                                     data: st.DataObject) -> None:
    frame, accounts, now = valid
    cut = data.draw(st.integers(0, len(frame) - 1))
    try:
        decode_frame(frame[:cut], accounts=accounts, now=now)
    except FrameRejected:
        return
    raise AssertionError("a truncated frame was accepted")


@PROPERTY
@given(st.sampled_from(VALID), st.data())
def test_a_changed_byte_in_crc_or_body_is_always_caught(
    valid: tuple[bytes, dict[str, AccountConfig], datetime], data: st.DataObject
) -> None:
    frame, accounts, now = valid
    index = data.draw(st.sampled_from([*range(1, 5), *range(9, len(frame) - 1)]))
    # Hex fields are read case-insensitively: 'D' -> 'd' in the CRC is no corruption.
    original = frame[index : index + 1].lower()
    value = data.draw(st.integers(0, 255).filter(lambda b: bytes([b]).lower() != original))
    mutated = frame[:index] + bytes([value]) + frame[index + 1 :]
    try:
        decode_frame(mutated, accounts=accounts, now=now)
    except FrameRejected:
        return
    raise AssertionError("a corrupted frame passed the CRC")


@PROPERTY
@given(
    st.sampled_from(VALID),
    st.lists(st.tuples(st.integers(0, MAX_FRAME_BYTES), st.binary(max_size=3)), max_size=4),
)
def test_mutated_frames_raise_only_dc09_errors_and_decode_only_with_a_true_crc(
    valid: tuple[bytes, dict[str, AccountConfig], datetime], edits: list[tuple[int, bytes]]
) -> None:
    frame, accounts, now = valid
    mutated = bytearray(frame)
    for where, insert in edits:
        at = where % (len(mutated) + 1)
        mutated[at : at + 1] = insert
    if _decode(bytes(mutated), accounts, now):
        assert _crc_holds(bytes(mutated))


_DATA_ALPHABET = "NriditiBAPAHAFAOPCLRPZX0123456789/^|#[]_:,-. XYIK"
_DATA_PIECES = ["N", "#1234|", "|", "ri1", "id3", "ti10:15", "pi2", "/", "BA", "PA", "OP",
                "RP", "ZX", "01", "501", "^Gate^", "^", "1130", "3401", " ", "01", "005", "9"]
_DATA = st.one_of(st.text(_DATA_ALPHABET, max_size=80),
                  st.lists(st.sampled_from(_DATA_PIECES), max_size=12).map("".join))


@PROPERTY
@given(
    st.sampled_from(["SIA-DCS", "ADM-CID", "NULL", "ACK", "X"]),
    _DATA,
    st.lists(st.text(_DATA_ALPHABET.replace("[", "").replace("]", ""), max_size=20),
             max_size=4),
)
def test_structured_garbage_data_never_raises_and_acks_only_events(
    token: str, data: str, xdata: list[str]
) -> None:
    """A well-framed message with random event data reaches the SIA and Contact ID readers."""
    header = Header(token=token, encrypted=False, seq="0001", receiver=None, line="0",
                    account="1234")
    try:
        frame = encode_message(header, data, xdata=xdata, timestamp=NOW)
    except ValueError:
        return
    try:
        decoded = decode_frame(frame, accounts=ACCOUNTS, now=NOW)
    except Dc09Error:
        return
    assert decoded.events, "a message was accepted with nothing to store"
