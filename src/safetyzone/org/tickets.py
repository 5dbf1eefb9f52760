"""One-time tickets for the live feed's WebSocket, so no long-lived token rides in a URL.

Browsers cannot set headers on a WebSocket, so the credential has to travel in the query
string, where proxies and access logs keep it. A ticket makes that harmless: it is obtained
with the bearer token (``POST /api/v1/stream/tickets``), lives ``TTL_S`` seconds and is
spent by its first use. It carries the user, the token generation and the login's token
family, so a deactivation, a password change or a revoked family stops it too.

Tickets live in this process's memory: the socket is opened seconds after the ticket is
issued, normally on the same server; a restart only makes the console ask for a new one.
Behind a load balancer with several processes, route ``/api/v1/stream*`` to one of them
per client (sticky sessions).
"""

from __future__ import annotations

import secrets
import threading
import uuid
from dataclasses import dataclass

from safetyzone.core.clock import Clock
from safetyzone.core.errors import AuthenticationFailed, TooManyRequests

TTL_S = 30
MAX_OPEN = 10_000


@dataclass(frozen=True)
class Ticket:
    user_id: uuid.UUID
    generation: int
    family_id: uuid.UUID
    expires: float


class TicketDesk:
    """Issues and redeems tickets; thread-safe."""

    def __init__(self, clock: Clock, ttl_s: int = TTL_S, max_open: int = MAX_OPEN) -> None:
        self.clock = clock
        self.ttl_s = ttl_s
        self.max_open = max_open
        self._open: dict[str, Ticket] = {}
        self._lock = threading.Lock()

    def issue(self, *, user_id: uuid.UUID, generation: int, family_id: uuid.UUID) -> str:
        now = self.clock.now().timestamp()
        value = secrets.token_urlsafe(32)
        with self._lock:
            if len(self._open) >= self.max_open:
                self._open = {k: t for k, t in self._open.items() if t.expires > now}
            if len(self._open) >= self.max_open:
                raise TooManyRequests("too many open stream tickets", retry_after_s=self.ttl_s)
            self._open[value] = Ticket(user_id, generation, family_id, now + self.ttl_s)
        return value

    def redeem(self, value: str) -> Ticket:
        """Spend a ticket; an unknown, spent or expired one is ``AuthenticationFailed``."""
        with self._lock:
            ticket = self._open.pop(value, None)
        if ticket is None or ticket.expires <= self.clock.now().timestamp():
            raise AuthenticationFailed("stream ticket unknown, used or expired: get a new one")
        return ticket
