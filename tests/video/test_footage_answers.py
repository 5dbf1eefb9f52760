"""The owner's answers to a footage request, refused where they do not fit (changing
nothing): a decline without a reason or after a file, a grant of a camera not asked about, an
answer to a request that moved on meanwhile; a region's commander reads its stations'
requests; the sweep removes only uploads a crash left behind.
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError

from conftest import SECRET
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.video import footage
from safetyzone.video.footage_models import FootageEvent
from safetyzone.video.footage_store import FootageStore
from support import footage as fr
from support.world import World


def events(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(FootageEvent)) or 0)


def test_answers_that_do_not_fit_are_refused_and_change_nothing(
        client: TestClient, world: World, db: Database, clock: ManualClock) -> None:
    condo_camera = fr.second_partner(db, clock, SECRET)
    operator, shop = world.headers(client, "a.operator"), world.headers(client, "a.shop")
    request = fr.ask(client, operator, clock.now(), camera_codes=["ST-A-SHOP-P1-C1"])[0]
    url = f"{fr.PARTNER}/{request['id']}"
    before = events(db)
    for path, body, status in (
            ("decline", {"reason": "no"}, 422),  # a reason of 3 characters or more
            ("decline", {}, 422),
            ("grant", {"camera_codes": [condo_camera]}, 422),  # not on this request
            ("grant", {"camera_codes": ["ST-A-SHOP-P1-C1"], "version": 99}, 409),  # moved on
            ("grant", {"extra": 1}, 422)):
        answer = client.post(f"{url}/{path}", headers=shop, json=body)
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert events(db) == before
    fr.upload(client, shop, request["id"], fr.video())
    late = client.post(f"{url}/decline", headers=shop, json={"reason": "เปลี่ยนใจแล้ว"})
    assert late.status_code == 409  # a file was sent: closing it is the police's
    granted = client.post(f"{url}/grant", headers=shop, json={
        "camera_codes": ["ST-A-SHOP-P1-C1"]}).json()
    assert granted["status"] == "granted" and len(granted["files"]) == 1
    # The region's commander reads the station's request; the police close it once.
    region = world.headers(client, "reg1.commander")
    assert client.get(f"{fr.REQUESTS}/{request['id']}", headers=region).status_code == 200
    closed = client.post(f"{fr.REQUESTS}/{request['id']}/close", headers=region, json={})
    assert closed.status_code == 200
    again = client.post(f"{fr.REQUESTS}/{request['id']}/close", headers=operator, json={})
    assert again.status_code == 409
    start = datetime.fromisoformat(request["window_start"])
    with db.read() as s:  # a closed request grants nothing any more
        assert not footage.granted(s, camera_id=uuid.UUID(granted["cameras"][0]["camera_id"]),
                                   start=start, end=start + timedelta(minutes=5))


def test_the_sweep_removes_only_uploads_a_crash_left_behind(tmp_path: Path) -> None:
    store = FootageStore(tmp_path / "footage", 1024 * 1024)
    store.tmp.mkdir(parents=True)
    stale, fresh = store.tmp / "a.part", store.tmp / "b.part"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"y")
    hour_ago = time.time() - 3700
    os.utime(stale, (hour_ago, hour_ago))
    assert store.clear_partial() == 1
    assert not stale.exists() and fresh.exists()


def test_the_history_is_append_only_in_the_database(
        client: TestClient, world: World, db: Database, clock: ManualClock) -> None:
    operator = world.headers(client, "a.operator")
    fr.ask(client, operator, clock.now(), camera_codes=["ST-A-SHOP-P1-C1"])
    for statement in (update(FootageEvent).values(note="rewritten"), delete(FootageEvent)):
        with pytest.raises(DBAPIError, match="append-only"), db.write() as s:
            s.execute(statement)
    assert events(db) == 2
