"""The Bus protocol every backend implements.

Delivery is at-least-once: a subscriber may see a message again after a restart or a
redelivery, so consumers make their effects idempotent (see ``ops.engine``). ``seq`` is the
message's position in the stream (the inbox sequence number), which is what cursors count.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from safetyzone.core.events import Event


@dataclass(frozen=True)
class Message:
    subject: str
    seq: int
    event: Event


Handler = Callable[[Message], Awaitable[None]]


class Subscription(Protocol):
    @property
    def pending(self) -> int:
        """Messages delivered to this subscription but not yet handled."""
        ...

    async def close(self) -> None: ...


class Bus(Protocol):
    async def connect(self) -> None:
        """Reach the broker; raise a clear error when it cannot be reached."""
        ...

    @property
    def connected(self) -> bool:
        """True while the bus can take a publish (for ``/readyz``)."""
        ...

    async def publish(self, event: Event) -> None:
        """Publish one event under its subject; returns once the bus has it."""
        ...

    async def subscribe(
        self, pattern: str, handler: Handler, *, after_seq: int | None = None
    ) -> Subscription:
        """Deliver matching messages to ``handler`` in order, one at a time.

        ``after_seq`` replays retained messages with a greater ``seq`` first (a resume
        cursor); ``None`` means new messages only.
        """
        ...

    async def close(self) -> None: ...


def subject_matches(pattern: str, subject: str) -> bool:
    """NATS subject matching: ``*`` matches one token, a final ``>`` the rest."""
    p_tokens, s_tokens = pattern.split("."), subject.split(".")
    for i, part in enumerate(p_tokens):
        if part == ">":
            return len(s_tokens) > i
        if i >= len(s_tokens) or (part != "*" and part != s_tokens[i]):
            return False
    return len(p_tokens) == len(s_tokens)
