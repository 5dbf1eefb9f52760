"""SIA DC-09 (ANSI/SIA DC-09-2013/2021) alarm panel reporting over TCP and UDP.

A pure translator, in the order bytes travel::

    framing.py   bytes -> LF ... CR frames; CRC and length checked (crc.py)
    decoder.py   frame -> Message (header, decryption with crypto.py, timestamp window)
    mapping.py   Message -> AlarmIn / StatusIn events (code tables in codes.py)
    encoder.py   ACK / *ACK / NAK / DUH replies, and panel messages for simulators
    receiver.py  asyncio TCP server and UDP endpoint; ACK only after ``commit`` returns

Installer guide: ``docs/devices/sia-dc09.md``.
"""

from safetyzone.adapters.sia_dc09.config import (
    AccountConfig,
    AccountLookup,
    DecodePolicy,
    SiaDc09Settings,
)
from safetyzone.adapters.sia_dc09.decoder import Decoded, decode_frame
from safetyzone.adapters.sia_dc09.encoder import (
    encode_ack,
    encode_duh,
    encode_message,
    encode_nak,
)
from safetyzone.adapters.sia_dc09.errors import (
    Dc09Error,
    FrameRejected,
    MessageNotUnderstood,
    MessageRejected,
    Reply,
)
from safetyzone.adapters.sia_dc09.framing import StreamFramer, frames_in_datagram, open_envelope
from safetyzone.adapters.sia_dc09.message import Header, Message, XData
from safetyzone.adapters.sia_dc09.receiver import (
    Commit,
    Dc09Receiver,
    ReceiverCounters,
    UdpEndpoint,
    start_tcp,
    start_udp,
)

__all__ = [
    "AccountConfig",
    "AccountLookup",
    "Commit",
    "Dc09Error",
    "Dc09Receiver",
    "DecodePolicy",
    "Decoded",
    "FrameRejected",
    "Header",
    "Message",
    "MessageNotUnderstood",
    "MessageRejected",
    "ReceiverCounters",
    "Reply",
    "SiaDc09Settings",
    "StreamFramer",
    "UdpEndpoint",
    "XData",
    "decode_frame",
    "encode_ack",
    "encode_duh",
    "encode_message",
    "encode_nak",
    "frames_in_datagram",
    "open_envelope",
    "start_tcp",
    "start_udp",
]
