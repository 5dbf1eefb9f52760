"""The stream framer: split, concatenated and garbage-laden input, and its memory bound."""

from __future__ import annotations

import pytest
from sia_cases import SiaCase, all_cases, each_case

from safetyzone.adapters.sia_dc09 import (
    FrameRejected,
    StreamFramer,
    frames_in_datagram,
    open_envelope,
)
from safetyzone.adapters.sia_dc09.framing import MAX_FRAME_BYTES

FRAMES = [case.frame for case in all_cases()]


@each_case
def test_a_frame_fed_byte_by_byte_comes_out_once_at_its_cr(sia_case: SiaCase) -> None:
    framer = StreamFramer()
    out: list[bytes] = []
    for i in range(len(sia_case.frame)):
        got = framer.feed(sia_case.frame[i : i + 1])
        if i < len(sia_case.frame) - 1:
            assert got == []
        out += got
    assert out == [sia_case.frame]
    assert framer.pending == 0
    assert framer.discarded_bytes == 0


def test_concatenated_frames_come_out_in_order() -> None:
    framer = StreamFramer()
    assert framer.feed(b"".join(FRAMES)) == FRAMES


def test_garbage_between_frames_is_dropped_and_counted() -> None:
    garbage = [b"", b"hello", b"\x00\xff\r\r", b"junk\rmore", b"\r"]
    stream = b"".join(g + f for g, f in zip(garbage * len(FRAMES), FRAMES, strict=False))
    framer = StreamFramer()
    out: list[bytes] = []
    for i in range(0, len(stream), 7):
        out += framer.feed(stream[i : i + 7])
    assert out == FRAMES
    assert framer.discarded_bytes == len(stream) - sum(map(len, FRAMES))


def test_a_new_lf_restarts_a_frame_cut_short() -> None:
    """A panel that reconnects mid-frame: the broken start is garbage, the next frame whole."""
    framer = StreamFramer()
    assert framer.feed(FRAMES[0][:20] + FRAMES[1]) == [FRAMES[1]]
    assert framer.discarded_bytes == 20


def test_oversize_garbage_without_frame_end_is_not_buffered_forever() -> None:
    framer = StreamFramer(max_frame_bytes=200)
    framer.feed(b"\n" + b"A" * 10_000)
    assert framer.pending < 200
    for _ in range(100):
        framer.feed(b"B" * 1000)
        assert framer.pending < 200
    small = min(FRAMES, key=len)
    assert len(small) < 200
    assert framer.feed(small) == [small]


def test_garbage_without_any_lf_is_dropped_at_once() -> None:
    framer = StreamFramer()
    framer.feed(b"x" * 100_000)
    assert framer.pending == 0
    assert framer.discarded_bytes == 100_000


def test_a_frame_of_exactly_the_maximum_size_passes() -> None:
    frame = b"\n" + b"0" * (MAX_FRAME_BYTES - 2) + b"\r"
    assert StreamFramer().feed(frame) == [frame]
    assert StreamFramer().feed(b"\n" + b"0" * (MAX_FRAME_BYTES - 1) + b"\r") == []


def test_udp_datagram_is_one_frame_and_carries_nothing_over() -> None:
    assert frames_in_datagram(FRAMES[0]) == [FRAMES[0]]
    assert frames_in_datagram(FRAMES[0][:10]) == []
    assert frames_in_datagram(FRAMES[0][10:]) == []


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (b"", "short"),
        (b"\n0000\r", "short"),
        (FRAMES[0][1:], "LF"),
        (FRAMES[0][:-1] + b"\n", "LF"),
        (b"\nZZZZ0012" + FRAMES[0][9:], "hex"),
        (FRAMES[0][:5] + b"0FFF" + FRAMES[0][9:], "length"),
        (FRAMES[0][:1] + b"0000" + FRAMES[0][5:], "CRC"),
    ],
)
def test_envelope_faults_are_rejected_without_reply(frame: bytes, reason: str) -> None:
    with pytest.raises(FrameRejected, match=reason):
        open_envelope(frame)


def test_decimal_length_quirk_can_be_refused() -> None:
    body = b'"ADM-CID"0247R4F39L4F39#4F39[#4F39|3401 01 057]'
    frame = b"\n57150047" + body + b"\r"
    assert open_envelope(frame).length_quirk
    with pytest.raises(FrameRejected, match="length"):
        open_envelope(frame, accept_decimal_length=False)
