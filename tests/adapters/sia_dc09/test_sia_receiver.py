"""The receiver over real TCP and UDP sockets on 127.0.0.1: ACK only after commit.

Each test runs its own event loop with ``asyncio.run(..., debug=True)``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sia_cases import SiaCase, each_case

from safetyzone.adapters.sia_dc09 import (
    AccountConfig,
    Dc09Receiver,
    Header,
    ReceiverCounters,
    encode_message,
    open_envelope,
    start_tcp,
    start_udp,
)
from safetyzone.adapters.sia_dc09.crypto import decrypt_block, strip_pad
from safetyzone.core.clock import ManualClock
from safetyzone.core.errors import DatabaseUnavailable, InvalidInput, KindNotAllowed
from safetyzone.core.events import EventIn
from support.event_checks import assert_valid_event

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
KEY = bytes.fromhex("00112233445566778899AABBCCDDEEFF")
ACCOUNTS = {"1234": AccountConfig(), "5678": AccountConfig(key=KEY)}
HOST = "127.0.0.1"
QUIET = 0.3  # seconds a client waits to conclude that no reply is coming


def message(seq: str, data: str = "Nri1/BA01", *, account: str = "1234",
            key: bytes | None = None) -> bytes:
    header = Header(token="SIA-DCS", encrypted=key is not None, seq=seq, receiver=None,
                    line="0", account=account)
    return encode_message(header, f"#{account}|{data}", timestamp=NOW, key=key)


class Store:
    """A commit callback that records, and can be held or made to fail."""

    def __init__(self) -> None:
        self.committed: list[tuple[str, list[EventIn]]] = []
        self.entered = asyncio.Event()
        self.gate: asyncio.Event | None = None
        self.fail = False

    async def commit(self, account: str, events: list[EventIn]) -> None:
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise RuntimeError("database is down")
        self.committed.append((account, events))


def receiver_for(store: Store, counters: ReceiverCounters | None = None) -> Dc09Receiver:
    return Dc09Receiver(accounts=ACCOUNTS, commit=store.commit, clock=ManualClock(NOW),
                        counters=counters)


def run(test: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(test(), debug=True)


async def read_reply(reader: asyncio.StreamReader, within_s: float = 2.0) -> bytes:
    return await asyncio.wait_for(reader.readuntil(b"\r"), within_s)


async def no_reply(reader: asyncio.StreamReader) -> bool:
    try:
        await asyncio.wait_for(reader.read(1), QUIET)
    except TimeoutError:
        return True
    return False


async def with_tcp(store: Store, body: Callable[[int, Dc09Receiver], Awaitable[None]],
                   **options: Any) -> None:
    receiver = receiver_for(store)
    server = await start_tcp(HOST, 0, receiver, **options)
    try:
        port = server.sockets[0].getsockname()[1]
        await body(port, receiver)
    finally:
        server.close()
        await server.wait_closed()


# -- TCP ---------------------------------------------------------------------------------


def test_tcp_ack_comes_only_after_commit_returned() -> None:
    async def body(port: int, receiver: Dc09Receiver) -> None:
        store.gate = asyncio.Event()
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(message("0007"))
        await asyncio.wait_for(store.entered.wait(), 2)
        assert await no_reply(reader), "ACK sent before the commit returned"
        assert store.committed == []
        store.gate.set()
        reply = await read_reply(reader)
        assert reply[9:] == b'"ACK"0007L0#1234[]\r'
        assert len(store.committed) == 1
        writer.close()

    store = Store()
    run(lambda: with_tcp(store, body))
    account, events = store.committed[0]
    assert account == "1234"
    for event in events:
        assert_valid_event(event, reference=NOW)


def test_tcp_failed_commit_gets_no_ack_and_the_connection_goes_on() -> None:
    async def body(port: int, receiver: Dc09Receiver) -> None:
        store.fail = True
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(message("0001"))
        assert await no_reply(reader)
        assert receiver.counters.commit_failures == 1
        store.fail = False
        writer.write(message("0001"))  # the panel's retry
        assert (await read_reply(reader))[9:] == b'"ACK"0001L0#1234[]\r'
        writer.close()

    store = Store()
    run(lambda: with_tcp(store, body))
    assert len(store.committed) == 1


def test_tcp_connection_cut_mid_frame_commits_nothing() -> None:
    async def body(port: int, receiver: Dc09Receiver) -> None:
        frame = message("0003")
        _, writer = await asyncio.open_connection(HOST, port)
        writer.write(frame[: len(frame) // 2])
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        for _ in range(50):
            if receiver.counters.connections == 1:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)
        assert receiver.counters.frames == 0

    store = Store()
    run(lambda: with_tcp(store, body))
    assert store.committed == []
    assert not store.entered.is_set()


def test_tcp_split_concatenated_and_garbage_input() -> None:
    async def body(port: int, receiver: Dc09Receiver) -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        stream = b"noise\r\n\r" + message("0001") + b"\x00\xff" + message("0002") + message(
            "0003", key=KEY, account="5678"
        )
        for i in range(0, len(stream), 5):
            writer.write(stream[i : i + 5])
            await writer.drain()
        first, second, third = [await read_reply(reader) for _ in range(3)]
        assert first[9:] == b'"ACK"0001L0#1234[]\r'
        assert second[9:] == b'"ACK"0002L0#1234[]\r'
        assert third[9:].startswith(b'"*ACK"0003L0#5678[')
        hex_text = open_envelope(third).body.split(b"[", 1)[1].decode()
        assert strip_pad(decrypt_block(KEY, hex_text)) == b"]_12:00:00,03-01-2026"
        assert receiver.counters.discarded_bytes == len(b"noise\r\x00\xff")
        assert receiver.counters.unanswered == 1  # "\n\r" is a frame, too short to answer
        writer.close()

    store = Store()
    run(lambda: with_tcp(store, body))
    assert [events[0].device_event_id.split(":")[1] for _, events in store.committed] == [
        "0001", "0002", "0003"
    ]


def test_tcp_nak_duh_and_silence() -> None:
    async def body(port: int, receiver: Dc09Receiver) -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(message("0001", account="9999"))  # unknown account
        nak = await read_reply(reader)
        assert nak[9:] == b'"NAK"0000R0L0A0[]_12:00:00,03-01-2026\r'  # the receiver's time
        writer.write(message("0002", data="Nri1/ZX1"))  # unknown code
        assert (await read_reply(reader))[9:] == b'"DUH"0002L0#1234[]\r'
        bad_crc = bytearray(message("0003"))
        bad_crc[1:5] = b"0000"
        writer.write(bytes(bad_crc))
        assert await no_reply(reader)
        assert (receiver.counters.naks, receiver.counters.duhs) == (1, 1)
        assert receiver.counters.unanswered == 1
        writer.close()

    store = Store()
    run(lambda: with_tcp(store, body))
    assert store.committed == []


def test_tcp_nak_for_an_old_encrypted_message_carries_the_receiver_time() -> None:
    async def body(port: int, receiver: Dc09Receiver) -> None:
        header = Header(token="SIA-DCS", encrypted=True, seq="0001", receiver=None, line="0",
                        account="5678")
        old = encode_message(header, "Nri1/BA1", timestamp=NOW - timedelta(minutes=5), key=KEY)
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(old)
        assert (await read_reply(reader))[9:] == b'"NAK"0000R0L0A0[]_12:00:00,03-01-2026\r'
        writer.close()

    store = Store()
    run(lambda: with_tcp(store, body))
    assert store.committed == []


def test_tcp_idle_connection_is_closed() -> None:
    async def body(port: int, receiver: Dc09Receiver) -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        assert await asyncio.wait_for(reader.read(), 2) == b""
        assert receiver.counters.idle_timeouts == 1
        writer.close()

    run(lambda: with_tcp(Store(), body, idle_timeout_s=0.1))


def test_raw_frames_are_logged_as_hex_with_direction_and_peer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def body(port: int, receiver: Dc09Receiver) -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(message("0001"))
        await read_reply(reader)
        writer.close()

    caplog.set_level(logging.DEBUG, logger="safetyzone.adapters.sia_dc09.receiver")
    run(lambda: with_tcp(Store(), body))
    lines = [r.getMessage() for r in caplog.records if "sia-dc09 rx" in r.getMessage()
             or "sia-dc09 tx" in r.getMessage()]
    assert any(line.startswith("sia-dc09 rx 127.0.0.1:") and message("0001").hex() in line
               for line in lines)
    assert any(line.startswith("sia-dc09 tx 127.0.0.1:") for line in lines)


# -- UDP ---------------------------------------------------------------------------------


class _Client(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.replies: asyncio.Queue[bytes] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self.replies.put_nowait(data)


def test_udp_ack_after_commit_and_silence_on_failure() -> None:
    store = Store()

    async def scenario() -> None:
        receiver = receiver_for(store)
        endpoint = await start_udp(HOST, 0, receiver)
        loop = asyncio.get_running_loop()
        transport, client = await loop.create_datagram_endpoint(
            _Client, remote_addr=(HOST, endpoint.port)
        )
        try:
            store.gate = asyncio.Event()
            transport.sendto(message("0001", key=KEY, account="5678"))
            await asyncio.wait_for(store.entered.wait(), 2)
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(client.replies.get(), QUIET)
            store.gate.set()
            reply = await asyncio.wait_for(client.replies.get(), 2)
            assert reply[9:].startswith(b'"*ACK"0001L0#5678[')

            store.fail = True
            transport.sendto(message("0002"))
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(client.replies.get(), QUIET)
            assert receiver.counters.commit_failures == 1

            store.fail = False
            transport.sendto(message("0003")[:20])  # half a frame: one datagram, one frame
            transport.sendto(message("0003")[20:])
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(client.replies.get(), QUIET)
            transport.sendto(b"\x00garbage\r")
            transport.sendto(message("0004"))
            assert (await asyncio.wait_for(client.replies.get(), 2))[9:] == (
                b'"ACK"0004L0#1234[]\r'
            )
        finally:
            transport.close()
            await endpoint.close()

    run(scenario)
    assert [events[0].device_event_id.split(":")[1] for _, events in store.committed] == [
        "0001", "0004"
    ]


# -- every published frame through the receiver -----------------------------------------


@each_case
def test_published_frame_gets_its_reply(sia_case: SiaCase) -> None:
    store = Store()
    receiver = Dc09Receiver(accounts=sia_case.accounts, commit=store.commit,
                            clock=ManualClock(sia_case.received_at))

    async def handle() -> bytes | None:
        return await receiver.handle_frame(sia_case.frame, "test")

    reply = asyncio.run(handle(), debug=True)
    wanted = sia_case.expect["reply"]
    if wanted == "none":
        assert reply is None
        return
    assert reply is not None
    open_envelope(reply, accept_decimal_length=False)
    assert reply[9:].startswith(f'"{wanted}"'.encode())
    assert bool(store.committed) == wanted.endswith("ACK")
    if "reply_frame" in sia_case.expect:  # byte for byte, CRC and length included
        assert reply == sia_case.expect["reply_frame"].encode("latin-1")
    assert receiver.counters.clock_wrong == int(sia_case.expect.get("clock_wrong", False))


# -- every frame that passes CRC and length is answered ----------------------------------


def wrong_clock(seq: str, claimed: datetime) -> bytes:
    header = Header(token="SIA-DCS", encrypted=False, seq=seq, receiver=None, line="0",
                    account="1234")
    return encode_message(header, "#1234|Nri1/PA01", timestamp=claimed)


CLAIMS = [datetime(2000, 1, 1, tzinfo=UTC), NOW + timedelta(minutes=6),
          NOW - timedelta(days=8)]


def test_plain_frames_with_a_wrong_clock_are_acked_stored_and_reported() -> None:
    store = Store()
    reported: list[tuple[str, str, str]] = []
    receiver = Dc09Receiver(accounts=ACCOUNTS, commit=store.commit, clock=ManualClock(NOW),
                            on_problem=lambda *item: reported.append(item))

    async def scenario() -> None:
        endpoint = await start_udp(HOST, 0, receiver)
        server = await start_tcp(HOST, 0, receiver)
        loop = asyncio.get_running_loop()
        transport, client = await loop.create_datagram_endpoint(
            _Client, remote_addr=(HOST, endpoint.port))
        reader, writer = await asyncio.open_connection(HOST,
                                                       server.sockets[0].getsockname()[1])
        try:
            for i, claimed in enumerate(CLAIMS):
                writer.write(wrong_clock(f"000{i}", claimed))
                assert (await read_reply(reader))[9:] == f'"ACK"000{i}L0#1234[]\r'.encode()
                transport.sendto(wrong_clock(f"001{i}", claimed))
                assert (await asyncio.wait_for(client.replies.get(), 2))[9:] == (
                    f'"ACK"001{i}L0#1234[]\r'.encode())
        finally:
            writer.close()
            transport.close()
            await endpoint.close()
            server.close()
            await server.wait_closed()

    run(scenario)
    assert len(store.committed) == 2 * len(CLAIMS)
    for _, (event,) in store.committed:
        assert event.event_time == NOW
    assert [(account, kind) for account, kind, _ in reported] == [("1234", "clock_wrong")] * 6
    assert "it sent 2000-01-01 00:00:00 UTC" in reported[0][2]
    assert receiver.counters.clock_wrong == 6 and receiver.counters.unanswered == 0


def test_encrypted_frame_with_a_wrong_clock_gets_nak_with_the_receiver_time() -> None:
    header = Header(token="SIA-DCS", encrypted=True, seq="000A", receiver=None, line="0",
                    account="5678")
    old = encode_message(header, "Nri1/PA01", timestamp=datetime(2000, 1, 1, tzinfo=UTC),
                         key=KEY)
    store = Store()
    reply = asyncio.run(receiver_for(store).handle_frame(old, "test"))
    assert reply is not None
    assert reply[9:] == b'"NAK"0000R0L0A0[]_12:00:00,03-01-2026\r'
    assert store.committed == []


class Refusing(Store):
    async def commit(self, account: str, events: list[EventIn]) -> None:
        raise InvalidInput("event_time is more than 7 days old")


def test_a_refusal_by_the_intake_is_a_nak_not_silence() -> None:
    receiver = receiver_for(Refusing())
    reply = asyncio.run(receiver.handle_frame(message("0001"), "test"))
    assert reply is not None and reply[9:].startswith(b'"NAK"0000R0L0A0[]_12:00:00,03-01-2026')
    assert receiver.counters.commit_refusals == 1 and receiver.counters.unanswered == 0


def test_a_decoder_bug_or_failing_hook_never_kills_the_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken_hook(*_: object) -> None:
        raise RuntimeError("hook bug")

    store = Store()
    receiver = Dc09Receiver(accounts=ACCOUNTS, commit=store.commit, clock=ManualClock(NOW),
                            on_exchange=broken_hook, on_problem=broken_hook)
    ack = asyncio.run(receiver.handle_frame(wrong_clock("0001", datetime(2000, 1, 1,
                                                                         tzinfo=UTC)), "t"))
    assert ack is not None and ack[9:] == b'"ACK"0001L0#1234[]\r'

    def broken_decoder(*_: object, **__: object) -> None:
        raise ValueError("decoder bug")

    monkeypatch.setattr("safetyzone.adapters.sia_dc09.receiver.decode_frame", broken_decoder)
    nak = asyncio.run(receiver.handle_frame(message("0002"), "t"))
    assert nak is not None and nak[9:].startswith(b'"NAK"')
    assert receiver.counters.decoder_errors == 1


class Away(Store):
    async def commit(self, account: str, events: list[EventIn]) -> None:
        raise DatabaseUnavailable("the database cannot be reached; try again shortly")


def test_an_outage_is_no_ack_and_one_line_in_the_log_not_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    receiver = receiver_for(Away())
    with caplog.at_level(logging.WARNING, logger="safetyzone.adapters.sia_dc09.receiver"):
        reply = asyncio.run(receiver.handle_frame(message("0001"), "test"))
    assert reply is None  # the panel retries, then fails over to its backup path
    assert receiver.counters.commit_failures == 1
    [record] = [r for r in caplog.records if "not stored" in r.getMessage()]
    assert record.exc_info is None and "the panel will retry" in record.getMessage()


class Forbidden(Store):
    async def commit(self, account: str, events: list[EventIn]) -> None:
        raise KindNotAllowed("a credential of a camera point may not send 'alarm'")


def test_a_kind_the_panels_subject_cannot_send_is_a_nak_not_silence() -> None:
    receiver = receiver_for(Forbidden())
    reply = asyncio.run(receiver.handle_frame(message("0001"), "test"))
    assert reply is not None and reply[9:].startswith(b'"NAK"')
    assert receiver.counters.commit_refusals == 1 and receiver.counters.unanswered == 0
