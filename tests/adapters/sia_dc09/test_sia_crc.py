"""CRC-16/ARC: the catalogue check value, and the CRC and length of every published frame."""

from __future__ import annotations

import pytest
from sia_cases import SiaCase, each_case

from safetyzone.adapters.sia_dc09 import FrameRejected, open_envelope
from safetyzone.adapters.sia_dc09.crc import crc16, crc16_hex


def test_check_value_of_123456789() -> None:
    assert crc16(b"123456789") == 0xBB3D
    assert crc16_hex(b"123456789") == "BB3D"


def test_empty_input_is_zero() -> None:
    assert crc16(b"") == 0


@each_case
def test_published_frames_carry_their_own_crc_and_length(sia_case: SiaCase) -> None:
    """Every fixture but those published with a wrong field passes the envelope check."""
    body = sia_case.frame[9:-1]
    if sia_case.expect["reply"] == "none":
        with pytest.raises(FrameRejected):
            open_envelope(sia_case.frame)
        return
    envelope = open_envelope(sia_case.frame)
    assert envelope.body == body
    assert sia_case.frame[1:5].decode().upper() == crc16_hex(body)
    length_field = sia_case.frame[5:9].decode()
    assert int(length_field, 16) == len(body) or (
        envelope.length_quirk and int(length_field) == len(body)
    )
