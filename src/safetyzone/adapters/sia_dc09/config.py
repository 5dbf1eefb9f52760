"""What the adapter is configured with: accounts and keys, the decoding policy, the servers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from safetyzone.adapters.sia_dc09.crypto import KeyFormat, parse_key


@dataclass(frozen=True)
class AccountConfig:
    """One panel account. With a key, only encrypted messages are accepted for it."""

    key: bytes | None = field(default=None, repr=False)

    @classmethod
    def from_text(cls, key: str | None = None, key_format: KeyFormat = "auto") -> AccountConfig:
        """Build from the key as an installer types it (see ``crypto.parse_key``)."""
        return cls(key=None if key is None else parse_key(key, key_format))


AccountLookup = Mapping[str, AccountConfig]
"""Account number (upper-case hex, as ``Message.account``) -> its configuration."""


@dataclass(frozen=True)
class DecodePolicy:
    """Receiver-side rules that DC-09 leaves to the central station."""

    max_age: timedelta = timedelta(seconds=40)
    """A message may carry a timestamp this much older than the receiver's clock."""
    max_lead: timedelta = timedelta(seconds=20)
    """...or this much newer. Outside the window: NAK with the receiver's time."""
    check_plain_timestamps: bool = False
    """DC-09 applies the window to encrypted messages; set to NAK plain ones outside it too
    (else they are accepted with ``Message.clock_wrong``, see decoder.py)."""
    accept_decimal_length: bool = True
    """Accept a length field written in decimal when the CRC is right (a panel bug)."""


class SiaDc09Settings(BaseModel):
    """The adapter as declared in the platform settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["sia-dc09"] = "sia-dc09"
    host: str = Field("0.0.0.0", description="Address the receiver listens on.")  # noqa: S104
    tcp_port: int | None = Field(9000, ge=1, le=65535, description="TCP port; None: no TCP.")
    udp_port: int | None = Field(9000, ge=1, le=65535, description="UDP port; None: no UDP.")
    idle_timeout_s: float = Field(
        120.0, gt=0, le=3600, description="Close a TCP connection silent for this long."
    )
    window_past_s: int = Field(40, ge=1, le=3600, description="Oldest accepted timestamp, s.")
    window_future_s: int = Field(
        20, ge=1, le=300, description="Newest accepted timestamp, s (at most the intake's 5 "
        "minutes: a later event time would be refused after the decoder accepted it).")
    check_plain_timestamps: bool = Field(
        False, description="Also NAK unencrypted messages outside the window. Off: they are "
        "ACKed, stored at the receiver's time and the panel gets a 'panel clock wrong' item."
    )

    def policy(self) -> DecodePolicy:
        """Return the decoding policy these settings describe."""
        return DecodePolicy(
            max_age=timedelta(seconds=self.window_past_s),
            max_lead=timedelta(seconds=self.window_future_s),
            check_plain_timestamps=self.check_plain_timestamps,
        )
