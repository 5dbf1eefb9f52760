"""Replies and messages byte for byte against the frames Swissdotnet's library publishes.

Source: twanchai/sia-dc-09-library, sia-dc-09-parsing/src/test/java/ch/swissdotnet/siadc09/
tests/SerializationStandardTest.java and ParsingStandardTest.java (test name per case).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from safetyzone.adapters.sia_dc09 import (
    Header,
    encode_ack,
    encode_duh,
    encode_message,
    encode_nak,
    open_envelope,
)
from safetyzone.adapters.sia_dc09.crypto import decrypt_block, strip_pad
from safetyzone.adapters.sia_dc09.encoder import frame, timestamp_text

ABCD = bytes.fromhex("ABCDABCDABCDABCDABCDABCDABCDABCD")
ACCOUNT = "080027E62A64"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def fixed_pad(hex_bytes: str):  # type: ignore[no-untyped-def]
    pad = bytes.fromhex(hex_bytes)

    def source(n: int) -> bytes:
        assert n == len(pad), f"expected a pad of {len(pad)} bytes, asked for {n}"
        return pad

    return source


def header(seq: str, receiver: str | None, line: str, account: str | None,
           token: str = "SIA-DCS") -> Header:
    return Header(token=token, encrypted=False, seq=seq, receiver=receiver, line=line,
                  account=account)


def test_plain_ack() -> None:  # parseAck
    assert encode_ack(header("0001", None, "0", "7099"), key=None) == (
        b'\nA62A0012"ACK"0001L0#7099[]\r'
    )


def test_plain_ack_with_receiver_and_timestamp() -> None:
    # serializeAckCorrectlyWithPrefixAndReceiverNumber
    assert encode_ack(
        header("0001", "5678", "1234", ACCOUNT), key=None, timestamp=at("2015-04-14T16:07:53")
    ) == b'\n416A0036"ACK"0001R5678L1234#080027E62A64[]_16:07:53,04-14-2015\r'


def test_plain_ack_length_field_case_aside() -> None:
    """serializeAckCorrectlyHexUpper writes the length in lower case ("002e")."""
    ack = encode_ack(header("0001", None, "0", ACCOUNT), key=None,
                     timestamp=at("2015-04-14T16:07:07"))
    assert ack.lower() == b'\n2729002e"ACK"0001L0#080027E62A64[]_16:07:07,04-14-2015\r'.lower()
    assert ack[9:] == b'"ACK"0001L0#080027E62A64[]_16:07:07,04-14-2015\r'


@pytest.mark.parametrize(
    ("request_header", "key", "pad", "stamp", "expected"),
    [
        (  # serializeAckCorrectlyWithPrefixAndReceiverNumberCiphered1
            header("0001", "5678", "1234", ACCOUNT), ABCD, "12f1c22a88eb445679da",
            "2015-04-14T16:08:12",
            b'\nE34C0062"*ACK"0001R5678L1234#080027E62A64[14F088FF5DCB19D1908069507EAB97C7'
            b'CDB20F1C6EFA550BB59864D54B2DFA1C\r',
        ),
        (  # serializeAckCorrectlyWithPrefixAndReceiverNumberCiphered2
            header("0000", "C0FFD", "1234", "00900B376AB6"),
            bytes.fromhex("28376EF26E782E1A4A160E3276E5FB93"), "730b1d81a5453a526f57",
            "2015-04-27T08:06:26",
            b'\n02B70063"*ACK"0000RC0FFDL1234#00900B376AB6[5F1BEAF37775DEC5F901894BDD25D956'
            b'5C122B2BBAAD72E84E23B8F75554EF8C\r',
        ),
    ],
    ids=["E34C", "02B7"],
)
def test_encrypted_ack(request_header: Header, key: bytes, pad: str, stamp: str,
                       expected: bytes) -> None:
    assert encode_ack(request_header, key=key, timestamp=at(stamp), pad=fixed_pad(pad)) == expected


def test_encrypted_ack_decrypts_with_the_same_key_to_pad_and_timestamp() -> None:
    now = at("2026-03-01T12:00:00")
    ack = encode_ack(header("0042", None, "0", "1234"), key=ABCD, timestamp=now)
    body = open_envelope(ack).body.decode("ascii")
    match = re.fullmatch(r'"\*ACK"0042L0#1234\[([0-9A-F]+)', body)
    assert match is not None
    assert strip_pad(decrypt_block(ABCD, match[1])) == b"]_12:00:00,03-01-2026"


def test_nak() -> None:  # serializeNakCorrectly
    assert encode_nak(at("2015-04-14T16:09:09")) == (
        b'\n3C830025"NAK"0000R0L0A0[]_16:09:09,04-14-2015\r'
    )


def test_nak_carries_utc_whatever_the_zone_of_the_clock() -> None:
    bangkok = datetime(2015, 4, 14, 23, 9, 9, tzinfo=timezone(timedelta(hours=7)))
    assert encode_nak(bangkok) == b'\n3C830025"NAK"0000R0L0A0[]_16:09:09,04-14-2015\r'


def test_duh() -> None:  # parseDuhStandardNoTimestamp2
    assert encode_duh(header("0045", "C0FFD", "1234", ACCOUNT)) == (
        b'\n14140023"DUH"0045RC0FFDL1234#080027E62A64[]\r'
    )


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2015-06-22T15:52:00",
         b'\n533F0038"NULL"0000RC0FFDL1234#080027E62A64[]_15:52:00,06-22-2015\r'),
        (None, b'\n596E0024"NULL"0000RC0FFDL1234#080027E62A64[]\r'),
    ],
    ids=["serializePollingStandard3", "serializePollingStandardNoTimestamp2"],
)
def test_plain_null_message(stamp: str | None, expected: bytes) -> None:
    null = header("0000", "C0FFD", "1234", ACCOUNT, token="NULL")
    assert encode_message(null, "", timestamp=at(stamp) if stamp else None) == expected


def test_encrypted_null_message() -> None:  # serializePollingCiphered1
    null = header("0000", "C0FFD", "1234", ACCOUNT, token="NULL")
    assert encode_message(null, "", timestamp=at("2015-06-22T13:43:09"), key=ABCD,
                          pad=fixed_pad("4cf8588f492eea78cfae")) == (
        b'\nCAC10064"*NULL"0000RC0FFDL1234#080027E62A64[70D7DC480FA7DC0DE428CE02447BA2E2'
        b'981A161EA14CB780D2CD917208059E11\r'
    )


def test_encrypted_event_message() -> None:
    """parseEventStandardCiphered1, published with its length in lower case ("00a7")."""
    event = header("0000", "C0FFD", "1234", ACCOUNT)
    assert encode_message(
        event, f"#{ACCOUNT}|NHB0003", xdata=["E115000"], timestamp=at("2015-06-22T15:12:40"),
        key=ABCD, pad=fixed_pad("9a10d286c038468952f7ac09"),
    ) == (
        b'\nE88800A7"*SIA-DCS"0000RC0FFDL1234#080027E62A64[A054F111518361720BAB126501C6D994'
        b'CD9151D2C84881C0FEA933A0790F49A9236EBD45F2AED32FAA252EB1AA18FC3CDEDE2452F33185E5'
        b'931D31308D9B9882\r'
    )


def test_every_reply_carries_its_own_crc_and_length() -> None:
    now = at("2026-03-01T12:00:00")
    request = header("9999", "FFFFFF", "FFFFFF", "FEDCBA9876543210")
    for reply in (encode_ack(request, key=None), encode_ack(request, key=None, timestamp=now),
                  encode_ack(request, key=ABCD, timestamp=now), encode_nak(now),
                  encode_duh(request)):
        envelope = open_envelope(reply, accept_decimal_length=False)
        assert reply[1:5] == f"{envelope.crc:04X}".encode()


def test_encoder_refusals() -> None:
    with pytest.raises(ValueError, match="timestamp"):
        encode_ack(header("0001", None, "0", "1234"), key=ABCD)
    with pytest.raises(ValueError, match="aware"):
        timestamp_text(datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="0xFFF"):
        frame(b"x" * 0x1000)
    with pytest.raises(ValueError, match="timestamp"):
        encode_message(header("0001", None, "0", "1234"), "Nri1/BA1", key=ABCD)
