"""The parsed shape of one DC-09 message, before it becomes Events."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime


@dataclass(frozen=True)
class Header:
    """The clear-text start of the body: ``"id"seq[Rrcvr]Lpref[#acct][``, as received."""

    token: str
    """``SIA-DCS``, ``ADM-CID``, ``NULL``... without the ``*`` of encrypted messages."""
    encrypted: bool
    seq: str
    receiver: str | None
    line: str
    """As received; ``"0"`` when the frame had no ``L`` field (the ACK then says ``L0``)."""
    account: str | None


@dataclass(frozen=True)
class XData:
    """One ``[Xvalue]`` extended-data block: its identifier letter and its value."""

    ident: str
    value: str


@dataclass(frozen=True)
class Message:
    """A checked, decrypted and time-checked message; the decoder's output."""

    header: Header
    account: str
    """Upper-case account number: the header's, else the one at the start of the data."""
    data: str
    """Event data, without the ``#acct|`` prefix (text is Latin-1 decoded bytes)."""
    data_account: str | None
    xdata: tuple[XData, ...]
    timestamp: datetime | None
    crc: int
    key: bytes | None = field(default=None, repr=False)
    """The key that decrypted the message; the ACK is encrypted with it."""
    length_quirk: bool = False
    clock_wrong: bool = False
    """A plain message whose timestamp is outside the window: the panel's clock is wrong, its
    events take the receiver's time (``timestamp`` keeps the panel's)."""

    @property
    def reply_header(self) -> Header:
        """The header a reply echoes: the data's account when the header has none."""
        if self.header.account is not None or self.data_account is None:
            return self.header
        return replace(self.header, account=self.data_account)
