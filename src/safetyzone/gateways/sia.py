"""SIA DC-09 receivers (TCP and UDP) feeding the inbox.

An enabled receiver that cannot bind its port stops the server: a silently missing alarm
receiver is a safety bug.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Iterator, Mapping

from safetyzone.adapters.sia_dc09 import (
    AccountConfig,
    Dc09Receiver,
    MessageRejected,
    SiaDc09Settings,
    UdpEndpoint,
    start_tcp,
    start_udp,
)
from safetyzone.core.clock import Clock
from safetyzone.core.errors import SafetyZoneError
from safetyzone.core.events import EventIn
from safetyzone.gateways import problems
from safetyzone.intake.directory import ProtocolDirectory
from safetyzone.intake.frames import FrameLog
from safetyzone.intake.models import Protocol
from safetyzone.intake.service import InboxWriter

log = logging.getLogger(__name__)
REFRESH_S = 15.0
_ACCOUNT = re.compile(rb'"\*?[A-Z0-9-]{1,16}"[0-9A-Fa-f]{4}(?:R[0-9A-Fa-f]{1,6})?'
                      rb"(?:L[0-9A-Fa-f]{1,6})?#([0-9A-Fa-f]{3,16})\[")  # the clear header


class LiveAccounts(Mapping[str, AccountConfig]):
    """The registered SIA accounts, as the decoder wants them, refreshed off the event loop."""

    def __init__(self, directory: ProtocolDirectory) -> None:
        self._directory = directory
        self._accounts: dict[str, AccountConfig] = {}

    def refresh(self) -> None:
        """Blocking: reads the directory (and maybe the database)."""
        self._accounts = {
            account: AccountConfig.from_text(reg.key)
            for account, reg in self._directory.all(Protocol.SIA_DC09).items()
        }

    def __getitem__(self, account: str) -> AccountConfig:
        return self._accounts[account.upper()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._accounts)

    def __len__(self) -> int:
        return len(self._accounts)


class SiaGateway:
    def __init__(self, settings: SiaDc09Settings, directory: ProtocolDirectory,
                 writer: InboxWriter, clock: Clock, frames: FrameLog | None = None) -> None:
        self.settings = settings
        self._clock = clock
        self._frames = frames
        self._directory = directory
        self._writer = writer
        self.accounts = LiveAccounts(directory)
        directory.on_change(self.accounts.refresh)  # a panel registered now answers at once
        self.receiver = Dc09Receiver(accounts=self.accounts, commit=self._commit, clock=clock,
                                     policy=settings.policy(), on_exchange=self._record,
                                     on_problem=self._problem)
        self._tcp: asyncio.AbstractServer | None = None
        self._udp: UdpEndpoint | None = None
        self._refresher: asyncio.Task[None] | None = None
        self.tcp_port: int | None = None
        self.udp_port: int | None = None

    async def _commit(self, account: str, events: list[EventIn]) -> None:
        registered = await asyncio.to_thread(self._directory.lookup, Protocol.SIA_DC09, account)
        if registered is None:  # revoked since the account list was read: NAK, not silence
            raise MessageRejected(f"SIA account {account} is not registered")
        await self._writer.submit(registered.identity, events)

    def _problem(self, account: str, kind: str, detail: str) -> None:
        """A maintenance item on the panel, e.g. "panel clock wrong" (see gateways/problems)."""
        problems.report(self._frames, Protocol.SIA_DC09, account, kind, detail,
                        self._clock.now())

    def _record(self, peer: str, frame: bytes, reply: bytes | None) -> None:
        """Keep the frames of registered accounts (strangers could push them out)."""
        match = _ACCOUNT.search(frame[:64])
        if self._frames is None or match is None or match[1].decode() not in self.accounts:
            return
        account, now = match[1].decode(), self._clock.now()
        self._frames.record(Protocol.SIA_DC09, account, "rx", peer, frame, now)
        if reply is not None:
            self._frames.record(Protocol.SIA_DC09, account, "tx", peer, reply, now)

    async def start(self) -> None:
        await asyncio.to_thread(self.accounts.refresh)
        host = self.settings.host
        try:
            if self.settings.tcp_port is not None:
                server = await start_tcp(host, self.settings.tcp_port, self.receiver,
                                         idle_timeout_s=self.settings.idle_timeout_s)
                self._tcp = server
                self.tcp_port = server.sockets[0].getsockname()[1]
            if self.settings.udp_port is not None:
                self._udp = await start_udp(host, self.settings.udp_port, self.receiver)
                self.udp_port = self._udp.port
        except OSError as err:
            await self.stop()
            raise SafetyZoneError(
                f"SIA DC-09 receiver cannot listen on {host} "
                f"(tcp {self.settings.tcp_port}, udp {self.settings.udp_port}): {err}",
                code="gateway-failed") from err
        self._refresher = asyncio.create_task(self._refresh_loop(), name="sia-accounts")
        log.info("SIA DC-09 receiver on %s tcp=%s udp=%s (%d accounts)", host, self.tcp_port,
                 self.udp_port, len(self.accounts))

    async def _refresh_loop(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_S)
            try:
                await asyncio.to_thread(self.accounts.refresh)
            except Exception:
                log.exception("could not refresh SIA accounts")

    def states(self) -> dict[str, str]:
        """Each enabled listener and whether it is listening, for ``/readyz``."""
        states: dict[str, str] = {}
        if self.settings.tcp_port is not None:
            serving = self._tcp is not None and self._tcp.is_serving()
            states["sia_tcp"] = "listening" if serving else "stopped"
        if self.settings.udp_port is not None:
            open_ = self._udp is not None and not self._udp.transport.is_closing()
            states["sia_udp"] = "listening" if open_ else "stopped"
        return states

    async def stop(self) -> None:
        """Close both listeners; each is closed even when the other fails.

        The TCP server is closed by its own ``close()`` (a plain method on asyncio's and
        uvloop's servers alike); the UDP endpoint by our coroutine, which also waits for the
        answers in flight. Telling them apart by asyncio's Server class broke under uvloop.
        """
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresher
            self._refresher = None
        tcp, self._tcp = self._tcp, None
        udp, self._udp = self._udp, None
        try:
            if tcp is not None:
                tcp.close()
                close_clients = getattr(tcp, "close_clients", None)
                if close_clients is not None:  # Python 3.13: else wait_closed waits for them
                    close_clients()
                await tcp.wait_closed()
        finally:
            if udp is not None:
                await udp.close()
