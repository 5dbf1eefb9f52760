"""Decoding: one frame -> a checked ``Message`` -> typed Events. Opens no socket.

The body after the envelope (DC-09 5.5.1.3-5.5.1.9)::

    field      pattern                     note
    id token   "[*]TOKEN"                  "*" marks an encrypted message
    seq        4 digits                    0000-9999, repeats keep it; hex digits accepted
                                           (dc09_spt writes 000A after 0009), echoed as is
    receiver   R + 1-6 hex                 optional, echoed in the ACK
    line       L + 1-6 hex                 account prefix, echoed; missing: taken as L0
    account    # + 3-16 hex                optional here if the data carries it
    [          clear text                  the encrypted part starts after it
    data       [#acct|]events ]            events per token: SIA DC-03 or Contact ID
    xdata      [Xvalue]...                 X longitude, Y latitude, I text, M MAC...
    timestamp  _HH:MM:SS,MM-DD-YYYY        UTC; required when encrypted

The timestamp window (``DecodePolicy``): an encrypted message outside it is refused (NAK with
the receiver's time, DC-09 5.5.3.2). A plain one is accepted with ``clock_wrong`` set: its
events take the receiver's time and keep the panel's in their text, and the receiver raises
a "panel clock wrong" maintenance item. Refusing it would lose the alarm: the panel would
retry, fail over, and never get through while its clock stays wrong.

Each refusal raises one of the ``errors`` classes, which names the reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from safetyzone.adapters.sia_dc09.config import AccountConfig, AccountLookup, DecodePolicy
from safetyzone.adapters.sia_dc09.crypto import DecryptionError, decrypt_block, strip_pad
from safetyzone.adapters.sia_dc09.errors import MessageRejected
from safetyzone.adapters.sia_dc09.framing import open_envelope
from safetyzone.adapters.sia_dc09.mapping import to_events
from safetyzone.adapters.sia_dc09.message import Header, Message, XData
from safetyzone.core.events import EventIn

_HEADER = re.compile(
    r'"(?P<star>\*?)(?P<token>[A-Z0-9-]{1,16})"(?P<seq>[0-9A-Fa-f]{4})'
    r"(?:R(?P<receiver>[0-9A-Fa-f]{1,6}))?(?:L(?P<line>[0-9A-Fa-f]{1,6}))?"
    r"(?:#(?P<account>[0-9A-Fa-f]{3,16}))?\["
)
_TAIL = re.compile(
    r"(?P<data>[^\[\]]*)\](?P<xdata>(?:\[[^\[\]]*\])*)"
    r"(?:_(?P<h>[0-9]{2}):(?P<mi>[0-9]{2}):(?P<s>[0-9]{2}),"
    r"(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})-(?P<y>[0-9]{4}))?"
)
_DATA_ACCOUNT = re.compile(r"#?(?P<account>[0-9A-Fa-f]{3,16})?\|")
_XDATA = re.compile(r"\[([^\[\]]*)\]")


@dataclass(frozen=True)
class Decoded:
    """A message the receiver may ACK once ``events`` are stored."""

    message: Message
    events: list[EventIn]


def decode_frame(
    frame: bytes, *, accounts: AccountLookup, now: datetime, policy: DecodePolicy | None = None
) -> Decoded:
    """Decode one LF ... CR frame received at ``now`` (timezone-aware).

    Raises ``FrameRejected`` (no reply), ``MessageRejected`` (NAK) or
    ``MessageNotUnderstood`` (DUH); never anything else.
    """
    policy = policy or DecodePolicy()
    message = decode_message(frame, accounts=accounts, now=now, policy=policy)
    return Decoded(message=message, events=to_events(message, received_at=now))


def decode_message(
    frame: bytes, *, accounts: AccountLookup, now: datetime, policy: DecodePolicy
) -> Message:
    """Check, decrypt and time-check one frame; the events are not read yet."""
    envelope = open_envelope(frame, accept_decimal_length=policy.accept_decimal_length)
    body = envelope.body.decode("latin-1")
    head = _HEADER.match(body)
    if head is None:
        raise MessageRejected("no DC-09 header (\"id\"seq[R]L[#acct][)")
    header = Header(
        token=head["token"],
        encrypted=bool(head["star"]),
        seq=head["seq"],
        receiver=head["receiver"],
        line=head["line"] or "0",
        account=head["account"],
    )
    rest = body[head.end():]
    key: bytes | None = None
    if header.encrypted:
        if header.account is None:
            raise MessageRejected("an encrypted message must name its account in clear")
        config = _account(accounts, header.account)
        if config.key is None:
            raise MessageRejected("encrypted message for an account without a key")
        try:
            rest = strip_pad(decrypt_block(config.key, rest)).decode("latin-1")
        except DecryptionError as err:
            raise MessageRejected(f"cannot decrypt: {err}") from err
        key = config.key
    tail = _TAIL.fullmatch(rest)
    if tail is None:
        raise MessageRejected("data, extended data or timestamp malformed")
    data, data_account = _split_account(tail["data"])
    account = (header.account or data_account or "").upper()
    if not account:
        raise MessageRejected("message names no account")
    if not header.encrypted and _account(accounts, account).key is not None:
        raise MessageRejected("account has a key: plain messages are refused")
    timestamp = _timestamp(tail)
    if header.encrypted and timestamp is None:
        raise MessageRejected("an encrypted message must carry a timestamp")
    clock_wrong = False
    if timestamp is not None and not _in_window(timestamp, now, policy):
        if header.encrypted or policy.check_plain_timestamps:
            raise MessageRejected(f"timestamp {timestamp.isoformat()} outside the window")
        clock_wrong = True
    return Message(
        header=header,
        account=account,
        data=data,
        data_account=data_account,
        xdata=tuple(
            XData(ident=m[0], value=m[1:]) for m in _XDATA.findall(tail["xdata"]) if m
        ),
        timestamp=timestamp,
        crc=envelope.crc,
        key=key,
        length_quirk=envelope.length_quirk,
        clock_wrong=clock_wrong,
    )


def _account(accounts: AccountLookup, account: str) -> AccountConfig:
    config = accounts.get(account.upper())
    if config is None:
        raise MessageRejected(f"unknown account {account}")
    return config


def _in_window(timestamp: datetime, now: datetime, policy: DecodePolicy) -> bool:
    return now - policy.max_age <= timestamp <= now + policy.max_lead


def _split_account(data: str) -> tuple[str, str | None]:
    prefix = _DATA_ACCOUNT.match(data)
    if prefix is None:
        return data, None
    return data[prefix.end():], prefix["account"]


def _timestamp(tail: re.Match[str]) -> datetime | None:
    if tail["y"] is None:
        return None
    try:
        return datetime(
            int(tail["y"]), int(tail["mo"]), int(tail["d"]),
            int(tail["h"]), int(tail["mi"]), int(tail["s"]), tzinfo=UTC,
        )
    except ValueError as err:
        raise MessageRejected("timestamp is not a valid date and time") from err
