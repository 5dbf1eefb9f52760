"""Encoding: replies (ACK, NAK, DUH) and messages, as complete LF ... CR frames.

Replies (DC-09 5.5.3), ``header`` being the request's, echoed as received::

    ACK    "ACK"seq[Rrcvr]Lpref#acct[][_timestamp]    plain request, timestamp optional
    *ACK   "*ACK"seq[Rrcvr]Lpref#acct[<hex>           encrypted request, same key;
                                                      plaintext pad|]_timestamp
    NAK    "NAK"0000R0L0A0[]_timestamp                never encrypted; the receiver's time
    DUH    "DUH"seq[Rrcvr]Lpref#acct[]                never encrypted

Timestamps are UTC. Each frame gets its own CRC and length.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from safetyzone.adapters.sia_dc09.crc import crc16_hex
from safetyzone.adapters.sia_dc09.crypto import PadSource, encrypt_content, random_pad
from safetyzone.adapters.sia_dc09.framing import MAX_BODY_BYTES
from safetyzone.adapters.sia_dc09.message import Header


def timestamp_text(moment: datetime) -> str:
    """Return ``_HH:MM:SS,MM-DD-YYYY`` for an aware ``moment``, in UTC."""
    if moment.tzinfo is None:
        raise ValueError("DC-09 timestamps need an aware datetime")
    return f"_{moment.astimezone(UTC):%H:%M:%S,%m-%d-%Y}"


def frame(body: bytes) -> bytes:
    """Wrap a body into LF, CRC, length, body, CR."""
    if len(body) > MAX_BODY_BYTES:
        raise ValueError("a DC-09 body holds at most 0xFFF bytes")
    return b"\n" + f"{crc16_hex(body)}{len(body):04X}".encode("ascii") + body + b"\r"


def _address(header: Header) -> str:
    receiver = f"R{header.receiver}" if header.receiver is not None else ""
    account = f"#{header.account}" if header.account is not None else ""
    return f"{header.seq}{receiver}L{header.line}{account}"


def encode_ack(
    header: Header,
    *,
    key: bytes | None,
    timestamp: datetime | None = None,
    pad: PadSource = random_pad,
) -> bytes:
    """ACK the message ``header`` came with; encrypted with ``key`` when it was."""
    if key is None:
        stamp = timestamp_text(timestamp) if timestamp is not None else ""
        return frame(f'"ACK"{_address(header)}[]{stamp}'.encode("ascii"))
    if timestamp is None:
        raise ValueError("an encrypted ACK carries a timestamp")
    content = f"]{timestamp_text(timestamp)}".encode("ascii")
    return frame(f'"*ACK"{_address(header)}[{encrypt_content(key, content, pad)}'.encode("ascii"))


def encode_nak(timestamp: datetime) -> bytes:
    """NAK a message; ``timestamp`` is the receiver's clock, so the panel can correct its own."""
    return frame(f'"NAK"0000R0L0A0[]{timestamp_text(timestamp)}'.encode("ascii"))


def encode_duh(header: Header) -> bytes:
    """Tell the panel its message was received but cannot be acted on."""
    return frame(f'"DUH"{_address(header)}[]'.encode("ascii"))


def encode_message(
    header: Header,
    data: str,
    *,
    xdata: Iterable[str] = (),
    timestamp: datetime | None = None,
    key: bytes | None = None,
    pad: PadSource = random_pad,
) -> bytes:
    """Build a panel's message (for simulators and tests): ``data`` as it goes inside ``[]``.

    ``xdata`` items go in as ``[item]``. With ``key`` the part after ``[`` is encrypted and
    the header's token gets its ``*``; an encrypted message needs a ``timestamp``.
    """
    tail = "]" + "".join(f"[{x}]" for x in xdata)
    tail += timestamp_text(timestamp) if timestamp is not None else ""
    if key is None:
        body = f'"{header.token}"{_address(header)}[{data}{tail}'.encode("latin-1")
        return frame(body)
    if timestamp is None:
        raise ValueError("an encrypted message carries a timestamp")
    hex_text = encrypt_content(key, (data + tail).encode("latin-1"), pad)
    return frame(f'"*{header.token}"{_address(header)}[{hex_text}'.encode("ascii"))
