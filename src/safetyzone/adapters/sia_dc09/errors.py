"""Why a DC-09 frame was refused, and what the receiver answers.

Every refusal is an ``InvalidInput`` from the one SafetyZone exception tree, so the adapter
raises nothing else (library errors are mapped here with ``raise ... from err``)::

    InvalidInput
    └── Dc09Error                 base; ``reply`` says what goes back to the panel
        ├── FrameRejected         no reply at all: bad envelope, CRC or length (DC-09 5.5.1.2;
        │                         the panel retries as after a lost packet)
        ├── MessageRejected       "NAK" with the receiver's time: bad format, unknown account,
        │                         undecryptable, plain text where a key is set, timestamp
        │                         outside the window (DC-09 5.5.3.2)
        └── MessageNotUnderstood  "DUH": a correct frame the receiver cannot act on (unknown
                                  token, unknown event code, unreadable event data; 5.5.3.3)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from safetyzone.core.errors import InvalidInput

if TYPE_CHECKING:
    from safetyzone.adapters.sia_dc09.message import Header


class Reply(enum.StrEnum):
    """What the receiver sends back for a frame."""

    ACK = "ACK"
    NAK = "NAK"
    DUH = "DUH"
    NONE = "none"


@dataclass
class Dc09Error(InvalidInput):
    """A frame the receiver will not acknowledge."""

    code: str = "sia-dc09"
    reply: Reply = Reply.NAK


@dataclass
class FrameRejected(Dc09Error):
    """The envelope is broken (no LF/CR, bad CRC or length field): answer nothing."""

    code: str = "sia-dc09-frame"
    reply: Reply = Reply.NONE


@dataclass
class MessageRejected(Dc09Error):
    """The frame is intact but the message is refused: answer NAK."""

    code: str = "sia-dc09-rejected"
    reply: Reply = Reply.NAK


@dataclass
class MessageNotUnderstood(Dc09Error):
    """A correct message the receiver cannot act on: answer DUH, echoing ``header``."""

    code: str = "sia-dc09-not-understood"
    reply: Reply = Reply.DUH
    header: Header | None = None
