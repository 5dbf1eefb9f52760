"""Starting and stopping a server with every receiver on, and what /readyz says about them.

The stop runs under asyncio's own loop and under uvloop, which ``ssz serve`` (uvicorn)
uses: the UDP SIA receiver's stop once broke only there, and skipped every part after it.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest
import uvloop
from fastapi import FastAPI
from fastapi.testclient import TestClient

from safetyzone.adapters.mqtt import MqttSettings
from safetyzone.adapters.sia_dc09.config import SiaDc09Settings
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.web.app import create_app
from safetyzone.web.runtime import Runtime
from support.mosquitto import MosquittoServer, throwaway_mosquitto
from support.postgres import free_loopback_port

THREADS = ("inbox-writer", "ccoc-engine")
LOOPS: dict[str, Callable[[Coroutine[Any, Any, None]], None]] = {
    "asyncio": asyncio.run, "uvloop": uvloop.run}


@pytest.fixture
def broker() -> Iterator[MosquittoServer]:
    with throwaway_mosquitto() as server:
        yield server


@pytest.fixture
def ports() -> dict[str, int]:
    chosen: dict[str, int] = {}
    for name in ("sia", "osmand", "nmea"):
        port = free_loopback_port()
        while port in chosen.values():
            port = free_loopback_port()
        chosen[name] = port
    return chosen


def every_receiver(settings: Settings, broker: MosquittoServer, ports: dict[str, int]
                   ) -> Settings:
    return settings.model_copy(update={
        "sia_dc09": SiaDc09Settings(host="127.0.0.1", tcp_port=ports["sia"],
                                    udp_port=ports["sia"]),
        "osmand_port": ports["osmand"], "nmea_port": ports["nmea"],
        "mqtt": MqttSettings(host="127.0.0.1", port=broker.port, client_id="ssz-test-stop",
                             connect_timeout_s=5)})


def tcp_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def udp_bound(port: int) -> bool:
    """True while some socket holds the UDP port (UDP has no "connection refused")."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def live_threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.is_alive()} & set(THREADS)


def run_lifespan(app: FastAPI, loop: str, inside: Callable[[Runtime], None]) -> None:
    """Start and stop the app's lifespan on ``loop``, as uvicorn does, calling ``inside``."""
    async def serve() -> None:
        async with app.router.lifespan_context(app):
            inside(app.state.runtime)

    LOOPS[loop](serve())


@pytest.mark.parametrize("loop", sorted(LOOPS))
def test_server_with_every_receiver_on_stops_cleanly(
    db: Database, settings: Settings, clock: ManualClock, broker: MosquittoServer,
    ports: dict[str, int], loop: str, caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_app(every_receiver(settings, broker, ports), db, clock)
    seen: dict[str, str] = {}

    def while_serving(runtime: Runtime) -> None:
        seen.update(runtime.checks())
        assert udp_bound(ports["sia"])
        assert live_threads() == set(THREADS)

    caplog.set_level(logging.WARNING)
    run_lifespan(app, loop, while_serving)  # raised TypeError under uvloop before the fix

    assert seen == {"sia_tcp": "listening", "sia_udp": "listening", "osmand": "listening",
                    "nmea": "listening", "mqtt": "connected", "bus": "connected"}
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert not any(tcp_open(port) for port in ports.values())
    assert not udp_bound(ports["sia"])
    assert live_threads() == set()
    runtime: Runtime = app.state.runtime
    assert runtime.checks() == {"sia_tcp": "stopped", "sia_udp": "stopped", "osmand": "stopped",
                                "nmea": "stopped", "mqtt": "stopped", "bus": "disconnected"}


def test_one_failing_stop_step_does_not_stop_the_others(
    db: Database, settings: Settings, clock: ManualClock, broker: MosquittoServer,
    ports: dict[str, int], caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_app(every_receiver(settings, broker, ports), db, clock)
    runtime: Runtime = app.state.runtime
    assert runtime.sia_gateway is not None
    sia_stop = runtime.sia_gateway.stop

    async def broken_stop() -> None:
        raise RuntimeError("the SIA receiver would not stop")

    async def serve() -> None:
        async with app.router.lifespan_context(app):
            runtime.sia_gateway.stop = broken_stop  # type: ignore[union-attr,method-assign]
        # Everything after the broken step was stopped; the SIA receiver still listens.
        assert runtime.sia_gateway is not None
        assert runtime.sia_gateway.states() == {"sia_tcp": "listening", "sia_udp": "listening"}
        assert not tcp_open(ports["osmand"]) and not tcp_open(ports["nmea"])
        assert runtime.mqtt_bridge is not None and runtime.mqtt_bridge.state == "stopped"
        assert live_threads() == set()
        assert not runtime.bus.connected
        await sia_stop()

    caplog.set_level(logging.ERROR)
    asyncio.run(serve())
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        "stopping the SIA DC-09 receiver failed; stopping the other parts anyway"]
    assert not tcp_open(ports["sia"]) and not udp_bound(ports["sia"])


def test_readyz_names_every_part_and_answers_503_while_one_is_down(
    db: Database, settings: Settings, clock: ManualClock, broker: MosquittoServer,
    ports: dict[str, int],
) -> None:
    with TestClient(create_app(every_receiver(settings, broker, ports), db, clock)) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["status"] == "ready"
        assert ready.json()["checks"] == {
            "database": "ok", "schema": "ok", "sia_tcp": "listening", "sia_udp": "listening",
            "osmand": "listening", "nmea": "listening", "mqtt": "connected",
            "bus": "connected"}
        runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
        client.portal.call(runtime.nmea.stop)  # type: ignore[union-attr]
        down = client.get("/readyz")
        assert down.status_code == 503
        assert down.json()["status"] == "not ready"
        assert down.json()["checks"]["nmea"] == "stopped"


def test_readyz_without_receivers_checks_the_database_and_the_bus(client: TestClient) -> None:
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "schema": "ok", "bus": "connected"}
