"""Resumable uploads of footage, as a phone on a mobile link sends a large file: in pieces,
each naming its offset; a piece cut halfway keeps what arrived and the next starts after it;
a piece sent again or out of place is refused with the offset the server has; the last byte
makes the file, checked and hashed as a single upload is. Garbage, a body past the declared
size and another owner's session are refused; nothing is kept of a refused file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from conftest import SECRET
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from support import footage as fr
from support.world import World


def start(client: TestClient, headers: dict[str, str], request_id: str, size: int,
          status: int = 201) -> Any:
    response = client.post(f"{fr.PARTNER}/{request_id}/uploads", headers=headers,
                           json={"size": size, "filename": "กล้องหน้าร้าน.mp4"})
    assert response.status_code == status, response.text
    return response.json()


def piece(client: TestClient, headers: dict[str, str], request_id: str, upload: str,
          offset: int, data: bytes, status: int = 200) -> Any:
    response = client.patch(f"{fr.PARTNER}/{request_id}/uploads/{upload}", content=data,
                            headers={**headers, "Upload-Offset": str(offset),
                                     "Content-Type": "application/octet-stream"})
    assert response.status_code == status, response.text
    return response.json()


def cut_piece(client: TestClient, headers: dict[str, str], path: str, offset: int,
              data: bytes) -> None:
    """Send ``data`` as the start of a longer piece, then lose the connection."""
    async def run() -> None:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": "PATCH", "scheme": "http", "server": ("testserver", 80),
                 "client": ("127.0.0.1", 5000), "root_path": "", "path": path,
                 "raw_path": path.encode(), "query_string": b"",
                 "headers": [(b"host", b"testserver"),
                             (b"authorization", headers["Authorization"].encode()),
                             (b"upload-offset", str(offset).encode())]}
        messages = [{"type": "http.request", "body": data, "more_body": True}]

        async def receive() -> dict[str, object]:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(message: dict[str, object]) -> None:
            return None
        await client.app(scope, receive, send)  # type: ignore[arg-type]
    client.portal.call(run)  # type: ignore[union-attr]


def test_a_large_file_goes_in_pieces_and_resumes_after_a_cut(
        client: TestClient, world: World, db: Database, clock: ManualClock,
        tmp_path: Path) -> None:
    operator, shop = world.headers(client, "a.operator"), world.headers(client, "a.shop")
    request_id = fr.ask(client, operator, clock.now(), camera_codes=["ST-A-SHOP-P1-C1"])[0][
        "id"]
    data = fr.video()
    session = start(client, shop, request_id, len(data))
    upload, url = session["upload_id"], f"{fr.PARTNER}/{request_id}/uploads/{session['upload_id']}"
    assert session["offset"] == 0 and session["size"] == len(data)
    assert piece(client, shop, request_id, upload, 0, data[:3000])["offset"] == 3000
    # The same piece again (its answer was lost): refused, the server says where it is.
    again = piece(client, shop, request_id, upload, 0, data[:3000], status=409)
    assert again["code"] == "upload-offset" and again["problems"][0]["reason"] == "3000"
    # A piece cut halfway: what arrived is kept, the phone asks where to go on from.
    cut_piece(client, shop, url, 3000, data[3000:5000])
    state = client.get(url, headers=shop).json()
    assert state["offset"] == 5000
    done = piece(client, shop, request_id, upload, 5000, data[5000:])
    assert done["offset"] == len(data) and not done["duplicate"]
    assert done["file"]["sha256"] == fr.sha(data) and done["file"]["name"] == "กล้องหน้าร้าน.mp4"
    assert client.get(url, headers=shop).status_code == 404  # the session is over
    store = client.app.state.ctx.settings.data_dir / "footage"  # type: ignore[attr-defined]
    assert not list((store / "tmp").iterdir())
    got = client.get(f"{fr.REQUESTS}/{request_id}/files/{done['file']['id']}", headers=operator)
    assert got.content == data
    # The same bytes once more, in one piece: the first file, not a second.
    twice = start(client, shop, request_id, len(data))
    again_done = piece(client, shop, request_id, twice["upload_id"], 0, data)
    assert again_done["duplicate"] and again_done["file"]["id"] == done["file"]["id"]
    assert len(client.get(f"{fr.REQUESTS}/{request_id}", headers=operator).json()["files"]) == 1


def test_garbage_oversize_damage_and_another_owner_are_refused(
        client: TestClient, world: World, db: Database, clock: ManualClock) -> None:
    fr.second_partner(db, clock, SECRET)
    operator, shop = world.headers(client, "a.operator"), world.headers(client, "a.shop")
    condo = world.headers(client, "b.condo")
    request_id = fr.ask(client, operator, clock.now(), camera_codes=["ST-A-SHOP-P1-C1"])[0][
        "id"]
    data = fr.video()
    store = client.app.state.ctx.settings.data_dir / "footage"  # type: ignore[attr-defined]

    garbage = start(client, shop, request_id, 4000)["upload_id"]
    refused = piece(client, shop, request_id, garbage, 0, b"<html>" + bytes(500), status=415)
    assert refused["code"] == "unsupported-media-type"
    assert client.get(f"{fr.PARTNER}/{request_id}/uploads/{garbage}",
                      headers=shop).status_code == 404  # the session went with it

    small = start(client, shop, request_id, 1000)["upload_id"]
    over = piece(client, shop, request_id, small, 0, data[:2000], status=413)
    assert over["code"] == "payload-too-large"

    damaged = start(client, shop, request_id, 3000)["upload_id"]
    assert piece(client, shop, request_id, damaged, 0, data[:3000], status=422)[
        "code"] == "invalid-input"  # a cut-short MP4: checked at its last byte

    mine = start(client, shop, request_id, len(data))["upload_id"]
    for call in (lambda: client.get(f"{fr.PARTNER}/{request_id}/uploads/{mine}", headers=condo),
                 lambda: client.patch(f"{fr.PARTNER}/{request_id}/uploads/{mine}",
                                      content=data, headers={**condo, "Upload-Offset": "0"}),
                 lambda: client.post(f"{fr.PARTNER}/{request_id}/uploads", headers=condo,
                                     json={"size": 10})):
        assert call().status_code == 404
    assert client.get(f"{fr.PARTNER}/{request_id}/uploads/..%2F..%2Fetc",
                      headers=shop).status_code == 404
    assert start(client, shop, request_id, 3 * 1024**3, status=413)["code"] == (
        "payload-too-large")  # larger than SSZ_FOOTAGE_MAX_BYTES: refused before a byte
    body = client.get(f"{fr.REQUESTS}/{request_id}", headers=operator).json()
    assert body["files"] == [] and body["status"] == "sent"
    assert not list(store.rglob("*.mp4"))
