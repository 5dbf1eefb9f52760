"""The console's side of red boxes: the box list, new keys (for managers only, the secret
shown once), the check-in list and the officer's photo of a check-in."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from safetyzone.assets.models import Asset
from safetyzone.audit.models import AuditEntry
from safetyzone.config import Settings
from safetyzone.core.clock import ManualClock
from safetyzone.core.db import Database
from safetyzone.core.secretbox import SecretBox
from safetyzone.patrol.redbox_models import RedBoxKey
from support.citizen import photo
from support.redbox import Desk, OnShift, otp_secret
from support.world import World


@pytest.fixture
def desk(client: TestClient, db: Database, clock: ManualClock, world: World,
         settings: Settings) -> Desk:
    return Desk(client, db, clock, world, settings, OnShift(db, clock))


def test_box_list_shows_keys_and_the_last_checkin(desk: Desk) -> None:
    printed, rotating, bare = desk.box(), desk.box(), desk.box()
    desk.key(printed)
    desk.key(rotating, "rotating")
    assert desk.checkin(desk.officer("a.patrol"), desk.printed(printed)).status_code == 201
    operator = desk.world.headers(desk.client, "a.operator")
    rows = desk.client.get("/api/v1/red-boxes", params={"station_code": "ST-A"},
                           headers=operator).json()
    got = {r["id"]: (r["mode"], r["key_version"], r["last_checkin_at"]) for r in rows}
    assert got == {str(printed): ("printed", 1, "2026-01-01T00:00:00Z"),
                   str(rotating): ("rotating", 1, None), str(bare): (None, None, None)}
    assert "otpauth_uri" not in rows[0] and "secret" not in str(rows)


def test_new_keys_are_for_the_stations_managers(desk: Desk, db: Database,
                                               settings: Settings) -> None:
    a_box, b_box = desk.box(), desk.box("ST-B")
    commander = desk.world.headers(desk.client, "a.commander")
    for user in ("a.operator", "a.patrol", "a.viewer"):
        response = desk.client.post(f"/api/v1/red-boxes/{a_box}/key", json={"mode": "printed"},
                                    headers=desk.world.headers(desk.client, user))
        assert response.status_code == 403, user
    assert desk.client.post(f"/api/v1/red-boxes/{b_box}/key", json={"mode": "printed"},
                            headers=commander).status_code == 404
    with db.read() as session:
        sos = session.scalar(select(Asset.id).where(Asset.code == "ST-A-SOS1"))
    assert desk.client.post(f"/api/v1/red-boxes/{sos}/key", json={"mode": "printed"},
                            headers=commander).status_code == 404  # not a red box
    response = desk.client.post(f"/api/v1/red-boxes/{a_box}/key", json={"mode": "rotating"},
                                headers=commander)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    secret = otp_secret(response.json()["otpauth_uri"])
    with db.read() as session:
        key = session.get(RedBoxKey, a_box)
        assert key is not None and secret not in key.secret_sealed
        assert SecretBox(settings.secret_key.get_secret_value()).open(
            key.secret_sealed) == secret
        audit = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "redbox.key.rotate")).all()
        assert [(a.username, a.detail["mode"], a.detail["version"]) for a in audit] == [
            ("a.commander", "rotating", 1)]
        assert secret not in str(audit[0].detail)
    response = desk.client.post(f"/api/v1/red-boxes/{a_box}/key", json={"mode": "sideways"},
                                headers=commander)
    assert response.status_code == 422


def _jpeg_with_exif(shade: int) -> bytes:
    image = Image.new("RGB", (80, 60), (shade, 40, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "camera-app 1.0 serial 12345"  # Software
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_a_checkin_photo_is_stripped_kept_once_and_stays_in_the_station(desk: Desk) -> None:
    box = desk.box()
    desk.key(box)
    officer = desk.officer("a.patrol")
    checkin_id = desk.checkin(officer, desk.printed(box)).json()["id"]
    path = f"/api/v1/officer/checkins/{checkin_id}/photo"
    upload = _jpeg_with_exif(120)

    def send(data: bytes, headers: dict[str, str] = officer.headers) -> int:
        return desk.client.post(path, headers=headers,
                                files={"file": ("box.jpg", data, "image/jpeg")}).status_code

    assert send(b"not a picture at all") == 415
    first = desk.client.post(path, headers=officer.headers,
                             files={"file": ("box.jpg", upload, "image/jpeg")})
    assert first.status_code == 201, first.text
    url = first.json()["photo_url"]
    assert send(upload) == 201  # the phone retried after a dead spot
    assert send(photo(5)) == 409  # a different picture does not replace the first
    other = desk.officer("a.patrol2")
    assert send(upload, other.headers) == 404  # someone else's check-in
    stored = desk.client.get(url, headers=desk.world.headers(desk.client, "a.operator"))
    assert stored.status_code == 200
    assert stored.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(stored.content)) as image:
        assert not image.getexif()
    b_operator = desk.world.headers(desk.client, "b.operator")
    assert desk.client.get(url, headers=b_operator).status_code == 404
    rows = desk.client.get("/api/v1/checkins", headers=officer.headers).json()
    assert [row["photo_url"] for row in rows] == [url]


def test_checkin_list_filters(desk: Desk) -> None:
    box = desk.box()
    desk.key(box)
    officer = desk.officer("a.patrol")
    assert desk.checkin(officer, desk.printed(box)).status_code == 201
    assert desk.checkin(officer, "garbage").status_code == 422
    operator = desk.world.headers(desk.client, "a.operator")

    def listed(**params: object) -> list[tuple[bool, str | None]]:
        response = desk.client.get("/api/v1/checkins", params=params, headers=operator)
        assert response.status_code == 200, response.text
        return [(row["accepted"], row["reason"]) for row in response.json()]

    assert sorted(listed(), key=str) == [(False, "forged"), (True, None)]
    assert listed(accepted=True) == [(True, None)]
    assert listed(accepted=False) == [(False, "forged")]
    assert listed(unit_id=str(officer.unit_id), accepted=False) == [(False, "forged")]
    assert listed(since=desk.clock.now().isoformat().replace("+00:00", "Z"),
                  until=desk.clock.now().replace(year=2027).isoformat()) != []
    assert desk.client.get("/api/v1/checkins", params={"limit": 501},
                           headers=operator).status_code == 422
